/* Makes one call that changes what paths mean (or a harmless neighbour of one)
 * and prints "NAME errno" (0 when it succeeded). Nothing it does outlives it:
 * namespaces and roots are its own, mounts are detached, paths do not exist.
 * usage: ns NAME, or ns all for every call in turn. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif

extern char **environ;

/* A raw clone(2) whose child exits at once: fork-like, so no stack is needed.
 * x86_64 and most others: flags first; s390: stack first. */
static long rawclone(unsigned long flags) {
#if defined(__s390__)
  long pid = syscall(SYS_clone, 0, flags | SIGCHLD, 0, 0, 0);
#else
  long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
#endif
  if (pid == 0) syscall(SYS_exit_group, 0);
  if (pid > 0) waitpid(pid, NULL, 0);
  return pid;
}

static long clone3call(void) {
  uint64_t args[11] = {0}; /* struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, ... */
  args[4] = SIGCHLD;
  long pid = syscall(SYS_clone3, args, 88);
  if (pid == 0) syscall(SYS_exit_group, 0);
  if (pid > 0) waitpid(pid, NULL, 0);
  return pid;
}

static long setnscall(void) {
  int fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long r = syscall(SYS_setns, fd, CLONE_NEWUTS);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

static long closing(long fd) {
  if (fd >= 0) close(fd);
  return fd;
}

static void *worker(void *arg) {
  *(int *)arg = getpid() > 0;
  return NULL;
}

/* Threads (pthread_create: glibc tries clone3 first) and posix_spawn of /bin/true. */
static long threads(void) {
  pthread_t t[4];
  int done[4] = {0};
  for (int i = 0; i < 4; i++) if ((errno = pthread_create(&t[i], NULL, worker, &done[i]))) return -1;
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  for (int i = 0; i < 4; i++) if (!done[i]) { errno = ESRCH; return -1; }
  pid_t pid;
  char *argv[] = { "true", NULL };
  if ((errno = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ))) return -1;
  int st;
  if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) { errno = ECHILD; return -1; }
  return 0;
}

static long run(const char *name) {
  if (!strcmp(name, "chroot")) return syscall(SYS_chroot, "/");
  if (!strcmp(name, "pivot_root")) return syscall(SYS_pivot_root, "/nonexistent-sydbox-new", "/nonexistent-sydbox-old");
  if (!strcmp(name, "setns")) return setnscall();
  if (!strcmp(name, "open_tree")) return closing(syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC));
  if (!strcmp(name, "move_mount")) return syscall(SYS_move_mount, AT_FDCWD, "/nonexistent-sydbox-from", AT_FDCWD, "/nonexistent-sydbox-to", 0);
  if (!strcmp(name, "fsopen")) return closing(syscall(SYS_fsopen, "tmpfs", 1 /* FSOPEN_CLOEXEC */));
  if (!strcmp(name, "fsconfig")) return syscall(SYS_fsconfig, -1, 0 /* FSCONFIG_SET_FLAG */, "ro", NULL, 0);
  if (!strcmp(name, "fsmount")) return syscall(SYS_fsmount, -1, 0, 0);
  if (!strcmp(name, "fspick")) return closing(syscall(SYS_fspick, AT_FDCWD, "/", 1 /* FSPICK_CLOEXEC */));
  if (!strcmp(name, "mount_setattr")) return syscall(SYS_mount_setattr, -1, "", AT_EMPTY_PATH, NULL, 0);
  if (!strcmp(name, "unshare_user")) return syscall(SYS_unshare, CLONE_NEWUSER);
  if (!strcmp(name, "unshare_mnt")) return syscall(SYS_unshare, CLONE_NEWNS);
  if (!strcmp(name, "unshare_net")) return syscall(SYS_unshare, CLONE_NEWNET);
  if (!strcmp(name, "unshare_time")) return syscall(SYS_unshare, CLONE_NEWTIME);
  if (!strcmp(name, "unshare_files")) return syscall(SYS_unshare, CLONE_FILES);
  if (!strcmp(name, "clone_user")) return rawclone(CLONE_NEWUSER);
  if (!strcmp(name, "clone_pid")) return rawclone(CLONE_NEWPID);
  if (!strcmp(name, "clone_plain")) return rawclone(0);
  if (!strcmp(name, "clone3")) return clone3call();
  if (!strcmp(name, "threads")) return threads();
  errno = EINVAL;
  fprintf(stderr, "ns: unknown call %s\n", name);
  return -2;
}

static const char *ALL[] = {
  "chroot", "pivot_root", "setns", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
  "unshare_user", "unshare_mnt", "unshare_net", "unshare_time", "unshare_files", "clone_user", "clone_pid", "clone_plain",
  "clone3", "threads", NULL,
};

/* Each call in a child of its own, so that one's namespace or root is not the next one's. */
static int one(const char *name) {
  pid_t pid = fork();
  if (pid == 0) {
    long r = run(name);
    if (r == -2) _exit(2);
    printf("%s %d\n", name, r < 0 ? errno : 0);
    fflush(stdout);
    _exit(0);
  }
  int st;
  return pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ? 1 : WEXITSTATUS(st);
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: ns NAME|all\n"); return 2; }
  if (strcmp(argv[1], "all")) return one(argv[1]);
  int rc = 0;
  for (const char **n = ALL; *n; n++) rc |= one(*n);
  return rc;
}
