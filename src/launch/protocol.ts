/**
 * The parent/child-stage handshake. The parent re-executes its own binary as
 * `--internal-child` with two pipes:
 *   fd 3 (child → parent): the listener fd number and the child's pid, 8 bytes;
 *     then, once the command runs, the command's (the eldest's) pid, 4 bytes;
 *   fd 4 (parent → child): one role byte, as soon as the parent knows it; then
 *     a length-prefixed JSON ChildSpec; later one ack byte.
 */

/** fd on which the child stage reports its listener. */
export const INFO_FD = 3;
/** fd on which the child stage receives its spec and the ack. */
export const CTL_FD = 4;
/** argv[1] that selects the child stage. */
export const CHILD_FLAG = "--internal-child";
/** argv[2] of a child stage that creates its watchdog thread before its role arrives (prelaunch.ts). */
export const WATCHDOG_FIRST_FLAG = "--watchdog-first";

/**
 * The child stage's role, the first byte it reads: it stays on as the reaper of
 * the tree (and wants its watchdog thread), or becomes the command itself
 * (core/restrict, whose filter the runtime cannot live under). Sent before the
 * spec, the moment the filter's shape is known, so the watchdog's runtime boots
 * while the parent is still compiling the filter.
 */
export const enum Role {
  Reaper = 1,
  Command = 2,
}

/** What the child stage needs to become the sandboxed command. */
export interface ChildSpec {
  /** Absolute path of the program to execve. */
  path: string;
  argv: string[];
  env: string[];
  /** The filter as one BPF program (struct sock_filter[], filter.ts and splice.ts), base64. */
  bpf: string;
  /** core/restrict's filter (see restrict.ts), loaded just before execve; null without restrictions. */
  restrictBpf: string | null;
  /** The native number of seccomp(2), from libseccomp (the child stage does not load it). */
  seccompNr: number;
  /** RLIMIT_NOFILE the invoker gave sydbox, before Bun raised it: [soft, hard]. */
  nofile: [number, number] | null;
  /** Set RLIMIT_CORE to 0/0 before the filter, unless core/trust/core_dumps. */
  coreDumps: boolean;
  /** Start the command in a session of its own, without a controlling terminal (not under core/trust/terminal). */
  newSession: boolean;
  /** The supervising parent's pid: the child stage, which watches its parent (reaper.ts), gives up if that is not sydbox. */
  parentPid: number;
}
