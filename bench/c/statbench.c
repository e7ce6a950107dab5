// Load program: N x newfstatat("/etc/passwd") or openat+close, through raw syscall()
// so libc wrappers (which may pick statx or fstatat variants) cannot change which
// syscall the sandbox sees.
// usage: statbench [stat|open|create|getpid|read] N  prints "<what> N=<n>: <s> s total, <us> us/call"
// create: openat(O_WRONLY|O_CREAT|O_TRUNC) of /tmp/statbench.PID + close (a write-class open).
// getpid, read (64 bytes of /dev/zero): calls no sandbox notifies, so only the filter's
// own cost per syscall shows. They also print the fastest batch of 1000 calls ("min"):
// on a shared machine the mean holds every preemption, the fastest batch almost none.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "clock.h"
#include <unistd.h>


int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "stat";
  long n = argc > 2 ? atol(argv[2]) : 100000;
  int isopen = !strcmp(what, "open"), iscreate = !strcmp(what, "create");
  int isgetpid = !strcmp(what, "getpid"), isread = !strcmp(what, "read");
  int zero = isread ? open("/dev/zero", O_RDONLY | O_CLOEXEC) : -1;
  char buf[64];
  if (isread && zero < 0) { perror("/dev/zero"); return 1; }
  char tmp[64];
  snprintf(tmp, sizeof tmp, "/tmp/statbench.%d", (int)getpid());
  struct stat st;
  double t0 = now(), batch0 = t0, best = 1e9;
  for (long i = 0; i < n; i++) {
    if ((isgetpid || isread) && i % 1000 == 999) {
      double t = now();
      if (t - batch0 < best) best = t - batch0;
      batch0 = t;
    }
    if (isgetpid) {
      syscall(SYS_getpid);
    } else if (isread) {
      if (syscall(SYS_read, zero, buf, sizeof buf) != sizeof buf) { perror("read"); return 1; }
    } else if (iscreate) {
      long fd = syscall(SYS_openat, AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) { perror("openat"); return 1; }
      syscall(SYS_close, fd);
    } else if (isopen) {
      long fd = syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC, 0);
      if (fd < 0) { perror("openat"); return 1; }
      syscall(SYS_close, fd);
    } else if (syscall(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &st, 0) != 0) {
      perror("newfstatat");
      return 1;
    }
  }
  double dt = now() - t0;
  if (iscreate) unlink(tmp);
  if ((isgetpid || isread) && n >= 1000) printf("%s N=%ld: %.3f s total, %.3f us/call, min %.4f us/call (fastest batch of 1000)\n", what, n, dt, dt * 1e6 / n, best * 1e6 / 1000);
  else printf("%s N=%ld: %.3f s total, %.3f us/call\n", what, n, dt, dt * 1e6 / n);
  return 0;
}
