/*
 * restrict OP [ARG]: performs one operation that the core/restrict keys decide and
 * prints `ok` or the errno's name, then exits 0 (2 for a usage error).
 *   getpid | pipe2 | getcwd | chmod FILE | create FILE    the level allowlists
 *   fionread | tiocsti | fiogetown                          ioctl on /etc/passwd
 *   mmap-rw | mmap-wx | mprotect-wx                         private anonymous memory
 *   mmap-shared-anon | mmap-shared-file FILE                writable shared mappings
 * Every call is a raw syscall, so libc cannot add or hide one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int report(long r) {
  if (r < 0 && errno == EPERM) puts("EPERM");
  else if (r < 0) printf("%s\n", strerrorname_np(errno));
  else puts("ok");
  return 0;
}

static long mapping(int prot, int flags, int fd) {
  long r = syscall(SYS_mmap, 0, 4096, prot, flags, fd, 0);
  return r == -1 ? -1 : 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *op = argv[1], *arg = argc > 2 ? argv[2] : "";
  char buf[4096];
  int fds[2];
  if (!strcmp(op, "getpid")) return report(syscall(SYS_getpid));
  if (!strcmp(op, "pipe2")) return report(syscall(SYS_pipe2, fds, O_CLOEXEC));
  if (!strcmp(op, "getcwd")) return report(syscall(SYS_getcwd, buf, sizeof buf));
  if (!strcmp(op, "chmod")) return report(syscall(SYS_fchmodat, AT_FDCWD, arg, 0644));
  if (!strcmp(op, "create")) return report(syscall(SYS_openat, AT_FDCWD, arg, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!strcmp(op, "fionread") || !strcmp(op, "tiocsti") || !strcmp(op, "fiogetown")) {
    long fd = syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return report(fd);
    int n = 0;
    char c = 'x';
    if (!strcmp(op, "fiogetown")) return report(syscall(SYS_ioctl, fd, 0x8903 /* FIOGETOWN */, &n));
    return report(op[0] == 'f' ? syscall(SYS_ioctl, fd, FIONREAD, &n) : syscall(SYS_ioctl, fd, TIOCSTI, &c));
  }
  if (!strcmp(op, "mmap-rw")) return report(mapping(PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1));
  if (!strcmp(op, "mmap-wx")) return report(mapping(PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1));
  if (!strcmp(op, "mprotect-wx")) {
    void *p = (void *)syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return report(-1);
    return report(syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC));
  }
  if (!strcmp(op, "mmap-shared-anon")) return report(mapping(PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1));
  if (!strcmp(op, "mmap-shared-file")) {
    long fd = syscall(SYS_openat, AT_FDCWD, arg, O_RDWR | O_CLOEXEC);
    if (fd < 0) return report(fd);
    return report(mapping(PROT_READ | PROT_WRITE, MAP_SHARED, fd));
  }
  return 2;
}
