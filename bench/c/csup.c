// C reference supervisor: the yardstick for sydbox's per-notification cost.
// fork; the child installs a raw-BPF NOTIFY filter for one syscall and the parent
// takes the listener with pidfd_getfd; the parent sets SYNC_WAKE_UP when the
// kernel has it (6.6+) and answers every notification with CONTINUE.
// With --read N, it first copies N bytes of argument 1 (the path of newfstatat and
// openat) out of the tracee with process_vm_readv: the kernel work any path-checking
// supervisor must do, so sydbox's own code can be told from the kernel's cost.
// Raw classic BPF instead of libseccomp because libseccomp-dev is not installed.
// usage: csup [--no-sync] [--skip-empty-path] [--read N] [--stats] SYSCALL[,SYSCALL...] -- cmd args...
//        SYSCALL: newfstatat|openat|execve|stat|NUMBER; --skip-empty-path leaves
//        newfstatat(AT_EMPTY_PATH) (fstat) in the kernel, as sydbox's filter does.
//    or: csup [--no-sync] --bpf FILE [--paths SPEC] [--nice N] [--stats] -- cmd args...
//        the exact floor: loads FILE, a raw BPF program (`sydbox --export bpf`, so the
//        very filter sydbox would load, notifying exactly what it notifies), and for a
//        notification of a syscall in SPEC copies what SPEC says before CONTINUE:
//        SPEC is NR:ARG:LEN[:ARG:LEN...][,NR:...]; LEN 0 copies a string up to its NUL.
//        --nice N: the answering thread's nice value, as sydbox sets its supervisor's.
// stderr gets "csup: sync wake-up on|off" so the bench can report which floor it measured.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
#include <sys/resource.h>
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

// --paths: per syscall number, up to 3 (argument, length) pairs to copy out of the tracee.
#define MAX_NR 1024
static struct { signed char arg[3]; unsigned short len[3]; } reads[MAX_NR];

static int parse_paths(char *spec) {
  for (int i = 0; i < MAX_NR; i++) reads[i].arg[0] = reads[i].arg[1] = reads[i].arg[2] = -1;
  for (char *item = strtok(spec, ","); item; item = strtok(NULL, ",")) {
    char *end;
    long nr = strtol(item, &end, 10);
    if (nr < 0 || nr >= MAX_NR || *end != ':') return -1;
    for (int k = 0; *end == ':' && k < 3; k++) {
      long arg = strtol(end + 1, &end, 10);
      if (*end != ':') return -1;
      long len = strtol(end + 1, &end, 10);
      if (arg < 0 || arg > 5 || len < 0 || len > 4096) return -1;
      reads[nr].arg[k] = (signed char)arg;
      reads[nr].len[k] = (unsigned short)len;
    }
    if (*end) return -1;
  }
  return 0;
}

// Copies len bytes at addr out of the tracee, or (len 0) a string up to its NUL, a
// chunk at a time that never crosses a page (a path may end just before an unmapped one).
static void copy_in(pid_t pid, unsigned long addr, size_t len) {
  static char buf[4096];
  if (!addr) return;
  if (len) {
    struct iovec local = { buf, len }, remote = { (void *)addr, len };
    process_vm_readv(pid, &local, 1, &remote, 1, 0);
    return;
  }
  for (size_t got = 0; got < sizeof buf;) {
    size_t n = 4096 - ((addr + got) & 4095);
    if (n > sizeof buf - got) n = sizeof buf - got;
    struct iovec local = { buf + got, n }, remote = { (void *)(addr + got), n };
    ssize_t r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (r <= 0 || memchr(buf + got, 0, (size_t)r)) return;
    got += (size_t)r;
  }
}

static int load_bpf(const char *file) {
  static struct sock_filter code[4096];
  FILE *f = fopen(file, "rb");
  if (!f) { perror("csup: --bpf"); return -1; }
  size_t n = fread(code, sizeof code[0], 4096, f);
  fclose(f);
  if (!n || n == 4096) { fprintf(stderr, "csup: %s: empty or over 4095 instructions\n", file); return -1; }
  struct sock_fprog prog = { .len = (unsigned short)n, .filter = code };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return -1;
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

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
static long counts[MAX_NR];
static double cpu_ns[MAX_NR];

static double thread_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int nice_set, nice_val;

static void *loop(void *arg) {
  (void)arg;
  if (nice_set && setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice_val)) perror("csup: setpriority");
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  double last = stats ? thread_ns() : 0;
  for (;;) {
    memset(&req, 0, sizeof req);  // RECV fails with EINVAL on a dirty buffer
    if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
      if (errno == ENOENT || errno == EINTR) continue;
      return NULL;  // listener gone: no tracee left
    }
    if (read_len) copy_in(req.pid, req.data.args[1], read_len);
    if (req.data.nr >= 0 && req.data.nr < MAX_NR) {
      for (int k = 0; k < 3 && reads[req.data.nr].arg[k] >= 0; k++) {
        copy_in(req.pid, req.data.args[reads[req.data.nr].arg[k]], reads[req.data.nr].len[k]);
      }
    }
    memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    if (stats && req.data.nr >= 0 && req.data.nr < MAX_NR) {
      double now = thread_ns();
      counts[req.data.nr]++;
      cpu_ns[req.data.nr] += now - last;
      last = now;
    }
  }
}

// The listener reaches the parent through pidfd_getfd (5.6+), not SCM_RIGHTS: with
// sydbox's own filter loaded (--bpf), sendmsg is itself notified, and the child would
// wait for an answer from a supervisor that does not have the listener yet.
static int take_fd(pid_t child, int fd) {
  int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
  if (pidfd < 0) return -1;
  int got = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
  close(pidfd);
  return got;
}

int main(int argc, char **argv) {
  int i = 1, want_sync = 1, skip_empty = 0;
  const char *bpf = NULL;
  for (int k = 0; k < MAX_NR; k++) reads[k].arg[0] = -1;
  if (i < argc && !strcmp(argv[i], "--no-sync")) { want_sync = 0; i++; }
  if (i + 1 < argc && !strcmp(argv[i], "--bpf")) { bpf = argv[i + 1]; i += 2; }
  if (bpf && i + 1 < argc && !strcmp(argv[i], "--paths")) {
    if (parse_paths(argv[i + 1])) { fprintf(stderr, "csup: bad --paths %s\n", argv[i + 1]); return 2; }
    i += 2;
  }
  if (bpf && i + 1 < argc && !strcmp(argv[i], "--nice")) { nice_set = 1; nice_val = atoi(argv[i + 1]); i += 2; }
  if (i < argc && !strcmp(argv[i], "--skip-empty-path")) { skip_empty = 1; i++; }
  if (i + 1 < argc && !strcmp(argv[i], "--read")) {
    read_len = strtoul(argv[i + 1], NULL, 10);
    if (read_len > 4096) read_len = 4096;
    i += 2;
  }
  if (i < argc && !strcmp(argv[i], "--stats")) { stats = 1; i++; }
  if (bpf) i--;  // no SYSCALL list: argv[i + 1] must be the "--"
  if (i + 2 >= argc || strcmp(argv[i + 1], "--")) {
    fprintf(stderr, "usage: csup [--no-sync] [--skip-empty-path] [--read N] [--stats] SYSCALL[,SYSCALL...] -- cmd args...\n"
                    "       csup [--no-sync] --bpf FILE [--paths SPEC] [--nice N] [--stats] -- cmd args...\n");
    return 2;
  }
  long nrs[8];
  int n = 0;
  for (char *name = bpf ? NULL : strtok(argv[i], ","); name; name = strtok(NULL, ",")) {
    if (n == 8 || (nrs[n++] = resolve(name)) < 0) { fprintf(stderr, "csup: unknown syscall %s (or more than 8)\n", name); return 2; }
  }
  char **cmd = argv + i + 2;
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)) { perror("csup: socketpair"); return 1; }
  pid_t c = fork();
  if (c < 0) { perror("csup: fork"); return 1; }
  if (c == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a killed bench must not leave tracees stuck
    int fd = bpf ? load_bpf(bpf) : install(nrs, n, skip_empty);
    if (fd < 0) { perror("csup: seccomp"); _exit(1); }
    // The fd number only; the parent takes the fd itself. It stays open here until execve
    // (close-on-exec): the parent must get it first, and says so by writing "g".
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) || write(sp[1], &fd, sizeof fd) != sizeof fd) _exit(1);
    char x;
    // Wait until the supervisor thread runs, or our own execve would be parked
    // (when execve is the notified syscall) with nobody to answer.
    if (read(sp[1], &x, 1) != 1) _exit(1);
    execvp(cmd[0], cmd);
    perror("csup: execvp");
    _exit(127);
  }
  close(sp[1]);
  int cfd;
  if (read(sp[0], &cfd, sizeof cfd) != sizeof cfd || (lfd = take_fd(c, cfd)) < 0) { perror("csup: no listener from child"); return 1; }
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
  for (int nr = 0; stats && nr < MAX_NR; nr++) {
    if (counts[nr]) fprintf(stderr, "csup: stats: syscall %d: %ld (%.1f us each)\n", nr, counts[nr], cpu_ns[nr] / 1e3 / counts[nr]);
  }
  // Grandchildren may still hold the filter; exiting kills the loop thread and they
  // then get ENOSYS, which is fine for these workloads (none fork-and-forget).
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
