/* quiet SECONDS PATH: makes no call a sandbox is notified of for SECONDS, then
 * creates PATH with one raw openat(2) and prints `ok` or `errno N`, then is
 * quiet for SECONDS more and exits 0. A command whose first notified call
 * comes late. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void quiet(const char *seconds) {
  double s = atof(seconds);
  struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  quiet(argv[1]);
  long fd = syscall(SYS_openat, AT_FDCWD, argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) printf("errno %d\n", errno); else printf("ok\n");
  fflush(stdout);
  quiet(argv[1]);
  return 0;
}
