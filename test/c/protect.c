/* Tries each syscall that attacks a supervisor; prints "name errno" per line
 * (0 when the call succeeded). usage: protect SUPERVISOR_PID */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static void report(const char *name, long r) { printf("%s %d\n", name, r < 0 ? errno : 0); }

int main(int argc, char **argv) {
  pid_t sup = argc > 1 ? atoi(argv[1]) : getppid();
  char buf[16] = {0};
  struct iovec l = { buf, sizeof buf }, r = { buf, sizeof buf };
  report("ptrace", syscall(SYS_ptrace, PTRACE_ATTACH, sup, 0, 0));
  report("process_vm_writev", syscall(SYS_process_vm_writev, sup, &l, 1, &r, 1, 0));
  report("process_vm_readv", syscall(SYS_process_vm_readv, sup, &l, 1, &r, 1, 0));
  report("kcmp", syscall(SYS_kcmp, getpid(), sup, 0, 0, 0));
  char params[120] = {0};
  long fd = syscall(SYS_io_uring_setup, 1, params);
  report("io_uring_setup", fd);
  if (fd >= 0) close(fd);
  report("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, buf, O_RDONLY));
  fd = syscall(SYS_userfaultfd, 0);
  report("userfaultfd", fd);
  if (fd >= 0) close(fd);
  long pidfd = syscall(SYS_pidfd_open, sup, 0);
  report("pidfd_open", pidfd);
  report("pidfd_getfd", pidfd < 0 ? pidfd : syscall(SYS_pidfd_getfd, pidfd, 0, 0));
  return 0;
}
