/**
 * Fail-closed supervision. If sydbox dies, even by SIGKILL, the listener goes
 * with it and every notified call of a sandboxed process would fail with ENOSYS
 * while the process runs on unsupervised. PR_SET_PDEATHSIG only covers the
 * process it is set on, so the child stage does not become the command: it
 * stays on as the reaper of the sandboxed tree.
 *
 *   - PR_SET_CHILD_SUBREAPER: every process of the tree that loses its parent
 *     (daemons included) is reparented to the reaper, so the whole tree stays
 *     below it and its `children` file leads to all of it.
 *   - Its main thread loads the filter and starts the command with posix_spawn:
 *     the command inherits the filter. The main thread then only reaps
 *     (waitpid, never notified) and exits with the eldest's status once the
 *     tree is empty, which is when sydbox stops waiting (SydBox 2 waits for
 *     daemons).
 *   - A watchdog thread (a Worker, reaper-worker.ts) created before the filter
 *     exists, hence never under it, watches sydbox through a pidfd. When sydbox
 *     is gone, it SIGKILLs the tree, level by level, until it has no child left.
 *     Its kills cannot be notified: the filter notifies the kill family, so
 *     that sydbox refuses any signal aimed at the reaper (supervisor/signals.ts),
 *     and a notified call fails with ENOSYS once sydbox is gone.
 *   - Once the command runs (in sydbox's process group, which it inherits), it
 *     leaves sydbox's session (setsid), so that a SIGKILL sent to sydbox's
 *     process group spares the reaper, which then kills what setsid() took out
 *     of that group; and no sandboxed process can ever join its process group
 *     (the kernel refuses a group of another session), where kill(0) would
 *     reach it.
 *
 * Why not a PID namespace (docs/design.md, Fail-closed): it needs
 * CAP_SYS_ADMIN, while Paludis runs builds unprivileged; a user namespace
 * cannot be unshared by a multithreaded process such as Bun; and without a
 * fresh /proc (a mount namespace, which conflicts with resolving tracee paths
 * through /proc) getpid() and /proc/self disagree inside the sandbox.
 */
import { ptr } from "bun:ffi";
import {
  O_CLOEXEC, POLLIN, PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG, SIGHUP, SIGINT, SIGKILL, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU,
  SYS_PIDFD_OPEN, WNOHANG, __WALL,
} from "../../ffi/constants";
import type { Libc } from "../../ffi/libc";
import {
  ECHILD, FILE_ACTIONS_SIZE, POSIX_SPAWN_SETSID, POSIX_SPAWN_SETSIGDEF, POSIX_SPAWN_SETSIGMASK,
  SIGSET_SIZE, SIG_IGN, SPAWNATTR_SIZE, loadSpawn, type Spawn,
} from "../../ffi/spawn";
import { stablePtr } from "../../ffi/pointer";
import { cstr } from "../cstring";
import { Errno } from "../errors";

/**
 * The watchdog handshake, two Int32 slots on a SharedArrayBuffer: the main
 * thread's order (PENDING, then WATCH once the command runs), and the watchdog's
 * sign of life (0, then 1 once its script runs).
 */
const ORDER = 0, ALIVE = 1;
const PENDING = 0, WATCH = 1;

/** How long the reaper waits for its watchdog thread to boot before it gives up (ms). */
const WATCHDOG_BOOT_MS = 30000;

/** main thread → watchdog Worker: what it watches with, all opened before the filter. */
export interface WatchMessage {
  /** The handshake (ORDER, ALIVE). */
  state: Int32Array;
  /** pidfd of sydbox. */
  pidfd: number;
  /** The `children` file of the reaper's main thread (openChildren). */
  childrenFd: number;
}

/** The wait status of a child as a shell reports it: exit code, or 128 + signal. */
export function exitStatus(wstatus: number): number {
  return (wstatus & 0x7f) === 0 ? (wstatus >> 8) & 0xff : 128 + (wstatus & 0x7f);
}

/** The child stage's second life: reaper and watchdog of the sandboxed tree. */
export class Reaper {
  private readonly S: Spawn;
  private readonly wstatus = new Int32Array(1);
  private readonly pidfd: number;
  private readonly childrenFd: number;
  private readonly state = new Int32Array(new SharedArrayBuffer(8));
  /** Held for the process's life: a Worker object that is collected takes its thread down. */
  private watchdog: Worker | null = null;

  /**
   * Everything that needs a syscall the filter would notify or deny (pidfd_open,
   * open), done before the filter is loaded. `parentPid` is the process to
   * watch, our parent; `watchdog` the thread that will (reaper-worker.ts), created
   * before the filter. Throws if sydbox is already gone.
   */
  constructor(private readonly L: Libc, readonly parentPid: number) {
    const S = this.S = loadSpawn();
    const sub = L.ret(L.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    if (sub < 0) throw new Error(`prctl(PR_SET_CHILD_SUBREAPER): errno ${-sub}`);
    const pidfd = L.ret(Number(L.syscall(SYS_PIDFD_OPEN, parentPid, 0, 0, 0, 0, 0)));
    if (pidfd < 0) throw new Error(`pidfd_open(sydbox): errno ${-pidfd}`);
    // The pidfd names the process, not the number: re-check that it is still our parent.
    if (S.getppid() !== parentPid) throw new Error("sydbox exited before the command started");
    this.pidfd = pidfd;
    this.childrenFd = openChildren(L);
    // The signals a terminal or a process-group kill sends are the command's to
    // act on; the reaper outlives them (the command gets every default back).
    for (const sig of [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU]) L.signal(sig, SIG_IGN);
  }

  /**
   * Hands the watching to `watchdog`, a thread created before the filter is loaded
   * (so never under it). Created once the spec is in, and only when the child stage
   * stays the reaper: under core/restrict it execs the command itself, and resetting
   * the signal dispositions for it while a second runtime is starting in the process
   * aborted the run now and then (SIGABRT in CI).
   */
  watchWith(watchdog: Worker): void {
    this.watchdog = watchdog;
    watchdog.postMessage({ state: this.state, pidfd: this.pidfd, childrenFd: this.childrenFd } satisfies WatchMessage);
  }

  /**
   * Gives the role up, for a child stage that becomes the command itself
   * (core/restrict, child.ts): no subreaper, and killed with sydbox (PR_SET_PDEATHSIG; re-checked, sydbox may be gone).
   */
  release(): void {
    const { L, S } = this;
    L.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    L.close(this.pidfd);
    L.close(this.childrenFd);
    L.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (S.getppid() !== this.parentPid) L._exit(128 + SIGKILL);
  }

  /**
   * Starts the command, filtered like us, with default signal dispositions, an
   * empty signal mask, sydbox's process group, and without `closeFd`; then
   * leaves sydbox's session (see the module comment). Returns the command's
   * pid, or minus the errno posix_spawn reports for the execve.
   */
  spawn(path: Buffer, argv: BigUint64Array, envp: BigUint64Array, closeFd: number, newSession: boolean): number {
    const S = this.S;
    const attr = new Uint8Array(SPAWNATTR_SIZE), actions = new Uint8Array(FILE_ACTIONS_SIZE);
    const all = new Uint8Array(SIGSET_SIZE), none = new Uint8Array(SIGSET_SIZE);
    S.sigfillset(all);
    // glibc's sigfillset leaves out its own signals (32, 33), and its
    // posix_spawn sets them to SIG_IGN unless named here; SIG_IGN survives execve.
    all.fill(0xff, 0, 8);
    S.sigemptyset(none);
    S.posix_spawnattr_init(attr);
    // newSession: the command leads a session of its own, without the invoker's controlling
    // terminal (as bwrap --new-session): no input injection into it, no /dev/tty, and job
    // control signals come from sydbox (run.ts forwards them), not from the terminal.
    S.posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (newSession ? POSIX_SPAWN_SETSID : 0));
    S.posix_spawnattr_setsigdefault(attr, all);
    S.posix_spawnattr_setsigmask(attr, none);
    S.posix_spawn_file_actions_init(actions);
    S.posix_spawn_file_actions_addclose(actions, closeFd);
    const pid = new Int32Array(1);
    const rc = S.posix_spawn(pid, path, actions, attr, argv, envp);
    if (rc !== 0) return -rc;
    // Not before: a child spawned from another session could not be put in sydbox's group.
    S.setsid();
    return pid[0];
  }

  /**
   * Sets the watchdog on, then reaps the tree until it is empty and exits with
   * the eldest's status. Never returns. A blocking waitpid: SIGCHLD may be
   * delivered to any thread of the runtime, so it cannot be what wakes us. Runs
   * under the filter: waitpid and _exit are never notified.
   */
  run(eldest: number): never {
    const { L, S, wstatus, state } = this;
    Atomics.store(state, ORDER, WATCH);
    Atomics.notify(state, ORDER);
    // Reaping does not wait for the watchdog: a tree that is gone needs no watching
    // (a short command ends before the watchdog's runtime has booted), and once it
    // runs it looks at sydbox's pidfd first, so a sydbox that died meanwhile is seen.
    // Until then children are looked for without blocking, 1 ms apart, and the
    // eldest's pidfd ends that wait the moment the command exits (a short command
    // is over before the watchdog is up: that millisecond was start-up time). A
    // watchdog that never starts gets the tree killed (sydbox lets these kills through).
    const deadline = performance.now() + WATCHDOG_BOOT_MS;
    const eldestFd = new Int32Array(2);
    eldestFd[0] = Number(L.syscall(SYS_PIDFD_OPEN, eldest, 0, 0, 0, 0, 0)); // never notified: not in the filter
    new Int16Array(eldestFd.buffer)[2] = POLLIN;
    const eldestPoll = stablePtr(eldestFd);
    let status = 1;
    for (;;) {
      const watched = Atomics.load(state, ALIVE) === 1;
      const r = L.ret(S.waitpid(-1, wstatus, watched ? __WALL : __WALL | WNOHANG));
      if (r > 0) {
        if (r !== eldest) continue;
        status = exitStatus(wstatus[0]);
        if (eldestFd[0] >= 0) { L.close(eldestFd[0]); eldestFd[0] = -1; } // reaped: its pidfd stays readable
        continue;
      }
      if (r < 0) { if (r === -Errno.EINTR) continue; L._exit(status); } // ECHILD: nobody is left
      if (eldestFd[0] >= 0) L.poll(eldestPoll, 1, 1);
      else Atomics.wait(state, ALIVE, 0, 1);
      if (Atomics.load(state, ALIVE) === 0 && performance.now() > deadline) {
        process.stderr.write("sydbox: child stage: the watchdog thread did not start\n");
        killChildren(L, S, this.childrenFd);
        L._exit(125);
      }
    }
  }

}

/**
 * The watchdog thread's work (reaper-worker.ts): once the command runs, wait
 * for sydbox's end, then kill the tree and exit the process. Returns only if
 * the child stage became the command instead (core/restrict).
 */
export function watchdog(L: Libc, m: WatchMessage): void {
  const state = m.state;
  Atomics.store(state, ALIVE, 1);
  Atomics.notify(state, ALIVE);
  while (Atomics.load(state, ORDER) === PENDING) Atomics.wait(state, ORDER, PENDING);
  if (Atomics.load(state, ORDER) !== WATCH) return;
  const pollfd = new Int32Array(2);
  pollfd[0] = m.pidfd;
  new Int16Array(pollfd.buffer)[2] = POLLIN;
  while (L.poll(ptr(pollfd), 1, -1) <= 0);
  // sydbox is gone: kill the whole tree.
  killChildren(L, loadSpawn(), m.childrenFd);
  L._exit(128 + SIGKILL);
}

/**
 * Opens the `children` file of the calling process's main thread, where a
 * subreaper's children hang (orphans go to its first live thread). Throws on a
 * kernel without CONFIG_PROC_CHILDREN.
 */
export function openChildren(L: Libc): number {
  const self = L.getpid();
  const fd = L.ret(L.openat(-100, cstr(`/proc/${self}/task/${self}/children`), O_CLOEXEC, 0));
  if (fd < 0) throw new Error(`/proc/${self}/task/${self}/children: errno ${-fd} (a kernel without CONFIG_PROC_CHILDREN?)`);
  return fd;
}

/**
 * SIGKILLs every child of the calling subreaper, and again the orphans that the
 * dying hand over, reaping them all, until it has no child left. Reads nothing
 * but an fd opened beforehand (`openChildren`): in the child stage it runs when
 * sydbox is gone, and every notified call (open) would fail with ENOSYS.
 */
export function killChildren(L: Libc, S: Spawn, childrenFd: number): void {
  const children = new Uint8Array(65536), wstatus = new Int32Array(1);
  for (;;) {
    let pid = 0;
    for (let off = 0; ;) {
      const n = L.pread(childrenFd, children, children.length, off);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) {
        const c = children[i];
        if (c >= 48 && c <= 57) pid = pid * 10 + c - 48;
        else if (pid > 0) { L.kill(pid, SIGKILL); pid = 0; }
      }
      off += n;
    }
    if (pid > 0) L.kill(pid, SIGKILL);
    for (;;) {
      const r = L.ret(S.waitpid(-1, wstatus, WNOHANG | __WALL));
      if (r > 0) continue;
      if (r === -ECHILD) return;
      break;
    }
    L.poll(null, 0, 1); // let the killed exit and their orphans arrive
  }
}
