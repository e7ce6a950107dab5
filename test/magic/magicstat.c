/* magicstat KIND PATH...: one stat-family syscall per PATH, made raw (no libc
 * translation), printing "ok MODE MAJOR:MINOR" or "err ERRNO" per line.
 * KIND: stat, lstat, fstatat, statx. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: magicstat stat|lstat|fstatat|statx PATH...\n"); return 2; }
  for (int i = 2; i < argc; i++) {
    long r;
    unsigned mode = 0, maj = 0, min = 0;
    if (!strcmp(argv[1], "statx")) {
      struct statx sx;
      memset(&sx, 0xa5, sizeof sx);
      r = syscall(SYS_statx, AT_FDCWD, argv[i], 0, STATX_BASIC_STATS, &sx);
      if (r == 0) {
        if (!(sx.stx_mask & STATX_TYPE) || !(sx.stx_mask & STATX_MODE)) { printf("badmask %x\n", sx.stx_mask); continue; }
        mode = sx.stx_mode; maj = sx.stx_rdev_major; min = sx.stx_rdev_minor;
      }
    } else {
      struct stat st;
      memset(&st, 0xa5, sizeof st);
#ifdef SYS_stat
      if (!strcmp(argv[1], "stat")) r = syscall(SYS_stat, argv[i], &st);
      else if (!strcmp(argv[1], "lstat")) r = syscall(SYS_lstat, argv[i], &st);
      else
#endif
      r = syscall(SYS_newfstatat, AT_FDCWD, argv[i], &st, 0);
      if (r == 0) { mode = st.st_mode; maj = major(st.st_rdev); min = minor(st.st_rdev); }
    }
    if (r == 0) printf("ok %o %u:%u\n", mode, maj, min);
    else printf("err %d\n", errno);
  }
  return 0;
}
