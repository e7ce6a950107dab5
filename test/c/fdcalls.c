/*
 * Changes a file through a read-only descriptor (test/escape/fd-calls.test.ts): calls that
 * need only ownership of the file, not a writable fd.
 *
 *   fdcalls FILE    opens FILE O_RDONLY and tries fchmod (0600), fchown (to its own owner,
 *                   group 65534), fsetxattr (user.sydbox), fremovexattr (user.gone),
 *                   FS_IOC_SETFLAGS (+d, nodump) and FS_IOC_FSSETXATTR (+A, noatime); prints
 *                   "name errno" per line (0: it succeeded)
 *   fdcalls bind PATH   binds an AF_UNIX socket to PATH, prints "bind errno"
 *   fdcalls prep FILE   sets FILE's user.gone attribute (for fremovexattr to remove)
 *   fdcalls show FILE   prints FILE's mode, group, user.* attributes and the two flags
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

static void report(const char *name, long r) { printf("%s %d\n", name, r < 0 ? errno : 0); fflush(stdout); }

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "bind") == 0) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strncpy(a.sun_path, argv[2], sizeof a.sun_path - 1);
    report("bind", bind(s, (struct sockaddr *)&a, sizeof a));
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "prep") == 0) return setxattr(argv[2], "user.gone", "1", 1, 0) == 0 ? 0 : 1;
  if (argc == 3 && strcmp(argv[1], "show") == 0) {
    int fd = open(argv[2], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) { perror("show"); return 2; }
    char names[256] = "";
    ssize_t n = flistxattr(fd, names, sizeof names);
    for (ssize_t i = 0; i < n; i++) if (names[i] == 0) names[i] = ',';
    int flags = 0;
    ioctl(fd, FS_IOC_GETFLAGS, &flags);
    printf("mode=%o gid=%d xattrs=%.*s nodump=%d noatime=%d\n", st.st_mode & 07777, st.st_gid, n > 0 ? (int)n : 0, names, !!(flags & FS_NODUMP_FL), !!(flags & FS_NOATIME_FL));
    return 0;
  }
  if (argc != 2) { fprintf(stderr, "usage: fdcalls FILE | fdcalls bind PATH\n"); return 2; }
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) { perror("open"); return 2; }
  struct stat st;
  fstat(fd, &st);
  report("fchmod", fchmod(fd, 0600));
  report("fchown", fchown(fd, st.st_uid, 65534));
  report("fsetxattr", fsetxattr(fd, "user.sydbox", "x", 1, 0));
  report("fremovexattr", fremovexattr(fd, "user.gone"));
  int flags = 0;
  ioctl(fd, FS_IOC_GETFLAGS, &flags);
  flags |= FS_NODUMP_FL;
  report("FS_IOC_SETFLAGS", ioctl(fd, FS_IOC_SETFLAGS, &flags));
  struct fsxattr fx;
  memset(&fx, 0, sizeof fx);
  ioctl(fd, FS_IOC_FSGETXATTR, &fx);
  fx.fsx_xflags |= FS_XFLAG_NOATIME;
  report("FS_IOC_FSSETXATTR", ioctl(fd, FS_IOC_FSSETXATTR, &fx));
  return 0;
}
