/*
 * TOCTOU races against a path-checking supervisor (test/escape/race.test.ts).
 *
 *   race buffer DIR SECONDS   one thread flips a path buffer between DIR/ok/race and
 *                             DIR/no/race while the main thread open(O_CREAT)s it
 *   race fifo DIR SECONDS     the same with DIR/ok/fifo (a FIFO, kept open by the test)
 *                             for the allowed path: FIFO opens take another way
 *   race symlink DIR SECONDS  the main thread open(O_CREAT)s DIR/ok/p/race while a
 *                             `race flip` process swaps the symlink DIR/ok/p between
 *                             DIR/ok/a and DIR/no
 *   race bind DIR SECONDS     the main thread binds a unix socket to DIR/ok/p/race (and
 *                             unlinks it again) while `race flip` swaps the directory DIR/ok/p
 *                             with DIR/ok/q, a symlink to ../no
 *   race flip DIR SECONDS     the swapper: renameat2(RENAME_EXCHANGE) of DIR/ok/p and
 *                             DIR/ok/q (symlinks to ok/a and ../no) in a tight loop
 *   race xattr DIR SECONDS    setxattr(PATH, "user.race") while a thread flips PATH between
 *                             DIR/ok/f and DIR/no/f (both exist); wins when DIR/no/f has it
 *   race openat2 DIR SECONDS  openat2(DIR/no/race) while a thread flips its open_how.flags
 *                             between O_RDONLY and O_WRONLY|O_CREAT (test/escape/toctou.test.ts)
 *   race exec DIR SECONDS     vfork + execve(PATH) while a thread (still running in the shared
 *                             memory) flips PATH between DIR/ok/prog and DIR/no/prog; wins when
 *                             the denied program ran (it creates DIR/ok/ran)
 *   race execlink DIR SECONDS vfork + execve(DIR/ok/p/prog) while `race flip` swaps the symlink
 *                             DIR/ok/p between DIR/ok/a and DIR/no; wins as `exec` does
 *   race execfd DIR SECONDS   a child sharing our descriptor table runs execveat(100, "",
 *                             AT_EMPTY_PATH) while a thread dup2()s DIR/ok/prog and DIR/no/prog
 *                             onto fd 100 in turn; wins as `exec` does
 *
 * The openers stop at the first success of the attack (DIR/no/race exists), printing
 * `bypass ATTEMPTS` and exiting 1, or after SECONDS printing `held ATTEMPTS OPENED`
 * (OPENED: opens that succeeded, to show the loop did real work) and exiting 0.
 *
 * The sockaddr race against a network-checking supervisor:
 *
 *   race sendto|sendmsg|sendmmsg|nameless OKPORT NOPORT SECONDS STOPFILE
 *
 * The main thread sends UDP datagrams ("race") to 127.0.0.1:OKPORT, naming the address in
 * sendto's sockaddr, in sendmsg's msg_name, or in the msg_name of a one-entry sendmmsg,
 * while another thread flips the port in that sockaddr between OKPORT and NOPORT. For
 * sendmsg and sendmmsg the flipper also toggles msg_name between the sockaddr and NULL
 * (a nameless msghdr gains an address after the check; the socket is not connected, so
 * a nameless send fails with EDESTADDRREQ). `nameless` is sendmsg with only that flip:
 * msg_name alternates between NULL and NOPORT, never naming the allowed port. The test
 * listens on NOPORT outside the sandbox and creates STOPFILE once a datagram got there;
 * the loop stops then, or after SECONDS, and prints `sent SENT ATTEMPTS` (SENT: sends
 * that succeeded).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static char buf[4096];
static char okp[2048], nop[2048];
static atomic_int stop;
/** What the opener calls: open(O_CREAT), setxattr, or openat2 with flipping flags. */
static enum { OPEN, XATTR, OPENAT2, EXEC, BIND, EXECFD } call;
/** execfd: the descriptor the child execs, and the two files the flipper dup2()s onto it. */
enum { EXEC_FD = 100 };
static int okfd = -1, nofd = -1;
static struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .mode = 0644 };

static struct sockaddr_in sa;
static struct iovec iov = { "race", 4 };
static struct mmsghdr mm;
static unsigned short okport, noport;
static int use_msg, nameless;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void *flipper(void *unused) {
  (void)unused;
  unsigned long n = 0;
  size_t len = strlen(okp) + 1;
  while (!stop) {
    // Varying delays, so that some flip lands between the supervisor's read and the kernel's.
    if (call == OPENAT2) *(volatile __u64 *)&how.flags = O_WRONLY | O_CREAT | O_CLOEXEC;
    else if (call == EXECFD) dup2(nofd, EXEC_FD);
    else memcpy(buf, nop, len);
    __asm__ volatile("" ::: "memory");
    for (volatile unsigned long i = 0; i < 200 + (n * 37) % 1500; i++);
    if (call == OPENAT2) *(volatile __u64 *)&how.flags = O_RDONLY | O_CLOEXEC;
    else if (call == EXECFD) dup2(okfd, EXEC_FD);
    else memcpy(buf, okp, len);
    __asm__ volatile("" ::: "memory");
    for (volatile unsigned long i = 0; i < 200 + (n++ * 53) % 3000; i++);
  }
  return NULL;
}

static char child_stack[64 * 1024] __attribute__((aligned(16)));
/** execfd's child: shares our descriptor table, where the flipper thread goes on running. */
static int fd_child(void *unused) {
  (void)unused;
  char *av[] = { "prog", NULL };
  syscall(SYS_execveat, EXEC_FD, "", av, environ, AT_EMPTY_PATH);
  _exit(127);
}

/** One call of the opener's kind on `path`: did it succeed? */
static int attempt(const char *path) {
  if (call == EXECFD) {
    int st = 0;
    pid_t p = clone(fd_child, child_stack + sizeof child_stack, CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, NULL);
    if (p < 0 || waitpid(p, &st, 0) < 0) return 0;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  if (call == XATTR) return setxattr(path, "user.race", "1", 1, 0) == 0;
  if (call == EXEC) {
    // vfork: the child shares our memory, where the flipper thread goes on running.
    char *av[] = { (char *)path, NULL };
    pid_t p = vfork();
    if (p == 0) { execve(path, av, environ); _exit(127); }
    int st = 0;
    if (p < 0 || waitpid(p, &st, 0) < 0) return 0;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  if (call == BIND) {
    // The last try's socket file goes first (a bind never replaces one).
    unlink(path);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    int r = bind(s, (struct sockaddr *)&a, sizeof a);
    close(s);
    return r == 0;
  }
  long fd = call == OPENAT2 ? syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how) : open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) close(fd);
  return fd >= 0;
}

/** Has the attack landed on `target`? */
static int won(const char *target) {
  char v[8];
  return call == XATTR ? getxattr(target, "user.race", v, sizeof v) >= 0 : access(target, F_OK) == 0;
}

static int opener(const char *path, const char *target, double seconds, int flip_buffer) {
  pthread_t t;
  if (flip_buffer && pthread_create(&t, NULL, flipper, NULL) != 0) { perror("pthread_create"); return 2; }
  double end = now() + seconds;
  long attempts = 0, opened = 0;
  int bypass = 0;
  while (now() < end) {
    attempts++;
    opened += attempt(path);
    if (won(target)) { bypass = 1; break; }
  }
  stop = 1;
  if (flip_buffer) pthread_join(t, NULL);
  if (bypass) { printf("bypass %ld\n", attempts); return 1; }
  printf("held %ld %ld\n", attempts, opened);
  return 0;
}

static void *send_flipper(void *unused) {
  (void)unused;
  unsigned long n = 0;
  volatile unsigned short *port = &sa.sin_port;
  void *volatile *name = &mm.msg_hdr.msg_name;
  while (!stop) {
    // Varying delays, so that some flip lands between the supervisor's read and the kernel's.
    *port = noport;
    if (use_msg && (nameless || (n & 1))) *name = NULL;
    for (volatile unsigned long i = 0; i < 200 + (n * 37) % 1500; i++);
    if (!nameless) *port = okport;
    if (use_msg) *name = &sa;
    for (volatile unsigned long i = 0; i < 200 + (n++ * 53) % 3000; i++);
  }
  return NULL;
}

/* The sockaddr race: see the top of the file. */
static int sender(char **argv) {
  const char *kind = argv[1];
  okport = htons(atoi(argv[2]));
  noport = htons(atoi(argv[3]));
  double seconds = atof(argv[4]);
  const char *stopfile = argv[5];
  use_msg = strcmp(kind, "sendto") != 0;
  nameless = strcmp(kind, "nameless") == 0;
  sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = nameless ? noport : okport };
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  mm.msg_hdr = (struct msghdr){ .msg_name = &sa, .msg_namelen = sizeof sa, .msg_iov = &iov, .msg_iovlen = 1 };

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) { perror("socket"); return 2; }
  pthread_t t;
  if (pthread_create(&t, NULL, send_flipper, NULL) != 0) { perror("pthread_create"); return 2; }
  double end = now() + seconds;
  long attempts = 0, sent = 0;
  while (now() < end) {
    for (int i = 0; i < 256; i++) {
      attempts++;
      long r;
      if (kind[4] == 't') r = sendto(fd, "race", 4, 0, (struct sockaddr *)&sa, sizeof sa);
      else if (nameless || (kind[4] == 'm' && kind[5] == 's')) r = sendmsg(fd, &mm.msg_hdr, 0);
      else r = sendmmsg(fd, &mm, 1, 0);
      if (r > 0) sent++;
    }
    if (access(stopfile, F_OK) == 0) break;
  }
  stop = 1;
  pthread_join(t, NULL);
  printf("sent %ld %ld\n", sent, attempts);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 6) return sender(argv);
  if (argc != 4) { fprintf(stderr, "usage: race buffer|symlink|bind|flip|xattr|openat2|exec|execlink|execfd DIR SECONDS, or race sendto|sendmsg|sendmmsg|nameless OKPORT NOPORT SECONDS STOPFILE\n"); return 2; }
  const char *dir = argv[2];
  double seconds = atof(argv[3]);
  snprintf(nop, sizeof nop, "%s/no/race", dir);
  if (strcmp(argv[1], "buffer") == 0 || strcmp(argv[1], "fifo") == 0) {
    // Same length as the denied path, so each flip rewrites the whole string.
    snprintf(okp, sizeof okp, "%s/ok/%s", dir, argv[1][0] == 'f' ? "fifo" : "race");
    strcpy(buf, okp);
    return opener(buf, nop, seconds, 1);
  }
  if (strcmp(argv[1], "xattr") == 0 || strcmp(argv[1], "exec") == 0) {
    // The flipped path names an existing file in ok/ and in no/; exec's denied program
    // proves it ran by creating ok/ran.
    int exec = argv[1][0] == 'e';
    call = exec ? EXEC : XATTR;
    const char *name = exec ? "prog" : "f";
    snprintf(okp, sizeof okp, "%s/ok/%s", dir, name);
    snprintf(nop, sizeof nop, "%s/no/%s", dir, name);
    char ran[2048];
    snprintf(ran, sizeof ran, "%s/ok/ran", dir);
    strcpy(buf, okp);
    return opener(buf, exec ? ran : nop, seconds, 1);
  }
  if (strcmp(argv[1], "openat2") == 0) {
    call = OPENAT2;
    return opener(nop, nop, seconds, 1);
  }
  if (strcmp(argv[1], "execfd") == 0) {
    char ran[4096];
    snprintf(okp, sizeof okp, "%s/ok/prog", dir);
    snprintf(nop, sizeof nop, "%s/no/prog", dir);
    snprintf(ran, sizeof ran, "%s/ok/ran", dir);
    okfd = open(okp, O_RDONLY | O_CLOEXEC);
    nofd = open(nop, O_RDONLY | O_CLOEXEC);
    if (okfd < 0 || nofd < 0 || dup2(okfd, EXEC_FD) < 0) { perror("open"); return 2; }
    call = EXECFD;
    return opener(okp, ran, seconds, 1);
  }
  if (strcmp(argv[1], "execlink") == 0) {
    char p[4096], ran[4096];
    snprintf(p, sizeof p, "%s/ok/p/prog", dir);
    snprintf(ran, sizeof ran, "%s/ok/ran", dir);
    call = EXEC;
    return opener(p, ran, seconds, 0);
  }
  if (strcmp(argv[1], "symlink") == 0 || strcmp(argv[1], "bind") == 0) {
    if (argv[1][0] == 'b') call = BIND;
    char p[4096];
    snprintf(p, sizeof p, "%s/ok/p/race", dir);
    return opener(p, nop, seconds, 0);
  }
  if (strcmp(argv[1], "flip") == 0) {
    char p[4096], q[4096];
    snprintf(p, sizeof p, "%s/ok/p", dir);
    snprintf(q, sizeof q, "%s/ok/q", dir);
    double end = now() + seconds;
    long n = 0;
    while (now() < end) {
      for (int i = 0; i < 1000; i++)
        if (syscall(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, q, 2 /* RENAME_EXCHANGE */) != 0) { perror("renameat2"); return 2; }
      n += 1000;
    }
    printf("flipped %ld\n", n);
    return 0;
  }
  return 2;
}
