/*
 * sidedoor OP ARGS...: one attempt at a side door of the kernel, printing `ok` or the
 * errno's name (EPERM, ENOSYS...), then exiting 0 (the crash op excepted).
 *   acct FILE            acct(FILE), a child exits (a record is written), acct(NULL)
 *   setxattrat FILE      setxattrat(AT_FDCWD, FILE, 0, "user.sydbox", {"x"}), Linux 6.13
 *   getxattr FILE        prints the value of FILE's user.sydbox, or the errno's name
 *   file_setattr FILE    file_setattr(AT_FDCWD, FILE, {FS_XFLAG_NODUMP}), Linux 6.17
 *   file_getattr FILE    prints the fsx_xflags of FILE in hex
 *   nr N                 syscall(N) with zero arguments
 *   tiocsti              ioctl(0, TIOCSTI, "x") (0: a terminal)
 *   tioclinux            ioctl(0, TIOCLINUX, 2: set selection)
 *   core-max             setrlimit(RLIMIT_CORE, unlimited/unlimited)
 *   core-zero            setrlimit(RLIMIT_CORE, 0/0): a lowering the kernel always allows
 *   core-limit           prints RLIMIT_CORE's soft and hard limits
 *   crash                raise(SIGSEGV) after setting RLIMIT_CORE's soft limit to its hard one
 *   session              prints `leader` when this process leads its session, and whether
 *                        /dev/tty opens (`tty` or its errno)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static int report(long rc) {
  if (rc >= 0) { puts("ok"); return 0; }
  const char *n = strerrorname_np(errno);
  puts(n ? n : "E?");
  return 0;
}

struct xattr_args { uint64_t value; uint32_t size; uint32_t flags; };
struct file_attr { uint64_t fa_xflags; uint32_t fa_extsize, fa_nextents, fa_projid, fa_cowextsize; };

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *op = argv[1], *arg = argc > 2 ? argv[2] : "";
  if (!strcmp(op, "acct")) {
    if (syscall(SYS_acct, arg) < 0) return report(-1);
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
    return report(syscall(SYS_acct, NULL));
  }
  if (!strcmp(op, "setxattrat")) {
    struct xattr_args a = { (uintptr_t)"x", 1, 0 };
    return report(syscall(463, AT_FDCWD, arg, 0, "user.sydbox", &a, sizeof a));
  }
  if (!strcmp(op, "getxattr")) {
    char v[64];
    ssize_t n = getxattr(arg, "user.sydbox", v, sizeof v - 1);
    if (n < 0) return report(-1);
    v[n] = 0;
    puts(v);
    return 0;
  }
  if (!strcmp(op, "core-zero")) {
    struct rlimit r = { 0, 0 };
    return report(setrlimit(RLIMIT_CORE, &r));
  }
  if (!strcmp(op, "file_setattr") || !strcmp(op, "file_getattr")) {
    struct file_attr fa = { 0 };
    if (syscall(468, AT_FDCWD, arg, &fa, sizeof fa, 0) < 0) return report(-1);
    if (op[5] == 'g') { printf("%llx\n", (unsigned long long)fa.fa_xflags); return 0; }
    fa.fa_xflags |= 0x80; /* FS_XFLAG_NODUMP */
    return report(syscall(469, AT_FDCWD, arg, &fa, sizeof fa, 0));
  }
  if (!strcmp(op, "nr")) return report(syscall(strtol(arg, NULL, 0)));
  if (!strcmp(op, "tiocsti")) { char c = 'x'; return report(ioctl(0, TIOCSTI, &c)); }
  if (!strcmp(op, "tioclinux")) { char sub = 2; return report(ioctl(0, TIOCLINUX, &sub)); }
  if (!strcmp(op, "core-max")) {
    struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };
    return report(setrlimit(RLIMIT_CORE, &r));
  }
  if (!strcmp(op, "core-limit")) {
    struct rlimit r;
    getrlimit(RLIMIT_CORE, &r);
    printf("%lld %lld\n", (long long)r.rlim_cur, (long long)r.rlim_max);
    return 0;
  }
  if (!strcmp(op, "crash")) {
    struct rlimit r;
    getrlimit(RLIMIT_CORE, &r);
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_CORE, &r);
    raise(SIGSEGV);
    return 1;
  }
  if (!strcmp(op, "session")) {
    printf("%s\n", getsid(0) == getpid() ? "leader" : "member");
    int fd = open("/dev/tty", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) { puts("tty"); return 0; }
    return report(-1);
  }
  return 2;
}
