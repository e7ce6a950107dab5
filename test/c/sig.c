/*
 * sig OP ARGS...: one raw signal call from inside the sandbox, printing `ok` or
 * the errno's name. Targets name the processes around a sandboxed eldest:
 *   reaper   its parent, the child stage (launch/reaper.ts)
 *   sydbox   the reaper's parent
 *   thread   a thread of the reaper other than its main one
 *   -reaper  the reaper's process group (its pid)
 *   self     this process; anything else is a number
 * OPs:
 *   kill T SIG | tkill T SIG | tgkill TGID T SIG | sigqueue T SIG | tgsigqueue TGID T SIG
 *   pidfd T SIG        pidfd_open(T) then pidfd_send_signal
 *   setown T | setownex T | fiosetown T | siocspgrp T    on a fresh socket
 *   setpgid PGID       setpgid(0, PGID)
 *   attack FILE        leaves sydbox's process group, STOPs the reaper, writes
 *                      `PID REAPER STOP` to FILE, SIGKILLs sydbox's process group (sydbox
 *                      must lead it), then sleeps
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *name(int e) {
  switch (e) {
  case 0: return "ok";
  case EPERM: return "EPERM";
  case ESRCH: return "ESRCH";
  case EINVAL: return "EINVAL";
  case ENOSYS: return "ENOSYS";
  default: { static char b[32]; snprintf(b, sizeof b, "errno%d", e); return b; }
  }
}

static int res(long r) { return r < 0 ? errno : 0; }

/* Field 4 of /proc/PID/stat: the parent. */
static int parent_of(int pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f || !fgets(buf, sizeof buf, f)) exit(4);
  fclose(f);
  int ppid = 0;
  sscanf(strrchr(buf, ')') + 2, "%*c %d", &ppid);
  return ppid;
}

static int target(const char *t) {
  int reaper = getppid();
  if (!strcmp(t, "reaper")) return reaper;
  if (!strcmp(t, "-reaper")) return -reaper;
  if (!strcmp(t, "sydbox")) return parent_of(reaper);
  if (!strcmp(t, "self")) return getpid();
  if (!strcmp(t, "thread")) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", reaper);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
      int tid = atoi(e->d_name);
      if (tid > 0 && tid != reaper) { closedir(d); return tid; }
    }
    fprintf(stderr, "sig: the reaper has one thread\n");
    exit(4);
  }
  return atoi(t);
}

static int owner(const char *op, int t) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return errno;
  if (!strcmp(op, "setown")) return res(syscall(SYS_fcntl, s, F_SETOWN, t));
  if (!strcmp(op, "setownex")) {
    struct f_owner_ex ex = { F_OWNER_PID, t };
    return res(syscall(SYS_fcntl, s, F_SETOWN_EX, &ex));
  }
  return res(syscall(SYS_ioctl, s, !strcmp(op, "fiosetown") ? FIOSETOWN : SIOCSPGRP, &t));
}

static int attack(const char *file) {
  int reaper = getppid(), sydbox = parent_of(reaper);
  if (getpgid(sydbox) != sydbox) { fprintf(stderr, "sig: sydbox does not lead its process group\n"); return 2; }
  /* Opened first: once sydbox is gone, a notified open would fail (ENOSYS). */
  FILE *f = fopen(file, "w");
  if (!f) return 4;
  setsid();
  int stop = res(syscall(SYS_kill, reaper, SIGSTOP));
  /* Written before the kill: the reaper may kill us before anything after it runs. */
  fprintf(f, "%d %d %s\n", getpid(), reaper, name(stop));
  fflush(f);
  syscall(SYS_kill, -sydbox, SIGKILL);
  for (;;) pause();
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  const char *op = argv[1];
  int e;
  siginfo_t si;
  memset(&si, 0, sizeof si);
  si.si_code = SI_QUEUE;
  si.si_pid = getpid();
  si.si_uid = getuid();
  if (!strcmp(op, "kill") && argc == 4) e = res(syscall(SYS_kill, target(argv[2]), atoi(argv[3])));
  else if (!strcmp(op, "tkill") && argc == 4) e = res(syscall(SYS_tkill, target(argv[2]), atoi(argv[3])));
  else if (!strcmp(op, "tgkill") && argc == 5) e = res(syscall(SYS_tgkill, target(argv[2]), target(argv[3]), atoi(argv[4])));
  else if (!strcmp(op, "sigqueue") && argc == 4) {
    si.si_signo = atoi(argv[3]);
    e = res(syscall(SYS_rt_sigqueueinfo, target(argv[2]), si.si_signo, &si));
  } else if (!strcmp(op, "tgsigqueue") && argc == 5) {
    si.si_signo = atoi(argv[4]);
    e = res(syscall(SYS_rt_tgsigqueueinfo, target(argv[2]), target(argv[3]), si.si_signo, &si));
  } else if (!strcmp(op, "pidfd") && argc == 4) {
    int fd = syscall(SYS_pidfd_open, target(argv[2]), 0);
    e = fd < 0 ? errno : res(syscall(SYS_pidfd_send_signal, fd, atoi(argv[3]), NULL, 0));
  } else if (!strcmp(op, "setpgid")) e = res(syscall(SYS_setpgid, 0, target(argv[2])));
  else if (!strcmp(op, "attack")) return attack(argv[2]);
  else if (argc == 3) e = owner(op, target(argv[2]));
  else return 2;
  puts(name(e));
  return 0;
}
