// C reference supervisor: the yardstick for sydbox's per-notification cost.
// fork; the child installs a raw-BPF NOTIFY filter for one syscall and passes the
// listener to the parent over SCM_RIGHTS; the parent sets SYNC_WAKE_UP when the
// kernel has it (6.6+) and answers every notification with CONTINUE.
// With --read N, it first copies N bytes of argument 1 (the path of newfstatat and
// openat) out of the tracee with process_vm_readv: the kernel work any path-checking
// supervisor must do, so sydbox's own code can be told from the kernel's cost.
// Raw classic BPF instead of libseccomp because libseccomp-dev is not installed.
// usage: csup [--no-sync] [--skip-empty-path] [--read N] SYSCALL[,SYSCALL...] -- cmd args...
//        SYSCALL: newfstatat|openat|execve|stat|NUMBER; --skip-empty-path leaves
//        newfstatat(AT_EMPTY_PATH) (fstat) in the kernel, as sydbox's filter does.
// stderr gets "csup: sync wake-up on|off" so the bench can report which floor it measured.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS _IOW('!', 4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1UL
#endif

static int lfd;
static size_t read_len;  // --read N: bytes of argument 1 to copy per notification

static long resolve(const char *name) {
  if (!strcmp(name, "newfstatat")) return SYS_newfstatat;
  if (!strcmp(name, "openat")) return SYS_openat;
  if (!strcmp(name, "execve")) return SYS_execve;
  if (!strcmp(name, "stat")) return SYS_stat;
  char *end;
  long nr = strtol(name, &end, 10);
  return *end ? -1 : nr;
}

// Notifies each syscall of nrs[0..n). With skip_empty, a newfstatat carrying
// AT_EMPTY_PATH (fstat) is allowed in the kernel, as sydbox's filter does.
static int install(const long *nrs, int n, int skip_empty) {
  struct sock_filter code[64];
  int k = 0;
  code[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  code[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  code[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);  // foreign arch: not our business here
  code[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (int i = 0; i < n; i++) {
    if (skip_empty && nrs[i] == SYS_newfstatat) {
      code[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nrs[i], 0, 4);
      code[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3]));
      code[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1000 /* AT_EMPTY_PATH */, 0, 1);
      code[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
      code[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
    } else {
      code[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nrs[i], 0, 1);
      code[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
    }
  }
  code[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  struct sock_fprog prog = { .len = (unsigned short)k, .filter = code };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return -1;
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

// One blocking thread: the prototype found more threads or polling do not help a
// single tracee once SYNC_WAKE_UP is set.
// --stats: per syscall number, notifications and the loop thread's CPU time, charged as
// sydbox --stats charges it (from the end of one notification to the end of the next).
static int stats;
static long counts[1024];
static double cpu_ns[1024];

static double thread_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *loop(void *arg) {
  (void)arg;
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  double last = stats ? thread_ns() : 0;
  for (;;) {
    memset(&req, 0, sizeof req);  // RECV fails with EINVAL on a dirty buffer
    if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
      if (errno == ENOENT || errno == EINTR) continue;
      return NULL;  // listener gone: no tracee left
    }
    if (read_len) {
      static char path[4096];
      struct iovec local = { path, read_len }, remote = { (void *)req.data.args[1], read_len };
      process_vm_readv(req.pid, &local, 1, &remote, 1, 0);
    }
    memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    if (stats && req.data.nr >= 0 && req.data.nr < 1024) {
      double now = thread_ns();
      counts[req.data.nr]++;
      cpu_ns[req.data.nr] += now - last;
      last = now;
    }
  }
}

static void send_fd(int sock, int fd) {
  char buf[CMSG_SPACE(sizeof(int))] = {0}, x = 0;
  struct iovec io = { &x, 1 };
  struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf };
  struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  if (sendmsg(sock, &m, 0) < 0) { perror("csup: sendmsg"); _exit(1); }
}

static int recv_fd(int sock) {
  char buf[CMSG_SPACE(sizeof(int))] = {0}, x;
  struct iovec io = { &x, 1 };
  struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf };
  if (recvmsg(sock, &m, 0) <= 0) return -1;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
  if (!cm || cm->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  return fd;
}

int main(int argc, char **argv) {
  int i = 1, want_sync = 1, skip_empty = 0;
  if (i < argc && !strcmp(argv[i], "--no-sync")) { want_sync = 0; i++; }
  if (i < argc && !strcmp(argv[i], "--skip-empty-path")) { skip_empty = 1; i++; }
  if (i + 1 < argc && !strcmp(argv[i], "--read")) {
    read_len = strtoul(argv[i + 1], NULL, 10);
    if (read_len > 4096) read_len = 4096;
    i += 2;
  }
  if (i < argc && !strcmp(argv[i], "--stats")) { stats = 1; i++; }
  if (i + 2 >= argc || strcmp(argv[i + 1], "--")) {
    fprintf(stderr, "usage: csup [--no-sync] [--skip-empty-path] [--read N] [--stats] SYSCALL[,SYSCALL...] -- cmd args...\n");
    return 2;
  }
  long nrs[8];
  int n = 0;
  for (char *name = strtok(argv[i], ","); name; name = strtok(NULL, ",")) {
    if (n == 8 || (nrs[n++] = resolve(name)) < 0) { fprintf(stderr, "csup: unknown syscall %s (or more than 8)\n", name); return 2; }
  }
  char **cmd = argv + i + 2;
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)) { perror("csup: socketpair"); return 1; }
  pid_t c = fork();
  if (c < 0) { perror("csup: fork"); return 1; }
  if (c == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a killed bench must not leave tracees stuck
    int fd = install(nrs, n, skip_empty);
    if (fd < 0) { perror("csup: seccomp"); _exit(1); }
    send_fd(sp[1], fd);
    close(fd);
    char x;
    // Wait until the supervisor thread runs, or our own execve would be parked
    // (when execve is the notified syscall) with nobody to answer.
    if (read(sp[1], &x, 1) != 1) _exit(1);
    execvp(cmd[0], cmd);
    perror("csup: execvp");
    _exit(127);
  }
  close(sp[1]);
  lfd = recv_fd(sp[0]);
  if (lfd < 0) { fprintf(stderr, "csup: no listener from child\n"); return 1; }
  int sync = 0;
  if (want_sync) {
    if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0) sync = 1;
    else if (errno != EINVAL) perror("csup: SET_FLAGS");  // EINVAL: kernel older than 6.6
  }
  fprintf(stderr, "csup: sync wake-up %s\n", sync ? "on" : "off");
  pthread_t t;
  if (pthread_create(&t, NULL, loop, NULL)) { fprintf(stderr, "csup: pthread_create failed\n"); return 1; }
  if (write(sp[0], "g", 1) != 1) { perror("csup: write"); return 1; }
  close(sp[0]);
  int st;
  if (waitpid(c, &st, 0) < 0) { perror("csup: waitpid"); return 1; }
  for (int nr = 0; stats && nr < 1024; nr++) {
    if (counts[nr]) fprintf(stderr, "csup: stats: syscall %d: %ld (%.1f us each)\n", nr, counts[nr], cpu_ns[nr] / 1e3 / counts[nr]);
  }
  // Grandchildren may still hold the filter; exiting kills the loop thread and they
  // then get ENOSYS, which is fine for these workloads (none fork-and-forget).
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
