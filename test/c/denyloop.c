/*
 * denyloop PATH N: opens PATH for writing N times, expecting every open to be
 * denied. Prints `denied=K other=M` and exits 0 when all N were denied, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  long n = atol(argv[2]), denied = 0, other = 0;
  for (long i = 0; i < n; i++) {
    int fd = open(argv[1], O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) { close(fd); other++; }
    else if (errno == EPERM) denied++;
    else other++;
  }
  printf("denied=%ld other=%ld\n", denied, other);
  return denied == n ? 0 : 1;
}
