/**
 * The classification of every syscall name of numbers.ts that has no row in table.ts: what
 * the filter does with it, and why, in one line per group. Together with table.ts (the
 * notified rows) this covers every assigned number of every architecture sydbox filters;
 * anything else (unassigned numbers, numbers above the newest known) gets ENOSYS, the
 * answer of a kernel that lacks the call, so a C library falls back (test/syscalls).
 *
 * - allow: the kernel runs it; it acts only on the process itself, on descriptors it
 *   already holds (opened through the checked open calls), or on nothing outside.
 * - eperm: refused in the kernel; a `trust` key (core/trust/KEY) lets it run instead, or, for
 *   a name with a table.ts row (mount), sends it through its row.
 * - enosys: refused as a kernel without the call would; for obsolete calls, and for calls
 *   that take a path but have no row, whose C library wrappers fall back to checked calls.
 * - allow with refusals: some argument values of an allowed call are refused in BPF
 *   (src/launch/refusals.ts, namespaces.ts): the `refined` note names them.
 */
import { Errno } from "../errors";

export type Verdict = "allow" | "eperm" | "enosys";

/** The core/trust keys that relax a refusal. */
export type TrustKey =
  | "ptrace" | "io_uring" | "open_by_handle" | "userfaultfd" | "pidfd" | "namespaces"
  | "mount" | "devices" | "acct" | "core_dumps" | "terminal" | "fs_ioctl";

export interface SyscallClass {
  verdict: Verdict;
  /** Why, in one line (printed by `--export pfc` and checked for presence by the tests). */
  why: string;
  /** core/trust key under which an eperm/enosys call is allowed (or goes through its table row). */
  trust?: TrustKey;
  /** The lowest core/restrict/general level (1-3) whose allowlist holds the call; absent: no level. */
  restrict?: RestrictLevel;
}

/** A core/restrict/general level that has an allowlist. */
export type RestrictLevel = 1 | 2 | 3;

/** The errno of each refusing verdict. */
export const VERDICT_ERRNO: Record<Exclude<Verdict, "allow">, number> = { eperm: Errno.EPERM, enosys: Errno.ENOSYS };

const CLASSES = new Map<string, SyscallClass>();

/** `names`: one word per call, `name:N` when core/restrict/general N (and above) allows it. */
function group(verdict: Verdict, why: string, names: string, trust?: TrustKey): void {
  for (const word of names.trim().split(/\s+/)) {
    const [name, level] = word.split(":");
    if (CLASSES.has(name)) throw new Error(`classes.ts: ${name} classified twice`);
    const c: SyscallClass = trust ? { verdict, why, trust } : { verdict, why };
    if (level !== undefined) c.restrict = Number(level) as RestrictLevel;
    CLASSES.set(name, c);
  }
}

// Process-local: memory, threads, scheduling, identity, time reading, signals to itself.
group("allow", "memory of the process itself", `
  brk:1 mmap:1 mmap2:1 munmap:1 mremap mprotect pkey_mprotect pkey_alloc pkey_free madvise:2 mincore msync mlock mlock2 munlock
  mlockall:2 munlockall remap_file_pages mbind set_mempolicy get_mempolicy set_mempolicy_home_node migrate_pages
  move_pages membarrier:1 mseal map_shadow_stack memfd_secret process_mrelease`);
group("allow", "threads, processes and their exit; clone's namespace flags are refused in BPF (namespaces.ts)", `
  fork:2 vfork:2 clone:2 exit:1 exit_group:1 wait4:2 waitpid waitid set_tid_address:1 set_robust_list:2 get_robust_list rseq futex:2
  futex_time64 futex_waitv futex_wake futex_wait futex_requeue arch_prctl:1 set_thread_area:1 get_thread_area modify_ldt
  personality prctl restart_syscall:1 pidfd_open seccomp landlock_create_ruleset landlock_add_rule
  landlock_restrict_self uretprobe uprobe`);
group("allow", "ids, groups, sessions, capabilities: the kernel's own permission checks apply", `
  getpid:1 getppid:2 gettid:2 getpgid:2 getpgrp:2 setpgid:2 getsid setsid getuid:2 geteuid:2 getgid:2 getegid:2 getuid32:2 geteuid32:2
  getgid32:2 getegid32:2 setuid setgid setuid32 setgid32 setreuid setregid setreuid32 setregid32 setresuid setresgid
  setresuid32 setresgid32 getresuid getresgid getresuid32 getresgid32 setfsuid setfsgid setfsuid32 setfsgid32
  getgroups setgroups getgroups32 setgroups32 capget capset`);
group("allow", "limits, priorities, scheduling, usage; RLIMIT_CORE changes are refused in BPF (refusals.ts)", `
  getrlimit:2 ugetrlimit setrlimit:2 prlimit64:2 getrusage times getpriority setpriority nice ioprio_set ioprio_get
  sched_setparam sched_getparam sched_setscheduler sched_getscheduler sched_yield:2 sched_get_priority_max
  sched_get_priority_min sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_getaffinity:2
  sched_setattr sched_getattr getcpu umask`);
group("allow", "reading clocks, timers, sleeping", `
  time gettimeofday:2 clock_gettime:2 clock_gettime64 clock_getres clock_getres_time64 clock_nanosleep
  clock_nanosleep_time64 nanosleep:2 alarm getitimer setitimer timer_create timer_settime timer_settime64 timer_gettime
  timer_gettime64 timer_getoverrun timer_delete timerfd_create timerfd_settime timerfd_settime64 timerfd_gettime
  timerfd_gettime64`);
group("allow", "signal handling of the process itself (signals to others are table.ts rows)", `
  rt_sigaction rt_sigprocmask:1 rt_sigreturn:1 rt_sigpending rt_sigtimedwait rt_sigtimedwait_time64 rt_sigsuspend
  sigaction signal sigprocmask sigpending sigsuspend sigreturn:1 sgetmask ssetmask sigaltstack:2 pause:1 signalfd
  signalfd4`);
group("allow", "system information", "uname:2 olduname oldolduname sysinfo:2 getrandom:2");

// Descriptors the process holds: opened through the checked open calls.
group("allow", "I/O on descriptors the process holds (opened through the checked open calls)", `
  read:1 write:1 readv:1 writev:1 pread64:1 pwrite64 preadv:1 pwritev:1 preadv2:1 pwritev2:1 lseek:2 _llseek:2 close:1 close_range dup:1 dup2:1
  dup3 pipe:2 pipe2:2 sendfile sendfile64 splice tee vmsplice copy_file_range fsync:2 fdatasync sync_file_range syncfs sync
  fadvise64 fadvise64_64 readahead fallocate ftruncate ftruncate64 flock getdents:2 getdents64:2 fstat:1 fstat64:1 fstatfs
  fstatfs64 fgetxattr flistxattr cachestat`);
group("allow", "a descriptor's own calls; ioctl's TIOCSTI, TIOCLINUX, owner, filesystem-changing and raw device requests are refused in BPF (refusals.ts)", `
  ioctl`);
group("allow", "changes a file through a descriptor: checked as a write of that file where table.ts has a row", `
  fchmod:3 fchown fchown32 fsetxattr fremovexattr`);
group("allow", "waiting for descriptors, event and notification descriptors", `
  poll:2 ppoll ppoll_time64 select:2 _newselect pselect6:2 pselect6_time64 epoll_create:2 epoll_create1 epoll_ctl epoll_wait:2
  epoll_pwait:2 epoll_pwait2 eventfd eventfd2:2 inotify_init inotify_init1 inotify_add_watch inotify_rm_watch`);
group("allow", "asynchronous I/O on held descriptors (io_submit runs no open)", `
  io_setup io_destroy io_getevents io_submit io_cancel io_pgetevents io_pgetevents_time64`);
group("allow", "sockets: creating, accepting and receiving; bind, connect and the sends are table.ts rows", `
  socket socketpair listen:2 accept accept4 getsockname:2 getpeername:2 getsockopt setsockopt shutdown:2 recvfrom:2 recvmsg:2
  recvmmsg recvmmsg_time64 socketcall`);
group("allow", "System V and POSIX IPC objects: no files of the tree (shared with the host's IPC namespace)", `
  ipc msgget msgsnd msgrcv msgctl semget semop semctl semtimedop semtimedop_time64 shmget shmat shmctl shmdt mq_open
  mq_unlink mq_timedsend mq_timedsend_time64 mq_timedreceive mq_timedreceive_time64 mq_notify mq_getsetattr`);
group("allow", "reads of names and metadata that SydBox 2 never checked (no file content, nothing written)", `
  getcwd chdir fchdir readlink:2 readlinkat:2 statfs statfs64 getxattr lgetxattr fstatat64:1 name_to_handle_at`);
group("allow", "a process's own memory file descriptor", "memfd_create");

// The supervisor's protections (core/trust keys of SydBox 2's successors).
group("eperm", "another tracer or a writer of our memory could rewrite a checked path or the supervisor", `
  ptrace process_vm_writev process_vm_readv kcmp process_madvise`, "ptrace");
group("eperm", "io_uring opens files from a kernel thread, with no syscall for the filter to see", `
  io_uring_setup io_uring_enter io_uring_register`, "io_uring");
group("eperm", "file handles name files without paths, so no path check applies", "open_by_handle_at", "open_by_handle");
group("eperm", "a userfaultfd page can block the supervisor's memory reads forever", "userfaultfd", "userfaultfd");
group("eperm", "takes fds out of other processes (sydbox's included) or signals a process sydbox cannot name race-free", `
  pidfd_getfd pidfd_send_signal`, "pidfd");
group("eperm", "changes what checked paths name: another root, mount tree or namespace (new mount API included)", `
  chroot pivot_root setns open_tree open_tree_attr move_mount fsopen fsconfig fsmount fspick mount_setattr`,
"namespaces");
group("enosys", "clone3's flags are in memory, out of BPF's reach: ENOSYS makes libc fall back to clone", "clone3:2", "namespaces");
group("allow", "new namespaces are refused in BPF by flag (namespaces.ts)", "unshare");

// Root-only side doors (issue class 4): each changes files, the kernel or the host behind the path checks.
group("eperm", "moves or covers files behind the path checks (a bind mount over an allowed path); the host's mounts are shared", `
  mount umount umount2`, "mount");
group("eperm", "process accounting appends a record to a file for every exit, written by the kernel", "acct", "acct");
group("eperm", "a swap file's blocks are overwritten by the kernel", "swapon swapoff");
group("eperm", "disk quotas of the host's filesystems (quotaon writes the quota file)", "quotactl quotactl_fd");
group("eperm", "loads, replaces or stops the running kernel", `
  kexec_load kexec_file_load init_module finit_module delete_module reboot`);
group("eperm", "kernel programs and observers see and change the whole system", "bpf perf_event_open");
group("eperm", "fanotify watches whole mounts and can block other processes' opens", "fanotify_init fanotify_mark");
group("eperm", "raw I/O port access writes devices directly", "iopl ioperm");
group("eperm", "sets the host's clock", `
  settimeofday stime clock_settime clock_settime64 adjtimex clock_adjtime clock_adjtime64`);
group("eperm", "renames the host (the UTS namespace is shared)", "sethostname setdomainname");
group("eperm", "clears or redirects the host's kernel log", "syslog");
group("eperm", "the user and session keyrings are shared with the invoker's other processes", "add_key request_key keyctl");
group("eperm", "hangs up the terminal", "vhangup");
group("enosys", "Linux 6.8 mount listing: no build needs it, and callers fall back to /proc", "statmount listmount");
group("enosys", "Linux 6.8 LSM attributes: /proc/self/attr remains", "lsm_get_self_attr lsm_set_self_attr lsm_list_modules");

// Path-taking calls without a row: refused, and the C library falls back to a checked call.
group("enosys", "xattrs by dirfd and path (Linux 6.13) have no row: libc falls back to the checked path calls", `
  setxattrat getxattrat listxattrat removexattrat`);
group("enosys", "inode attributes by path (Linux 6.17) have no row: callers fall back to ioctl on an open fd", `
  file_getattr file_setattr`);
group("enosys", "i386's 64-bit-time utimensat has no row: libc falls back to utimensat, a checked row", "utimensat_time64");
group("enosys", "obsolete stat and readdir forms; C libraries use stat64, statx and getdents", `
  oldstat oldlstat oldfstat readdir ustat sysfs`);

// Never implemented, removed, or not on 64-bit kernels.
group("enosys", "unimplemented, removed or 32-bit-kernel-only in Linux 6.x", `
  break stty gtty ftime prof lock mpx ulimit profil idle vm86 vm86old bdflush _sysctl uselib create_module
  get_kernel_syms query_module nfsservctl getpmsg putpmsg afs_syscall tuxcall security vserver epoll_ctl_old
  epoll_wait_old lookup_dcookie`);

/**
 * Calls newer than Linux 6.0, the end of libseccomp 2.5's tables: libseccomp may not name them
 * for the 32-bit ABIs under -a (x86, x32), where the filter is built by name, so they get ENOSYS
 * there whatever their class, and a 32-bit C library falls back (fchmodat2 to fchmodat,
 * open_tree_attr to open_tree; the others are optional). The native architecture classifies
 * them by number like every other call.
 */
export const COMPAT_ENOSYS: ReadonlySet<string> = new Set([
  "uretprobe", "uprobe", "cachestat", "fchmodat2", "map_shadow_stack", "futex_wake", "futex_wait", "futex_requeue",
  "statmount", "listmount", "lsm_get_self_attr", "lsm_set_self_attr", "lsm_list_modules", "mseal", "setxattrat",
  "getxattrat", "listxattrat", "removexattrat", "open_tree_attr", "file_getattr", "file_setattr",
]);

/** The class of `name`, or undefined when only table.ts knows it. */
export function classOf(name: string): SyscallClass | undefined {
  return CLASSES.get(name);
}

/** Every classified name, for the tests and --export. */
export function classifiedNames(): IterableIterator<string> {
  return CLASSES.keys();
}
