/* fdflags PATH FLAGS [MODE]: opens PATH with FLAGS (a number), prints the fd's close-on-exec
 * bit and status flags as `cloexec=B nonblock=B append=B accmode=N`, or the errno's name. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int fd = open(argv[1], (int)strtol(argv[2], 0, 0), argc > 3 ? (int)strtol(argv[3], 0, 8) : 0);
  if (fd < 0) { printf("%s\n", strerrorname_np(errno)); return 0; }
  int fdf = fcntl(fd, F_GETFD), fl = fcntl(fd, F_GETFL);
  printf("cloexec=%d nonblock=%d append=%d accmode=%d\n", !!(fdf & FD_CLOEXEC), !!(fl & O_NONBLOCK), !!(fl & O_APPEND), fl & O_ACCMODE);
  return 0;
}
