/** Messages between the main thread and the supervisor Worker. */

/** main → Worker: start supervising. */
export interface StartMessage {
  type: "start";
  /** The listener fd, already copied into our process. */
  lfd: number;
  /** Shared counters (see stats.ts). */
  stats: Int32Array;
  /** Measure time spent per notification (for --stats). */
  timing: boolean;
  /** pid of the eldest process: its first execve is the command starting, not checked. */
  eldest: number;
  /** The launcher already let that first execve through (launch/first-exec.ts). */
  eldestExeced: boolean;
  /** pid of the child stage reaping the tree (launch/reaper.ts), 0 if it became the command: not a sandboxed process. */
  reaper: number;
  /** The effective configuration (plain data). */
  config: import("../config/types").Config;
  /** --dry-run: record violations, deny nothing. */
  dryRun: boolean;
  /** -d: the event dump's fd, or -1 (no dump: no observer, no formatting). */
  dumpFd: number;
  /** SIGUSR1/2: the detail level of a pending process-tree request (0: none); see launch/tree-request.ts. */
  treeRequest: Int32Array;
  /** core/trace/exit_wait_all as last set (1 true, 0 false), shared with the main thread (launch/exit-wait.ts). */
  exitWaitAll: Int32Array;
}

/** Worker → main. */
export type WorkerMessage =
  /** `tid`: the Worker's thread, which SIGUSR1/2 requests interrupt. */
  | { type: "ready"; syncWakeUp: boolean; tid: number }
  /** Every tracee is gone; the run's violations, for the summary and sydbox learn. */
  | { type: "done"; summary: import("../report/summary").ViolationSummary }
  /** A violation with decision kill (pid) or killall (every tracee). */
  | { type: "kill"; pid: number; all: boolean }
  /** A process set core/trace/exit_wait_all (already stored in StartMessage.exitWaitAll): look at it. */
  | { type: "wait" }
  | { type: "fatal"; message: string };
