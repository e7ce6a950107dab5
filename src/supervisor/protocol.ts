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
  /** The effective configuration (plain data). */
  config: import("../config/types").Config;
}

/** Worker → main. */
export type WorkerMessage =
  | { type: "ready"; syncWakeUp: boolean }
  | { type: "done" }
  /** A violation with decision kill (pid) or killall (every tracee). */
  | { type: "kill"; pid: number; all: boolean }
  | { type: "fatal"; message: string };
