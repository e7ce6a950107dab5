/* The kernel ABI constants ffi/constants.ts holds, as this machine's uapi headers define
 * them: one "NAME value" line each (decimal), compared by test/ffi/abi.test.ts. Only
 * <linux/...> and <asm/...> headers: the kernel's values, not the C library's (glibc
 * defines O_LARGEFILE as 0 on 64-bit machines, the kernel does not). */
#include <stdio.h>
#include <stddef.h>
#include <asm/fcntl.h>
#include <linux/audit.h>
#include <linux/bpf_common.h>
#include <linux/fcntl.h>
#include <linux/openat2.h>
#include <linux/ioctl.h>
#include <linux/seccomp.h>
#include <linux/stat.h>
#include <sys/stat.h> /* S_IF*: <linux/stat.h> leaves them to the C library */

#define P(name, value) printf("%s %lld\n", name, (long long)(value))

int main(void) {
  P("O_DIRECT", O_DIRECT); P("O_LARGEFILE", O_LARGEFILE); P("O_DIRECTORY", O_DIRECTORY);
  P("O_NOFOLLOW", O_NOFOLLOW); P("O_TMPFILE", O_TMPFILE); P("O_TMPFILE_BIT", __O_TMPFILE);
  P("O_CREAT", O_CREAT); P("O_EXCL", O_EXCL); P("O_NOCTTY", O_NOCTTY); P("O_TRUNC", O_TRUNC);
  P("O_APPEND", O_APPEND); P("O_NONBLOCK", O_NONBLOCK); P("O_CLOEXEC", O_CLOEXEC); P("O_PATH", O_PATH);
  P("AT_FDCWD", AT_FDCWD); P("AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW); P("AT_REMOVEDIR", AT_REMOVEDIR);
  P("AT_SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW); P("AT_EMPTY_PATH", AT_EMPTY_PATH); P("AT_STATX_DONT_SYNC", AT_STATX_DONT_SYNC);
  P("STATX_BASIC_STATS", STATX_BASIC_STATS);
  P("S_IFMT", S_IFMT); P("S_IFDIR", S_IFDIR); P("S_IFCHR", S_IFCHR); P("S_IFBLK", S_IFBLK); P("S_IFIFO", S_IFIFO); P("S_IFLNK", S_IFLNK);
  P("RESOLVE.NO_XDEV", RESOLVE_NO_XDEV); P("RESOLVE.NO_MAGICLINKS", RESOLVE_NO_MAGICLINKS);
  P("RESOLVE.NO_SYMLINKS", RESOLVE_NO_SYMLINKS); P("RESOLVE.BENEATH", RESOLVE_BENEATH);
  P("RESOLVE.IN_ROOT", RESOLVE_IN_ROOT); P("RESOLVE.CACHED", RESOLVE_CACHED);
  P("AUDIT_ARCH.X86_64", AUDIT_ARCH_X86_64); P("AUDIT_ARCH.I386", AUDIT_ARCH_I386);
  P("AUDIT_ARCH.AARCH64", AUDIT_ARCH_AARCH64); P("AUDIT_ARCH.S390", AUDIT_ARCH_S390);
  P("AUDIT_ARCH.S390X", AUDIT_ARCH_S390X); P("AUDIT_ARCH_64BIT", __AUDIT_ARCH_64BIT);
  P("NOTIF_IOCTL.RECV", SECCOMP_IOCTL_NOTIF_RECV); P("NOTIF_IOCTL.SEND", SECCOMP_IOCTL_NOTIF_SEND);
  P("NOTIF_IOCTL.ID_VALID", SECCOMP_IOCTL_NOTIF_ID_VALID); P("NOTIF_IOCTL.ADDFD", SECCOMP_IOCTL_NOTIF_ADDFD);
  P("NOTIF_LAYOUT.NOTIF_SIZE", sizeof(struct seccomp_notif));
  P("NOTIF_LAYOUT.OFF_ID", offsetof(struct seccomp_notif, id)); P("NOTIF_LAYOUT.OFF_PID", offsetof(struct seccomp_notif, pid));
  P("NOTIF_LAYOUT.OFF_NR", offsetof(struct seccomp_notif, data.nr)); P("NOTIF_LAYOUT.OFF_ARCH", offsetof(struct seccomp_notif, data.arch));
  P("NOTIF_LAYOUT.OFF_ARGS", offsetof(struct seccomp_notif, data.args));
  P("NOTIF_LAYOUT.RESP_SIZE", sizeof(struct seccomp_notif_resp));
  P("NOTIF_LAYOUT.RESP_OFF_ID", offsetof(struct seccomp_notif_resp, id)); P("NOTIF_LAYOUT.RESP_OFF_VAL", offsetof(struct seccomp_notif_resp, val));
  P("NOTIF_LAYOUT.RESP_OFF_ERROR", offsetof(struct seccomp_notif_resp, error)); P("NOTIF_LAYOUT.RESP_OFF_FLAGS", offsetof(struct seccomp_notif_resp, flags));
  P("NOTIF_LAYOUT.ADDFD_SIZE", sizeof(struct seccomp_notif_addfd));
  P("NOTIF_LAYOUT.ADDFD_OFF_ID", offsetof(struct seccomp_notif_addfd, id)); P("NOTIF_LAYOUT.ADDFD_OFF_FLAGS", offsetof(struct seccomp_notif_addfd, flags));
  P("NOTIF_LAYOUT.ADDFD_OFF_SRCFD", offsetof(struct seccomp_notif_addfd, srcfd)); P("NOTIF_LAYOUT.ADDFD_OFF_NEWFD", offsetof(struct seccomp_notif_addfd, newfd));
  P("NOTIF_LAYOUT.ADDFD_OFF_NEWFD_FLAGS", offsetof(struct seccomp_notif_addfd, newfd_flags));
  P("BPF.LD_W_ABS", BPF_LD | BPF_W | BPF_ABS); P("BPF.JEQ_K", BPF_JMP | BPF_JEQ | BPF_K); P("BPF.JGE_K", BPF_JMP | BPF_JGE | BPF_K);
  P("BPF.JA", BPF_JMP | BPF_JA); P("BPF.RET_K", BPF_RET | BPF_K);
  P("SECCOMP_DATA.OFF_NR", offsetof(struct seccomp_data, nr)); P("SECCOMP_DATA.OFF_ARCH", offsetof(struct seccomp_data, arch));
  P("AUDIT_ARCH.X32", AUDIT_ARCH_X86_64 & ~__AUDIT_ARCH_64BIT);
  P("SECCOMP_USER_NOTIF_FLAG_CONTINUE", SECCOMP_USER_NOTIF_FLAG_CONTINUE); P("SECCOMP_ADDFD_FLAG_SEND", SECCOMP_ADDFD_FLAG_SEND);
  P("SECCOMP_FILTER_FLAG_NEW_LISTENER", SECCOMP_FILTER_FLAG_NEW_LISTENER); P("SECCOMP_SET_MODE_FILTER", SECCOMP_SET_MODE_FILTER);
  P("SECCOMP_RET_USER_NOTIF", SECCOMP_RET_USER_NOTIF); P("SECCOMP_GET_ACTION_AVAIL", SECCOMP_GET_ACTION_AVAIL);
  return 0;
}
