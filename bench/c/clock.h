// The bench load programs' clock: seconds on CLOCK_MONOTONIC, as a double.
#ifndef SYDBOX_BENCH_CLOCK_H
#define SYDBOX_BENCH_CLOCK_H
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}
#endif
