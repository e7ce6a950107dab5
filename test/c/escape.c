/*
 * Escape attempts against a path sandbox (test/escape/escape.test.ts). usage: escape NAME DIR
 * where DIR holds ok/ (writable in the sandbox) and no/ (denied). Each attempt prints
 * `NAME RESULT` lines, RESULT being `ok` or the errno's name, and exits 0; `exec-memfd`
 * replaces the process on success (printing through /bin/echo), `int80` dies if the
 * filter kills it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;
static const char *dir;

static void report(const char *name, long r) {
  printf("%s %s\n", name, r < 0 ? strerrorname_np(errno) : "ok");
  fflush(stdout);
}

static char *at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *at(const char *fmt, ...) {
  static char bufs[4][4096];
  static int i;
  char *b = bufs[i++ % 4];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b, 4096, fmt, ap);
  va_end(ap);
  return b;
}

static long creat_at(int dfd, const char *path) {
  long fd = openat(dfd, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) close(fd);
  return fd;
}

/* A denied directory reached through a directory fd, absolutely or by `..`. */
static void dirfd_trick(void) {
  int nofd = open(at("%s/no", dir), O_PATH | O_DIRECTORY);
  int okfd = open(at("%s/ok", dir), O_PATH | O_DIRECTORY);
  report("dirfd-openat", creat_at(nofd, "dirfd1"));
  report("dirfd-dotdot", creat_at(okfd, "../no/dirfd2"));
  report("dirfd-mkdirat", mkdirat(nofd, "dirfd3", 0755));
  report("dirfd-symlinkat", symlinkat("x", nofd, "dirfd4"));
  report("dirfd-renameat", renameat(okfd, "victim", nofd, "dirfd5"));
}

/* The denied directory through /proc magic links. */
static void proc_links(void) {
  int nofd = open(at("%s/no", dir), O_PATH | O_DIRECTORY);
  report("proc-root", creat_at(AT_FDCWD, at("/proc/self/root%s/no/proc1", dir)));
  report("proc-fd", creat_at(AT_FDCWD, at("/proc/self/fd/%d/proc2", nofd)));
  report("proc-thread-self-fd", creat_at(AT_FDCWD, at("/proc/thread-self/fd/%d/proc3", nofd)));
  report("proc-fd-dotdot", creat_at(AT_FDCWD, at("/proc/self/fd/%d/../no/proc4", open(at("%s/ok", dir), O_PATH | O_DIRECTORY))));
  if (chdir(at("%s/no", dir)) == 0) report("proc-cwd", creat_at(AT_FDCWD, "/proc/self/cwd/proc5"));
}

/* A hard link to a denied file, made in the allowed directory. */
static void hardlink(void) {
  report("link", link(at("%s/no/secret", dir), at("%s/ok/hard1", dir)));
  report("linkat-follow", linkat(AT_FDCWD, at("%s/ok/to-secret", dir), AT_FDCWD, at("%s/ok/hard2", dir), AT_SYMLINK_FOLLOW));
  int fd = open(at("%s/no/secret", dir), O_RDONLY); /* reading is not sandboxed here */
  report("linkat-empty-path", linkat(fd, "", AT_FDCWD, at("%s/ok/hard3", dir), AT_EMPTY_PATH));
  report("write-secret", open(at("%s/no/secret", dir), O_WRONLY | O_TRUNC));
}

static long openat2_(int dfd, const char *path, unsigned long long resolve) {
  struct open_how how = { .flags = O_WRONLY | O_CREAT | O_CLOEXEC, .mode = 0644, .resolve = resolve };
  long fd = syscall(SYS_openat2, dfd, path, &how, sizeof how);
  if (fd >= 0) close(fd);
  return fd;
}

/* openat2 scoped lookups: `..` and absolute symlinks stay inside ok/, as the kernel sees them. */
static void resolve_in_root(void) {
  int okfd = open(at("%s/ok", dir), O_PATH | O_DIRECTORY);
  report("in-root-dotdot", openat2_(okfd, "../no/root1", RESOLVE_IN_ROOT));
  report("in-root-absolute", openat2_(okfd, at("%s/no/root2", dir), RESOLVE_IN_ROOT));
  report("in-root-symlink", openat2_(okfd, "evil/root3", RESOLVE_IN_ROOT));
  report("beneath-dotdot", openat2_(okfd, "../no/root4", RESOLVE_BENEATH));
  report("beneath-symlink", openat2_(okfd, "evil/root5", RESOLVE_BENEATH));
}

/* io_uring opens files in a kernel worker, without an openat the filter could see. */
static void uring(void) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  int fd = syscall(SYS_io_uring_setup, 4, &p);
  report("io_uring_setup", fd);
  if (fd < 0) return;
  size_t sqsz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  if (cqsz > sqsz) sqsz = cqsz;
  char *sq = mmap(0, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  char *cq = (p.features & IORING_FEAT_SINGLE_MMAP) ? sq : mmap(0, cqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
  struct io_uring_sqe *sqes = mmap(0, p.sq_entries * sizeof *sqes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
  if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) { report("io_uring-mmap", -1); return; }
  const char *path = at("%s/no/uring", dir);
  struct io_uring_sqe *e = &sqes[0];
  memset(e, 0, sizeof *e);
  e->opcode = IORING_OP_OPENAT;
  e->fd = AT_FDCWD;
  e->addr = (unsigned long)path;
  e->len = 0644;
  e->open_flags = O_WRONLY | O_CREAT;
  unsigned *tail = (unsigned *)(sq + p.sq_off.tail);
  ((unsigned *)(sq + p.sq_off.array))[*tail & *(unsigned *)(sq + p.sq_off.ring_mask)] = 0;
  __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
  long r = syscall(SYS_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0);
  if (r < 0) { report("io_uring_enter", r); return; }
  struct io_uring_cqe *cqe = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
  int res = cqe[*(unsigned *)(cq + p.cq_off.head) & *(unsigned *)(cq + p.cq_off.ring_mask)].res;
  if (res < 0) errno = -res;
  report("io_uring-openat", res);
}

/* An executable held in a memfd, run by fd: no path a list could name but /proc/PID/fd/N. */
static void exec_memfd(void) {
  int src = open("/bin/echo", O_RDONLY);
  int fd = syscall(SYS_memfd_create, "payload", 0);
  if (src < 0 || fd < 0) { report("exec-memfd-setup", -1); return; }
  char b[65536];
  ssize_t n;
  while ((n = read(src, b, sizeof b)) > 0) if (write(fd, b, n) != n) { report("exec-memfd-setup", -1); return; }
  char *argv[] = { "echo", "exec-memfd", "ok", NULL };
  report("exec-memfd", syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH));
}

/* connect with an unreadable or oversized address: the kernel's errnos, never a late read. */
static void badaddr(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET };
  report("connect-unmapped", connect(s, (struct sockaddr *)8, sizeof a));
  report("connect-too-long", connect(s, (struct sockaddr *)&a, 200));
  report("bind-unmapped", bind(s, (struct sockaddr *)8, sizeof a));
}

/* The i386 entry point from a 64-bit process: seccomp sees AUDIT_ARCH_I386. */
static void int80(void) {
  char *b = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  strcpy(b, "int80 returned\n");
  long r;
  /* i386 write(1, b, 15) */
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(4), "b"(1), "c"(b), "d"(15) : "memory");
  printf("int80 result %ld\n", r);
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: escape NAME DIR\n"); return 2; }
  dir = argv[2];
  const char *n = argv[1];
  if (!strcmp(n, "dirfd")) dirfd_trick();
  else if (!strcmp(n, "proc")) proc_links();
  else if (!strcmp(n, "hardlink")) hardlink();
  else if (!strcmp(n, "resolve")) resolve_in_root();
  else if (!strcmp(n, "io_uring")) uring();
  else if (!strcmp(n, "exec-memfd")) exec_memfd();
  else if (!strcmp(n, "int80")) int80();
  else if (!strcmp(n, "badaddr")) badaddr();
  else return 2;
  return 0;
}
