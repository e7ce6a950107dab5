/* A process family that outlives its welcome: the eldest (this process), a
 * plain child, and a daemon (double fork, setsid). All three ignore SIGTERM,
 * SIGHUP and SIGINT, so only SIGKILL ends them; each makes a notified call
 * (mknodat on a path that cannot exist) every 10 ms, so each depends on its
 * supervisor. Once all three run, writes "ELDEST PLAIN DAEMON\n" to PIDFILE
 * (its own pids, as the kernel numbers them) and waits forever.
 * usage: family PIDFILE */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void live_forever(void) {
  for (;;) {
    syscall(SYS_mknodat, AT_FDCWD, "/nonexistent-sydbox-family/x", S_IFREG | 0600, 0);
    usleep(10000);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  int p[2];
  if (pipe(p) != 0) return 3;

  pid_t plain = fork();
  if (plain < 0) return 4;
  if (plain == 0) live_forever();

  pid_t mid = fork();
  if (mid < 0) return 5;
  if (mid == 0) {
    setsid();
    pid_t d = fork();
    if (d < 0) _exit(6);
    if (d == 0) {
      close(p[0]);
      pid_t self = getpid();
      if (write(p[1], &self, sizeof self) != sizeof self) _exit(7);
      close(p[1]);
      live_forever();
    }
    _exit(0); /* the daemon is orphaned: it goes to the nearest subreaper */
  }
  close(p[1]);
  pid_t daemon;
  if (read(p[0], &daemon, sizeof daemon) != sizeof daemon) return 8;
  waitpid(mid, NULL, 0);

  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
  FILE *f = fopen(tmp, "w");
  if (!f) return 9;
  fprintf(f, "%d %d %d\n", (int)getpid(), (int)plain, (int)daemon);
  if (fclose(f) != 0 || rename(tmp, argv[1]) != 0) return 10;
  live_forever();
}
