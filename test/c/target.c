/*
 * Calls aimed at another process's limits and scheduling (test/escape/target.test.ts).
 *
 *   target PID|sydbox|reaper   tries each call on the process, prints "name errno" per
 *                              line (0: it succeeded). `sydbox` is our grandparent, the
 *                              `reaper` our parent, when started as sydbox's command.
 *   target nofile PID|sydbox   sets the process's RLIMIT_NOFILE to 0 with prlimit64, prints
 *                              "prlimit64 ERRNO", then opens files for a second.
 *   target open SECONDS        opens /dev/null for writing, again and again, for SECONDS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void report(const char *name, long r) { printf("%s %d\n", name, r < 0 ? errno : 0); fflush(stdout); }

/* Field `n` after the command name of /proc/PID/stat (0: state, 1: ppid, 2: pgrp). */
static pid_t stat_field(pid_t pid, int n) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f || !fgets(buf, sizeof buf, f)) return -1;
  fclose(f);
  char *p = strrchr(buf, ')');
  for (int i = 0; p && i <= n; i++) p = strchr(p + 1, ' ');
  return p ? atoi(p + 1) : -1;
}

static pid_t target(const char *s) {
  if (strcmp(s, "reaper") == 0) return getppid();
  if (strcmp(s, "sydbox") == 0) return stat_field(getppid(), 1);
  return atoi(s);
}

static void opens(double seconds) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do {
    int fd = open("/dev/null", O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) close(fd);
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "nofile") == 0) {
    struct rlimit none = { 0, 0 };
    report("prlimit64", syscall(SYS_prlimit64, target(argv[2]), RLIMIT_NOFILE, &none, NULL));
    opens(1);
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "open") == 0) {
    opens(atof(argv[2]));
    return 0;
  }
  if (argc != 2) { fprintf(stderr, "usage: target PID|sydbox|reaper, target nofile PID|sydbox, target open SECONDS\n"); return 2; }
  pid_t pid = target(argv[1]);
  struct rlimit lim;
  getrlimit(RLIMIT_NOFILE, &lim);
  report("prlimit64", syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, &lim, NULL));
  report("setpriority", setpriority(PRIO_PROCESS, pid, 1));
  report("setpriority-pgrp", setpriority(PRIO_PGRP, stat_field(pid, 2), 1));
  report("ioprio_set", syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, pid, (2 << 13) | 4 /* BE, 4 */));
  cpu_set_t set;
  CPU_ZERO(&set);
  sched_getaffinity(pid, sizeof set, &set);
  report("sched_setaffinity", sched_setaffinity(pid, sizeof set, &set));
  struct sched_param sp = { 0 };
  report("sched_setscheduler", sched_setscheduler(pid, SCHED_OTHER, &sp));
  report("sched_setparam", sched_setparam(pid, &sp));
  unsigned attr[14] = { 56 }; // struct sched_attr: size, SCHED_OTHER, nice 0
  report("sched_setattr", syscall(SYS_sched_setattr, pid, attr, 0));
  return 0;
}
