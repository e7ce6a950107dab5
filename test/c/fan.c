/* N processes alive at once, all calling the supervisor at once: a binary tree
 * (process i forks 2i+1 and 2i+2) in which every process, once the whole tree
 * runs (a pipe barrier), makes K notified calls (mknodat on a path that cannot
 * exist; each must fail with ENOENT), then waits for its children and checks
 * their exit statuses. The root exits with STATUS when every call of every
 * process behaved, with 100 + the first failure's code otherwise.
 * usage: fan N K STATUS */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int n, k;
static int started[2], go[2];

/* Process i: fork its subtree, pass the barrier, make the calls, check the children. */
static int run(int i) {
  pid_t kids[2];
  int nkids = 0;
  for (int c = 2 * i + 1; c <= 2 * i + 2 && c < n; c++) {
    pid_t p = fork();
    if (p < 0) return 2;
    if (p == 0) {
      if (i == 0) { close(go[1]); close(started[0]); } /* only the root keeps them */
      _exit(run(c));
    }
    kids[nkids++] = p;
  }
  if (i == 0) {
    /* The root waits until all N-1 others run, then opens the gate. */
    close(started[1]);
    close(go[0]);
    char buf[512];
    for (int seen = 0; seen < n - 1;) {
      ssize_t r = read(started[0], buf, sizeof buf);
      if (r <= 0) return 9;
      seen += r;
    }
    close(go[1]);
  } else {
    char one = 1;
    if (write(started[1], &one, 1) != 1) return 3;
    if (read(go[0], &one, 1) != 0) return 4; /* EOF: the root opened the gate */
  }
  int rc = 0;
  for (int j = 0; j < k; j++) {
    long r = syscall(SYS_mknodat, AT_FDCWD, "/nonexistent-sydbox-fan/x", S_IFREG | 0600, 0);
    if (r != -1 || errno != ENOENT) rc = 5;
  }
  for (int j = 0; j < nkids; j++) {
    int st;
    if (waitpid(kids[j], &st, 0) != kids[j]) return 6;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) rc = rc ? rc : (WIFEXITED(st) ? WEXITSTATUS(st) : 7);
  }
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  n = atoi(argv[1]);
  k = atoi(argv[2]);
  if (pipe(started) != 0 || pipe(go) != 0) return 108;
  int rc = run(0);
  return rc ? 100 + rc : atoi(argv[3]);
}
