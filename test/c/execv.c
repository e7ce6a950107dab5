/*
 * Post-exec verification of exec sandboxing (test/escape/exec-verify.test.ts).
 *
 *   execv status            prints `pid PID tracer TRACERPID` (from /proc/self/status)
 *   execv failed PROG       execve(PROG status); if that fails, prints `failed ERRNO`, then
 *                           goes on and, after one more (notified) execve, prints
 *                           `pid PID tracer TRACERPID`
 *   execv thread SELF FILE  a second thread execs `SELF status` while the leader loops on
 *                           open(FILE, O_CREAT) (a notified call); prints `leader PID` first
 *   execv signal PROG N     a thread queues N real-time signals at the main thread while it
 *                           loops on execve(PROG), which fails; prints `signals GOT N`
 *   execv fexec FILE [NAME] execveat(open(FILE), NAME or "", AT_EMPTY_PATH if no NAME) with
 *                           argv `FILE status`; if that fails, prints `failed ERRNO`
 *   execv loop N            execs itself N times, then exits 0
 *   execv watch SELF N      forks `SELF loop N` and polls its TracerPid until it exits;
 *                           prints `maxtracer T` (the largest seen)
 *   execv undumpable SELF   PR_SET_DUMPABLE 0, then execs `SELF status`; if that fails,
 *                           prints `failed ERRNO`
 *   execv traceme SELF      forks a child that asks to be traced (PTRACE_TRACEME, printing
 *                           `traceme 0` or `traceme ERRNO`) and execs `SELF status`, while
 *                           the parent continues it past its exec stop
 *
 * Installed as DIR/ok/prog or DIR/no/prog (test/c/race.c's exec race), it is the race's
 * program: as no/prog it creates DIR/ok/ran before anything else, as any other prog it exits 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int tracer_of(pid_t pid) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *t = strstr(buf, "TracerPid:");
  return t ? atoi(t + 10) : -1;
}

static void status(void) {
  printf("pid %d tracer %d\n", getpid(), tracer_of(getpid()));
  fflush(stdout);
}

static const char *self_path, *file_path;
static char *status_argv[] = { "execv", "status", NULL };

static void *exec_thread(void *unused) {
  (void)unused;
  usleep(20000);
  execve(self_path, status_argv, environ);
  perror("execve");
  exit(3);
}

static atomic_int got;
static pid_t main_tid;
static int to_send;
static atomic_int sent_all;
static void on_signal(int sig) { (void)sig; got++; }
static void *sender(void *unused) {
  (void)unused;
  for (int i = 0; i < to_send; i++) {
    syscall(SYS_tgkill, getpid(), main_tid, SIGRTMIN);
    for (volatile int j = 0; j < 20000 + (i * 7919) % 200000; j++);
  }
  sent_all = 1;
  return NULL;
}

int main(int argc, char **argv) {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 8) {
    exe[n] = 0;
    if (strcmp(exe + n - 8, "/no/prog") == 0) {
      strcpy(exe + n - 8, "/ok/ran");
      close(open(exe, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
      return 0;
    }
    if (strcmp(exe + n - 5, "/prog") == 0) return 0; // an allowed program of the race
  }
  if (argc < 2) return 2;
  if (strcmp(argv[1], "status") == 0) { status(); return 0; }
  if (strcmp(argv[1], "failed") == 0 && argc == 3) {
    execve(argv[2], status_argv, environ);
    printf("failed %s\n", strerrorname_np(errno));
    // A failed exec may return before the supervisor's interrupt stops it and it is
    // detached; a notified call (this one) is answered only after that.
    execve("/nonexistent/sync", status_argv, environ);
    status();
    return 0;
  }
  if (strcmp(argv[1], "thread") == 0 && argc == 4) {
    self_path = argv[2];
    file_path = argv[3];
    printf("leader %d\n", getpid());
    fflush(stdout);
    pthread_t t;
    if (pthread_create(&t, NULL, exec_thread, NULL) != 0) return 2;
    for (;;) close(open(file_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  }
  if (strcmp(argv[1], "signal") == 0 && argc == 4) {
    struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
    sigaction(SIGRTMIN, &sa, NULL);
    main_tid = gettid();
    to_send = atoi(argv[3]);
    pthread_t t;
    if (pthread_create(&t, NULL, sender, NULL) != 0) return 2;
    char *av[] = { argv[2], NULL };
    long tries = 0;
    while (!sent_all) { execve(argv[2], av, environ); tries++; }
    pthread_join(t, NULL);
    for (int i = 0; i < 100 && got < to_send; i++) usleep(10000);
    printf("signals %d %d tries %ld\n", (int)got, to_send, tries);
    return 0;
  }
  if (strcmp(argv[1], "undumpable") == 0 && argc == 3) {
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    execve(argv[2], status_argv, environ);
    printf("failed %s\n", strerrorname_np(errno));
    return 0;
  }
  if (strcmp(argv[1], "traceme") == 0 && argc == 3) {
    pid_t p = fork();
    if (p == 0) {
      long r = ptrace(PTRACE_TRACEME, 0, 0, 0);
      printf("traceme %s\n", r == 0 ? "0" : strerrorname_np(errno));
      fflush(stdout);
      execve(argv[2], status_argv, environ);
      _exit(3);
    }
    int st;
    // Traced, the child stops with SIGTRAP after its exec: continue it without the signal.
    while (waitpid(p, &st, 0) == p && WIFSTOPPED(st)) ptrace(PTRACE_CONT, p, 0, WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st));
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
  }
  if (strcmp(argv[1], "fexec") == 0 && (argc == 3 || argc == 4)) {
    int fd = open(argv[2], argc == 3 ? O_RDONLY : O_RDONLY | O_DIRECTORY);
    char *av[] = { argv[2], "status", NULL };
    syscall(SYS_execveat, fd, argc == 3 ? "" : argv[3], av, environ, argc == 3 ? AT_EMPTY_PATH : 0);
    printf("failed %s\n", strerrorname_np(errno));
    return 0;
  }
  if (strcmp(argv[1], "loop") == 0 && argc == 3) {
    int left = atoi(argv[2]);
    if (left <= 0) return 0;
    char next[16];
    snprintf(next, sizeof next, "%d", left - 1);
    char *av[] = { "execv", "loop", next, NULL };
    execv("/proc/self/exe", av);
    return 3;
  }
  if (strcmp(argv[1], "watch") == 0 && argc == 4) {
    pid_t p = fork();
    if (p == 0) {
      char *av[] = { "execv", "loop", argv[3], NULL };
      execv(argv[2], av);
      _exit(3);
    }
    int max = 0, st;
    while (waitpid(p, &st, WNOHANG) == 0) {
      int t = tracer_of(p);
      if (t > max) max = t;
    }
    printf("maxtracer %d\n", max);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
  }
  return 2;
}
