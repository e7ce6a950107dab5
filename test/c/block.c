/* Blocks in one raw read(2) on stdin, then exits 0: a process that makes no
 * other call, so that it runs even under core/restrict/general:1. */
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  char c;
  syscall(SYS_read, 0, &c, 1);
  return 0;
}
