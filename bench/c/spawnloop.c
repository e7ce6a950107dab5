// Load program and timer: runs CMD N times in sequence (fork + execvp + waitpid).
// As a workload it is the fork/exec storm; as a driver it times sandbox startup
// without the noise of spawning from Bun each time.
// usage: spawnloop [-m] N cmd args...   prints "spawnloop N=<n>: <s> s total, <ms> ms/run"
// -m adds ", min <ms> ms/run": the fastest run, which on a shared machine holds the
// fewest preemptions.
// Exits non-zero if any run fails, so a broken sandbox cannot pass as a fast one.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "clock.h"
#include <unistd.h>


int main(int argc, char **argv) {
  int fastest = argc > 1 && !strcmp(argv[1], "-m");
  if (fastest) { argv++; argc--; }
  if (argc < 3) { fprintf(stderr, "usage: spawnloop [-m] N cmd args...\n"); return 2; }
  long n = atol(argv[1]);
  double t0 = now(), best = 1e9;
  for (long i = 0; i < n; i++) {
    double r0 = now();
    pid_t c = fork();
    if (c < 0) { perror("fork"); return 1; }
    if (c == 0) { execvp(argv[2], argv + 2); perror("execvp"); _exit(127); }
    int st;
    if (waitpid(c, &st, 0) < 0) { perror("waitpid"); return 1; }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      fprintf(stderr, "spawnloop: run %ld of %s failed (status 0x%x)\n", i, argv[2], st);
      return 1;
    }
    if (now() - r0 < best) best = now() - r0;
  }
  double dt = now() - t0;
  if (fastest) printf("spawnloop N=%ld: %.3f s total, %.3f ms/run, min %.3f ms/run\n", n, dt, dt * 1e3 / n, best * 1e3);
  else printf("spawnloop N=%ld: %.3f s total, %.3f ms/run\n", n, dt, dt * 1e3 / n);
  return 0;
}
