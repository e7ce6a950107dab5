/*
 * ioctls that change a file, a directory's entries or a filesystem through a read-only
 * descriptor (test/escape/fs-ioctls.test.ts). Each prints "name errno" (0: it succeeded).
 *
 *   fsioctl file FILE         on FILE opened O_RDONLY: FS_IOC_ENABLE_VERITY (sha256)
 *   fsioctl fs DIR LABEL      on DIR opened O_RDONLY: FS_IOC_SETFSLABEL, FIFREEZE (then FITHAW)
 *   fsioctl btrfs DIR NAME SRC   on DIR opened O_RDONLY: BTRFS_IOC_SUBVOL_CREATE of DIR/NAME.sub,
 *                             BTRFS_IOC_SNAP_CREATE_V2 of DIR/NAME.snap (a snapshot of subvolume SRC),
 *                             BTRFS_IOC_SNAP_DESTROY of DIR/NAME.old
 *   fsioctl show FILE         prints "verity=0|1 generation=N label=L" for FILE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/fs.h>
#include <linux/fsverity.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void report(const char *name, long r) { printf("%s %d\n", name, r < 0 ? errno : 0); fflush(stdout); }

static int ro(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) { perror(path); _exit(2); }
  return fd;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "file") == 0) {
    int fd = ro(argv[2]);
    struct fsverity_enable_arg v = { .version = 1, .hash_algorithm = FS_VERITY_HASH_ALG_SHA256, .block_size = 4096 };
    report("FS_IOC_ENABLE_VERITY", ioctl(fd, FS_IOC_ENABLE_VERITY, &v));
    return 0;
  }
  if (argc == 4 && strcmp(argv[1], "fs") == 0) {
    int fd = ro(argv[2]);
    char label[FSLABEL_MAX] = "";
    strncpy(label, argv[3], sizeof label - 1);
    report("FS_IOC_SETFSLABEL", ioctl(fd, FS_IOC_SETFSLABEL, label));
    int r = ioctl(fd, FIFREEZE, 0);
    report("FIFREEZE", r);
    if (r == 0) ioctl(fd, FITHAW, 0);
    return 0;
  }
  if (argc == 5 && strcmp(argv[1], "btrfs") == 0) {
    int fd = ro(argv[2]), src = ro(argv[4]);
    struct btrfs_ioctl_vol_args a;
    memset(&a, 0, sizeof a);
    snprintf(a.name, sizeof a.name, "%s.sub", argv[3]);
    report("BTRFS_IOC_SUBVOL_CREATE", ioctl(fd, BTRFS_IOC_SUBVOL_CREATE, &a));
    struct btrfs_ioctl_vol_args_v2 s;
    memset(&s, 0, sizeof s);
    s.fd = src;
    snprintf(s.name, sizeof s.name, "%s.snap", argv[3]);
    report("BTRFS_IOC_SNAP_CREATE_V2", ioctl(fd, BTRFS_IOC_SNAP_CREATE_V2, &s));
    memset(&a, 0, sizeof a);
    snprintf(a.name, sizeof a.name, "%s.old", argv[3]);
    report("BTRFS_IOC_SNAP_DESTROY", ioctl(fd, BTRFS_IOC_SNAP_DESTROY, &a));
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "show") == 0) {
    int fd = ro(argv[2]), flags = 0, gen = -1;
    char label[FSLABEL_MAX] = "";
    ioctl(fd, FS_IOC_GETFLAGS, &flags);
    ioctl(fd, FS_IOC_GETVERSION, &gen);
    ioctl(fd, FS_IOC_GETFSLABEL, label);
    printf("verity=%d generation=%d label=%s\n", !!(flags & FS_VERITY_FL), gen, label);
    return 0;
  }
  fprintf(stderr, "usage: fsioctl file FILE | fs DIR LABEL | btrfs DIR NAME SRC | show FILE\n");
  return 2;
}
