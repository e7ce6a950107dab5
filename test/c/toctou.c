/*
 * Check-then-CONTINUE races on tracee memory (test/escape/toctou.test.ts). A second thread
 * rewrites what the call reads while the main thread calls it; the main thread stops at
 * the first success of the attack, printing `bypass ATTEMPTS` (exit 1), or after SECONDS
 * prints `held ATTEMPTS DONE` (DONE: calls that succeeded, to show the loop did real work).
 *
 *   toctou xattr DIR SECONDS     setxattr(PATH, "user.race") where PATH flips between
 *                                DIR/ok/f and DIR/no/f (both exist); the attack wins when
 *                                DIR/no/f has user.race
 *   toctou openat2 DIR SECONDS   openat2(DIR/no/race) whose open_how.flags flip between
 *                                O_RDONLY and O_WRONLY|O_CREAT; wins when DIR/no/race exists
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static char buf[4096], okp[2048], nop[2048];
static struct open_how how;
static atomic_int stop;
static int kind_openat2;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void *flipper(void *unused) {
  (void)unused;
  unsigned long n = 0;
  size_t len = strlen(okp) + 1;
  volatile unsigned long long *flags = &how.flags;
  while (!stop) {
    // Varying delays, so that some flip lands between the supervisor's read and the kernel's.
    if (kind_openat2) *flags = O_WRONLY | O_CREAT | O_CLOEXEC; else memcpy(buf, nop, len);
    __asm__ volatile("" ::: "memory");
    for (volatile unsigned long i = 0; i < 200 + (n * 37) % 1500; i++);
    if (kind_openat2) *flags = O_RDONLY | O_CLOEXEC; else memcpy(buf, okp, len);
    __asm__ volatile("" ::: "memory");
    for (volatile unsigned long i = 0; i < 200 + (n++ * 53) % 3000; i++);
  }
  return NULL;
}

static int won(void) {
  if (kind_openat2) return access(nop, F_OK) == 0;
  char v[8];
  return getxattr(nop, "user.race", v, sizeof v) >= 0;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: toctou xattr|openat2 DIR SECONDS\n"); return 2; }
  kind_openat2 = strcmp(argv[1], "openat2") == 0;
  const char *dir = argv[2];
  double seconds = atof(argv[3]);
  snprintf(okp, sizeof okp, "%s/ok/f", dir);
  snprintf(nop, sizeof nop, "%s/no/%s", dir, kind_openat2 ? "race" : "f");
  strcpy(buf, kind_openat2 ? nop : okp);
  how.flags = O_RDONLY | O_CLOEXEC;
  how.mode = 0644;
  pthread_t t;
  if (pthread_create(&t, NULL, flipper, NULL) != 0) { perror("pthread_create"); return 2; }
  double end = now() + seconds;
  long attempts = 0, done = 0;
  int bypass = 0;
  while (now() < end) {
    attempts++;
    if (kind_openat2) {
      long fd = syscall(SYS_openat2, AT_FDCWD, buf, &how, sizeof how);
      if (fd >= 0) { done++; close(fd); }
    } else if (setxattr(buf, "user.race", "1", 1, 0) == 0) {
      done++;
    }
    if (won()) { bypass = 1; break; }
  }
  stop = 1;
  pthread_join(t, NULL);
  if (bypass) { printf("bypass %ld\n", attempts); return 1; }
  printf("held %ld %ld\n", attempts, done);
  return 0;
}
