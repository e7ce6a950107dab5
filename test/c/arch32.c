/*
 * arch32 OP ARGS...: one syscall through the i386 ABI when built with -m32 (glibc's
 * syscall() enters the kernel through int 0x80 or sysenter, both reported as
 * AUDIT_ARCH_I386), printing `ok` or the errno's name.
 *   create PATH                       open(PATH, O_WRONLY|O_CREAT)
 *   connect-socketcall IP PORT        TCP connect through socketcall(SYS_CONNECT, args)
 *   sendmsg-socketcall IP PORT        UDP sendmsg with msg_name (a 32-bit msghdr) through socketcall
 *   getpid                            a call no sandbox looks at
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/net.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#endif
  return 2;
}
