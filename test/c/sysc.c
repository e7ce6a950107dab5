/*
 * sysc NAME ARGS...: performs exactly one raw syscall, syscall(SYS_NAME, ...),
 * and prints `ok` or the errno's name (EPERM, EACCES...), then exits 0.
 * Exits 2 for a usage error, 3 when this architecture lacks the syscall
 * (printing `nosys`).
 *
 * Argument kinds, by letter in each syscall's signature:
 *   p  path: `\xNN` escapes are decoded (non-UTF-8 names, newlines); `NULL` is a NULL pointer
 *   d  dirfd: `cwd` is AT_FDCWD, a number is that fd, anything else is a directory
 *      opened here first with O_PATH|O_DIRECTORY
 *   i  integer: decimal, 0x/0 prefixed, or symbolic names joined by `|` (O_CREAT|O_WRONLY)
 *   s  plain string (xattr name, fstype)
 *   n  a NULL pointer (consumes no argument)
 *   H  openat2's struct open_how: consumes FLAGS and RESOLVE, passes (&how, sizeof how)
 *   V  xattr value: consumes one string, passes (ptr, len)
 *   B  a 4096-byte buffer: passes (ptr, 4096)
 *   A  argv: the rest of the arguments, argv[0] being the last path argument
 *   E  environ
 * For execve and execveat the program's own output is the result.
 * `sysc xattrs PATH` lists PATH's xattr names (a helper, not a table syscall).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

extern char **environ;

struct call { const char *name; long nr; const char *sig; };

#define C(n, sig) { #n, SYS_##n, sig }
#define NOSYS(n, sig) { #n, -1, sig }

static const struct call CALLS[] = {
#ifdef SYS_open
  C(open, "pii"),
#else
  NOSYS(open, "pii"),
#endif
  C(openat, "dpii"),
  C(openat2, "dpH"),
#ifdef SYS_creat
  C(creat, "pi"),
#else
  NOSYS(creat, "pi"),
#endif
#ifdef SYS_access
  C(access, "pi"),
#else
  NOSYS(access, "pi"),
#endif
  C(faccessat, "dpi"),
#ifdef SYS_faccessat2
  C(faccessat2, "dpii"),
#else
  { "faccessat2", 439, "dpii" },
#endif
  C(listxattr, "pB"),
  C(llistxattr, "pB"),
#ifdef SYS_chmod
  C(chmod, "pi"),
#else
  NOSYS(chmod, "pi"),
#endif
  C(fchmodat, "dpi"),
#ifdef SYS_fchmodat2
  C(fchmodat2, "dpii"),
#else
  { "fchmodat2", 452, "dpii" },
#endif
#ifdef SYS_chown
  C(chown, "pii"),
#else
  NOSYS(chown, "pii"),
#endif
#ifdef SYS_chown32
  C(chown32, "pii"),
#else
  NOSYS(chown32, "pii"),
#endif
#ifdef SYS_lchown
  C(lchown, "pii"),
#else
  NOSYS(lchown, "pii"),
#endif
#ifdef SYS_lchown32
  C(lchown32, "pii"),
#else
  NOSYS(lchown32, "pii"),
#endif
  C(fchownat, "dpiii"),
#ifdef SYS_mkdir
  C(mkdir, "pi"),
#else
  NOSYS(mkdir, "pi"),
#endif
  C(mkdirat, "dpi"),
#ifdef SYS_mknod
  C(mknod, "pii"),
#else
  NOSYS(mknod, "pii"),
#endif
  C(mknodat, "dpii"),
#ifdef SYS_rmdir
  C(rmdir, "p"),
#else
  NOSYS(rmdir, "p"),
#endif
  C(truncate, "pi"),
#ifdef SYS_truncate64
  C(truncate64, "pi"),
#else
  NOSYS(truncate64, "pi"),
#endif
#ifdef SYS_utime
  C(utime, "pn"),
#else
  NOSYS(utime, "pn"),
#endif
#ifdef SYS_utimes
  C(utimes, "pn"),
#else
  NOSYS(utimes, "pn"),
#endif
  C(utimensat, "dpni"),
#ifdef SYS_futimesat
  C(futimesat, "dpn"),
#else
  NOSYS(futimesat, "dpn"),
#endif
#ifdef SYS_unlink
  C(unlink, "p"),
#else
  NOSYS(unlink, "p"),
#endif
  C(unlinkat, "dpi"),
#ifdef SYS_link
  C(link, "pp"),
#else
  NOSYS(link, "pp"),
#endif
  C(linkat, "dpdpi"),
#ifdef SYS_rename
  C(rename, "pp"),
#else
  NOSYS(rename, "pp"),
#endif
#ifdef SYS_renameat
  C(renameat, "dpdp"),
#else
  NOSYS(renameat, "dpdp"),
#endif
  C(renameat2, "dpdpi"),
#ifdef SYS_symlink
  C(symlink, "pp"),
#else
  NOSYS(symlink, "pp"),
#endif
  C(symlinkat, "pdp"),
  C(setxattr, "psVi"),
  C(lsetxattr, "psVi"),
  C(removexattr, "ps"),
  C(lremovexattr, "ps"),
  C(mount, "ppsin"),
#ifdef SYS_umount
  C(umount, "p"),
#else
  NOSYS(umount, "p"),
#endif
  C(umount2, "pi"),
  C(execve, "pAE"),
  C(execveat, "dpAEi"),
#ifdef SYS_stat
  C(stat, "pB"),
#else
  NOSYS(stat, "pB"),
#endif
  C(newfstatat, "dpBi"),
  C(getcwd, "B"),
  C(chdir, "p"),
};

struct sym { const char *name; long value; };
static const struct sym SYMS[] = {
  { "O_RDONLY", O_RDONLY }, { "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR }, { "O_CREAT", O_CREAT },
  { "O_EXCL", O_EXCL }, { "O_TRUNC", O_TRUNC }, { "O_APPEND", O_APPEND }, { "O_NOFOLLOW", O_NOFOLLOW },
  { "O_DIRECTORY", O_DIRECTORY }, { "O_TMPFILE", O_TMPFILE }, { "O_PATH", O_PATH }, { "O_CLOEXEC", O_CLOEXEC },
  { "AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW }, { "AT_SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW },
  { "AT_EMPTY_PATH", AT_EMPTY_PATH }, { "AT_REMOVEDIR", AT_REMOVEDIR }, { "AT_EACCESS", AT_EACCESS },
  { "F_OK", F_OK }, { "R_OK", R_OK }, { "W_OK", W_OK }, { "X_OK", X_OK },
  { "S_IFREG", S_IFREG }, { "S_IFIFO", S_IFIFO },
  { "RESOLVE_BENEATH", RESOLVE_BENEATH }, { "RESOLVE_IN_ROOT", RESOLVE_IN_ROOT },
  { "RESOLVE_NO_SYMLINKS", RESOLVE_NO_SYMLINKS }, { "RESOLVE_NO_MAGICLINKS", RESOLVE_NO_MAGICLINKS },
  { "RESOLVE_NO_XDEV", RESOLVE_NO_XDEV },
  { "RENAME_NOREPLACE", RENAME_NOREPLACE }, { "RENAME_EXCHANGE", RENAME_EXCHANGE },
  { "MS_BIND", MS_BIND }, { "MS_REC", MS_REC }, { "MNT_DETACH", MNT_DETACH }, { "UMOUNT_NOFOLLOW", UMOUNT_NOFOLLOW },
  { "XATTR_CREATE", XATTR_CREATE }, { "XATTR_REPLACE", XATTR_REPLACE },
};

static void usage(const char *msg) {
  fprintf(stderr, "sysc: %s\n", msg);
  exit(2);
}

static long parse_int(const char *s) {
  long v = 0;
  char *copy = strdup(s), *save = NULL;
  for (char *tok = strtok_r(copy, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
    char *end;
    long n = strtol(tok, &end, 0);
    if (*tok && !*end) { v |= n; continue; }
    size_t i;
    for (i = 0; i < sizeof SYMS / sizeof *SYMS; i++)
      if (!strcmp(SYMS[i].name, tok)) { v |= SYMS[i].value; break; }
    if (i == sizeof SYMS / sizeof *SYMS) usage("unknown constant");
  }
  free(copy);
  return v;
}

/* Decodes \xNN escapes in place; `\\` is a backslash. */
static char *decode(char *s) {
  if (!strcmp(s, "NULL")) return NULL;
  char *out = s, *in = s;
  while (*in) {
    if (in[0] == '\\' && in[1] == 'x' && in[2] && in[3]) {
      char hex[3] = { in[2], in[3], 0 };
      *out++ = (char)strtol(hex, NULL, 16);
      in += 4;
    } else if (in[0] == '\\' && in[1] == '\\') {
      *out++ = '\\';
      in += 2;
    } else {
      *out++ = *in++;
    }
  }
  *out = 0;
  return s;
}

static long dirfd_of(const char *s) {
  if (!strcmp(s, "cwd")) return AT_FDCWD;
  char *end;
  long n = strtol(s, &end, 10);
  if (*s && !*end) return n;
  char *copy = decode(strdup(s));
  int fd = open(copy, O_PATH | O_DIRECTORY);
  if (fd < 0) { printf("dirfd:%s\n", strerrorname_np(errno)); exit(0); }
  return fd;
}

int main(int argc, char **argv) {
  if (argc < 2) usage("usage: sysc NAME ARGS...");
  if (!strcmp(argv[1], "xattrs") && argc == 3) {
    /* Not a table syscall: lists a file's xattr names (for checking from outside the sandbox). */
    char names[4096];
    ssize_t n = llistxattr(decode(argv[2]), names, sizeof names);
    if (n < 0) { printf("%s\n", strerrorname_np(errno)); return 0; }
    for (ssize_t i = 0; i < n; i += strlen(names + i) + 1) printf("%s%s", i ? "," : "", names + i);
    printf("\n");
    return 0;
  }
  const struct call *c = NULL;
  for (size_t i = 0; i < sizeof CALLS / sizeof *CALLS; i++)
    if (!strcmp(CALLS[i].name, argv[1])) c = &CALLS[i];
  if (!c) usage("unknown syscall");
  if (c->nr < 0) { printf("nosys\n"); return 3; }

  long a[6] = { 0 };
  int na = 0, ai = 2;
  static struct open_how how;
  static char buf[4096];
  const char *lastpath = NULL;
  for (const char *k = c->sig; *k; k++) {
    if (na >= 6) usage("too many arguments");
    if (strchr("pdisHV", *k) && ai >= argc) usage("missing argument");
    switch (*k) {
    case 'p': { char *p = decode(argv[ai++]); lastpath = p; a[na++] = (long)p; break; }
    case 'd': a[na++] = dirfd_of(argv[ai++]); break;
    case 'i': a[na++] = parse_int(argv[ai++]); break;
    case 's': a[na++] = (long)argv[ai++]; break;
    case 'n': a[na++] = 0; break;
    case 'H':
      how.flags = (uint64_t)parse_int(argv[ai++]);
      if (ai >= argc) usage("missing RESOLVE");
      how.resolve = (uint64_t)parse_int(argv[ai++]);
      how.mode = how.flags & (O_CREAT | O_TMPFILE) ? 0644 : 0;
      a[na++] = (long)&how;
      a[na++] = sizeof how;
      break;
    case 'V': a[na++] = (long)argv[ai]; a[na++] = (long)strlen(argv[ai]); ai++; break;
    case 'B': a[na++] = (long)buf; a[na++] = sizeof buf; break;
    case 'A': {
      /* execveat: the flags come after the path, before the program's arguments. */
      int flagsAfter = strchr(k, 'i') != NULL;
      long flags = 0;
      if (flagsAfter) { if (ai >= argc) usage("missing FLAGS"); flags = parse_int(argv[ai++]); }
      int n = argc - ai;
      char **v = calloc(n + 2, sizeof *v);
      v[0] = (char *)(lastpath && *lastpath ? lastpath : "prog");
      for (int j = 0; j < n; j++) v[j + 1] = argv[ai + j];
      ai = argc;
      a[na++] = (long)v;
      a[na++] = (long)environ;
      a[na++] = flags;
      k += flagsAfter ? 2 : 1; /* consumed E (and i) */
      break;
    }
    default: usage("bad signature");
    }
  }
  if (ai != argc) usage("too many arguments");
  fflush(stdout);
  long r = syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  if (r < 0) printf("%s\n", strerrorname_np(errno));
  else printf("ok\n");
  return 0;
}
