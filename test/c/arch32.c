/*
 * arch32 OP ARGS...: one syscall through the i386 ABI when built with -m32 (glibc's
 * syscall() enters the kernel through int 0x80 or sysenter, both reported as
 * AUDIT_ARCH_I386), printing `ok` or the errno's name.
 *   create PATH                       open(PATH, O_WRONLY|O_CREAT)
 *   connect-socketcall IP PORT        TCP connect through socketcall(SYS_CONNECT, args)
 *   sendmsg-socketcall IP PORT        UDP sendmsg with msg_name (a 32-bit msghdr) through socketcall
 *   sendmmsg-socketcall IP PORT       UDP sendmmsg of two entries (32-bit mmsghdr) naming
 *                                     IP:PORT+1 and IP:PORT, through socketcall
 *   sendmmsg IP PORT                  the same through i386's own sendmmsg syscall
 *   getpid                            a call no sandbox looks at
 *   utimes PATH                       utimes(PATH) to 1000000 s + 5 us and 2000000 s (32-bit timeval)
 *   utime PATH                        utime(PATH) to 3000000 s and 4000000 s (32-bit utimbuf)
 *   truncate64 PATH                   truncate64(PATH, 5 + 2^32 * 0): the length split in two registers
 *   utimensat-time64 PATH             utimensat_time64(AT_FDCWD, PATH, NULL, 0): PATH's times set to now (412)
 *   fchmodat2 PATH                    fchmodat2(AT_FDCWD, PATH, 0600, 0) (452, Linux 6.6)
 *   mmap2-rw | mmap2-wx | old-mmap-rw  private anonymous memory through mmap2 or old_mmap (struct args)
 * Built for x86_64, it speaks the x32 ABI instead (syscall number | 0x40000000,
 * 32-bit structs). Kernels without CONFIG_X86_X32_ABI answer such calls ENOSYS,
 * but only after the seccomp filter and the supervisor have seen them:
 *   x32-create PATH                   openat(AT_FDCWD, PATH, O_WRONLY|O_CREAT)
 *   x32-sendmsg IP PORT               UDP sendmsg with msg_name, a 32-bit msghdr below 4 GiB
 *   x32-sendmmsg IP PORT              UDP sendmmsg of two 32-bit mmsghdr naming IP:PORT+1 and IP:PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/net.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int report(long r) {
  if (r < 0) printf("%s\n", strerrorname_np(errno));
  else puts("ok");
  return 0;
}

#ifdef SYS_socketcall
static long socketcall(int call, unsigned long *args) { return syscall(SYS_socketcall, call, args); }
#endif

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *op = argv[1];
  if (!strcmp(op, "getpid")) return report(syscall(SYS_getpid));
  if (!strcmp(op, "create") && argc == 3) return report(syscall(SYS_open, argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
#if defined(SYS_truncate64) && defined(SYS_utime)
  if (!strcmp(op, "utimes") && argc == 3) {
    int32_t tv[4] = { 1000000, 5, 2000000, 0 }; // two struct timeval of 32-bit longs
    return report(syscall(SYS_utimes, argv[2], tv));
  }
  if (!strcmp(op, "utime") && argc == 3) {
    int32_t ub[2] = { 3000000, 4000000 }; // struct utimbuf of 32-bit time_t
    return report(syscall(SYS_utime, argv[2], ub));
  }
  if (!strcmp(op, "truncate64") && argc == 3) return report(syscall(SYS_truncate64, argv[2], 5, 0));
#endif
#ifdef SYS_mmap2
  if (!strcmp(op, "utimensat-time64") && argc == 3) return report(syscall(412, AT_FDCWD, argv[2], NULL, 0));
  if (!strcmp(op, "fchmodat2") && argc == 3) return report(syscall(452, AT_FDCWD, argv[2], 0600, 0));
  int wx = !strcmp(op, "mmap2-wx");
  if (wx || !strcmp(op, "mmap2-rw")) {
    long r = syscall(SYS_mmap2, 0, 4096, PROT_READ | PROT_WRITE | (wx ? PROT_EXEC : 0), MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return report(r == -1 ? -1 : 0);
  }
  if (!strcmp(op, "old-mmap-rw")) {
    unsigned long args[6] = { 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, (unsigned long)-1, 0 };
    long r = syscall(SYS_mmap, args);
    return report(r == -1 ? -1 : 0);
  }
#endif
#ifdef SYS_socketcall
  if (argc == 4 && (!strcmp(op, "connect-socketcall") || !strcmp(op, "sendmsg-socketcall"))) {
    int tcp = op[0] == 'c';
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) };
    inet_pton(AF_INET, argv[2], &sin.sin_addr);
    unsigned long sargs[3] = { AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0 };
    long fd = socketcall(SYS_SOCKET, sargs);
    if (fd < 0) return report(fd);
    if (tcp) {
      unsigned long cargs[3] = { fd, (unsigned long)&sin, sizeof sin };
      return report(socketcall(SYS_CONNECT, cargs));
    }
    char byte = 'x';
    struct iovec iov = { &byte, 1 };
    struct msghdr msg = { .msg_name = &sin, .msg_namelen = sizeof sin, .msg_iov = &iov, .msg_iovlen = 1 };
    unsigned long margs[3] = { fd, (unsigned long)&msg, 0 };
    return report(socketcall(SYS_SENDMSG, margs));
  }
  if (argc == 4 && (!strcmp(op, "sendmmsg-socketcall") || !strcmp(op, "sendmmsg"))) {
    /* Entry 1 is found only if the vector's stride is the 32-bit one. */
    struct sockaddr_in sin[2] = { { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3]) + 1) },
                                  { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) } };
    for (int i = 0; i < 2; i++) inet_pton(AF_INET, argv[2], &sin[i].sin_addr);
    char byte = 'x';
    struct iovec iov = { &byte, 1 };
    struct mmsghdr vec[2] = { { .msg_hdr = { .msg_name = &sin[0], .msg_namelen = sizeof sin[0], .msg_iov = &iov, .msg_iovlen = 1 } },
                              { .msg_hdr = { .msg_name = &sin[1], .msg_namelen = sizeof sin[1], .msg_iov = &iov, .msg_iovlen = 1 } } };
    _Static_assert(sizeof vec[0] == 32, "the i386 struct mmsghdr is 32 bytes");
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return report(fd);
    if (!strcmp(op, "sendmmsg")) return report(syscall(SYS_sendmmsg, fd, vec, 2, 0));
    unsigned long margs[4] = { fd, (unsigned long)vec, 2, 0 };
    return report(socketcall(SYS_SENDMMSG, margs));
  }
#endif
#ifdef __x86_64__
  const long X32 = 0x40000000;
  if (!strcmp(op, "x32-create") && argc == 3) return report(syscall(X32 | SYS_openat, AT_FDCWD, argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!strcmp(op, "x32-sendmsg") && argc == 4) {
    /* x32 user memory lives below 4 GiB: the compat msghdr holds 32-bit pointers. */
    char *low = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) return report(-1);
    struct sockaddr_in *sin = (struct sockaddr_in *)(low + 256);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(atoi(argv[3]));
    inet_pton(AF_INET, argv[2], &sin->sin_addr);
    struct { uint32_t name, namelen, iov, iovlen, control, controllen, flags; } *msg = (void *)low;
    uint32_t *iov = (uint32_t *)(low + 512);
    iov[0] = (uint32_t)(uintptr_t)(low + 1024);
    iov[1] = 1;
    *msg = (typeof(*msg)){ (uint32_t)(uintptr_t)sin, sizeof *sin, (uint32_t)(uintptr_t)iov, 1, 0, 0, 0 };
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return report(fd);
    return report(syscall(X32 | 518 /* x32 sendmsg */, fd, msg, 0));
  }
  if (!strcmp(op, "x32-sendmmsg") && argc == 4) {
    char *low = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) return report(-1);
    struct sockaddr_in *sin = (struct sockaddr_in *)(low + 256);
    for (int i = 0; i < 2; i++) {
      sin[i] = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(atoi(argv[3]) + 1 - i) };
      inet_pton(AF_INET, argv[2], &sin[i].sin_addr);
    }
    uint32_t *iov = (uint32_t *)(low + 512);
    iov[0] = (uint32_t)(uintptr_t)(low + 1024);
    iov[1] = 1;
    /* struct compat_mmsghdr: a compat msghdr (7 words) and msg_len, 32 bytes. */
    struct { uint32_t name, namelen, iov, iovlen, control, controllen, flags, len; } *vec = (void *)low;
    for (int i = 0; i < 2; i++) vec[i] = (typeof(vec[i])){ (uint32_t)(uintptr_t)&sin[i], sizeof *sin, (uint32_t)(uintptr_t)iov, 1, 0, 0, 0, 0 };
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return report(fd);
    return report(syscall(X32 | 538 /* x32 sendmmsg */, fd, vec, 2, 0));
  }
#endif
  return 2;
}
