/**
 * What an engine decides about one notification. Engines (paths, network, magic, signals,
 * emulation) return a Verdict and never touch the listener: the dispatcher alone answers
 * the kernel with it (answer.ts), counts, reports violations and feeds the -d dump. A
 * helper thread that was handed a notification answers it with the same function.
 *
 * The hot path allocates nothing: verdicts without per-call data are constants, and fail,
 * succeed and fd verdicts are made once per value and reused (they are frozen).
 */
import type { Config } from "../config/types";
import type { SockAddr } from "../policy/sockaddr";

/** The categories a violation is checked as: a path category, or bind/connect (an address). */
export type Denied = "read" | "write" | "exec" | "bind" | "connect";

/** One access violation: what the dispatcher reports (unless a filter/* pattern silences it). */
export interface Violation {
  readonly category: Denied;
  /** The report's call line, e.g. "open(`/etc/shadow')". */
  readonly call: string;
  /**
   * What filter/* patterns are matched against (any match silences the violation), and
   * what the report names. No subject on a network call: an unsupported family.
   */
  readonly subjects: ReadonlyArray<string> | ReadonlyArray<SockAddr>;
}

/** Let the call proceed in the kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE). */
export interface Continue { readonly kind: "continue" }
/** Fail the call with `errno`. */
export interface Fail { readonly kind: "fail"; readonly errno: number }
/** Complete the call with return value `value` (emulated, or a magic stat). */
export interface Succeed { readonly kind: "succeed"; readonly value: number }
/** Emulated open: install our fd `fd` in the tracee (ADDFD_FLAG_SEND) and close ours. */
export interface SendFd { readonly kind: "fd"; readonly fd: number; readonly cloexec: boolean }
/** Answer with `answer`, then raise signal `signal` in thread `tid` of `tgid` (a send's SIGPIPE). */
export interface Signal { readonly kind: "signal"; readonly answer: Answer; readonly tgid: number; readonly tid: number; readonly signal: number }
/** A helper thread owns the notification now and answers it (emulate/blocking.ts). */
export interface Handed { readonly kind: "handed" }
/** The notification is no longer pending (the tracee died, its pid may be reused): answer nothing. */
export interface Gone { readonly kind: "gone" }

/**
 * An allowed exec: CONTINUE it, then verify what runs (exec-verify.ts makes and follows it;
 * the dispatcher seizes, answers and reports).
 */
export interface ExecCheck {
  readonly kind: "verify-exec";
  /** The syscall's name, for the report. */
  readonly name: string;
  /** The checked program, pinned (O_PATH, ours to close): what is allowed to run. */
  readonly pin: number;
  /** The filename the kernel gives a #! interpreter: the path string, or /dev/fd/N[/path] (execveat). */
  readonly filename: string;
}

/** The verdicts that are an answer by themselves, with no policy left to apply (answer.ts). */
export type Answer = Continue | Fail | Succeed | SendFd | Signal | Handed | Gone;

export type Verdict =
  | Answer
  /**
   * Policy violations: denied with `errno`. A dry run records `violations` and answers
   * `then` (null: CONTINUE) instead; `errno` is then what would have been denied.
   */
  | { readonly kind: "deny"; readonly errno: number; readonly violations: readonly Violation[]; readonly then: Answer | null }
  /** An allowed exec under emulation: CONTINUE, then verify what runs. */
  | ExecCheck
  /** exec/kill_if_match: SIGKILL the caller and fail its exec with EACCES. */
  | { readonly kind: "kill" }
  /** A signal aimed at sydbox or the reaper: refused with EPERM and reported, in dry runs too (signals.ts). */
  | { readonly kind: "guard"; readonly call: string }
  /**
   * A magic stat that changed the caller's Config: it becomes the caller's state, then the
   * call succeeds (0). `exitWaitAll`: it set core/trace/exit_wait_all, which is global.
   */
  | { readonly kind: "reconfigure"; readonly cfg: Config; readonly exitWaitAll: boolean };

export const CONTINUE: Continue = Object.freeze({ kind: "continue" });
export const HANDED: Handed = Object.freeze({ kind: "handed" });
export const GONE: Gone = Object.freeze({ kind: "gone" });
export const KILL: Verdict = Object.freeze({ kind: "kill" });

const fails: Fail[] = [];
const succeeds: Succeed[] = [];
const fds: SendFd[] = [];
/** Values above this are not cached (byte counts of sends: rare, and not on the hot path). */
const CACHED = 1 << 16;

/** Fail with `errno` (positive). */
export function fail(errno: number): Fail {
  return fails[errno] ?? (fails[errno] = Object.freeze({ kind: "fail", errno }));
}

/** Succeed with `value` (a count, an fd number, 0). */
export function succeed(value: number): Succeed {
  if (value < 0 || value >= CACHED) return { kind: "succeed", value };
  return succeeds[value] ?? (succeeds[value] = Object.freeze({ kind: "succeed", value }));
}

/** A syscall-style result: `r` >= 0 succeeds with r, -errno fails. */
export function result(r: number): Fail | Succeed {
  return r < 0 ? fail(-r) : succeed(r);
}

/** Install our fd `fd` in the tracee (a negative `fd` is -errno: fail). */
export function sendFd(fd: number, cloexec: boolean): SendFd | Fail {
  if (fd < 0) return fail(-fd);
  if (fd >= CACHED) return { kind: "fd", fd, cloexec };
  const i = 2 * fd + (cloexec ? 1 : 0);
  return fds[i] ?? (fds[i] = Object.freeze({ kind: "fd", fd, cloexec }));
}

/** A policy denial with `errno` for `violations` (a dry run answers `then`, CONTINUE by default). */
export function deny(errno: number, violations: readonly Violation[], then: Answer | null = null): Verdict {
  return { kind: "deny", errno, violations, then };
}
