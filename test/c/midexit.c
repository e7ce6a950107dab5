/* Tracees that vanish while the supervisor handles their calls. Each round
 * forks a child whose 4 threads loop on a notified call with a long path (so
 * the supervisor spends time reading the tracee's memory); after a short delay
 * that varies by round the child ends in one of three ways:
 *   round % 3 == 0: its main thread calls exit_group(7) (threads die mid-call);
 *   round % 3 == 1: its main thread SIGKILLs its own process;
 *   round % 3 == 2: the parent SIGKILLs it from outside.
 * The parent checks each child's wait status. It prints "started" before the
 * rounds and "finished" after them, then waits for one byte on stdin (so that
 * a test can look at the supervisor in between), then makes one more notified
 * call, which must still be answered (ENOENT), and exits 0; 1 on any mismatch.
 * usage: midexit ROUNDS */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char path[3000];

static void *hammer(void *arg) {
  (void)arg;
  for (;;) syscall(SYS_mknodat, AT_FDCWD, path, S_IFREG | 0600, 0);
  return NULL;
}

static int check_alive(void) {
  long r = syscall(SYS_mknodat, AT_FDCWD, "/nonexistent-sydbox-midexit/x", S_IFREG | 0600, 0);
  return r == -1 && errno == ENOENT;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 100;
  /* /nonexistent-sydbox-midexit/aaaa/aaaa/...: long, and it cannot exist. */
  strcpy(path, "/nonexistent-sydbox-midexit");
  for (size_t n = strlen(path); n + 5 < sizeof path; n += 5) strcat(path, "/aaaa");
  if (!check_alive()) return 1;
  printf("started\n");
  fflush(stdout);
  for (int r = 0; r < rounds; r++) {
    int delay = (r * 37) % 400; /* µs */
    pid_t c = fork();
    if (c < 0) return 1;
    if (c == 0) {
      pthread_t t;
      for (int i = 0; i < 4; i++) pthread_create(&t, NULL, hammer, NULL);
      usleep(delay);
      if (r % 3 == 0) syscall(SYS_exit_group, 7);
      if (r % 3 == 1) kill(getpid(), SIGKILL);
      hammer(NULL);
    }
    if (r % 3 == 2) { usleep(delay); kill(c, SIGKILL); }
    int st;
    if (waitpid(c, &st, 0) != c) return 1;
    int ok = r % 3 == 0 ? WIFEXITED(st) && WEXITSTATUS(st) == 7 : WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
    if (!ok) { fprintf(stderr, "midexit: round %d: wait status %#x\n", r, st); return 1; }
  }
  printf("finished\n");
  fflush(stdout);
  char b;
  if (read(0, &b, 1) != 1) return 1;
  return check_alive() ? 0 : 1;
}
