/* A process tree with threads: N processes (a chain of forks, each forking the
 * next), each of which starts a thread; the process and its thread each make one
 * mknodat on a path that cannot exist, a call the supervisor is notified of.
 * usage: tree N   -> exits 0 when every process exited 0 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void *thread_main(void *arg) {
  (void)arg;
  syscall(SYS_mknodat, AT_FDCWD, "/nonexistent-sydbox-tree/t", S_IFREG | 0600, 0);
  return NULL;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200;
  for (int i = 0; i < n; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, thread_main, NULL) != 0) return 2;
    syscall(SYS_mknodat, AT_FDCWD, "/nonexistent-sydbox-tree/p", S_IFREG | 0600, 0);
    pthread_join(t, NULL);
    if (i == n - 1) break;
    pid_t c = fork();
    if (c < 0) return 3;
    if (c > 0) {
      int st;
      if (waitpid(c, &st, 0) < 0) return 4;
      _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 5);
    }
  }
  return 0;
}
