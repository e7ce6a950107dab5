/**
 * What an engine sees of the notification it decides: the call's arguments, the caller's
 * memory and sandbox, nothing of the listener. The dispatcher is the real one; unit tests
 * give engines a fake (test/supervisor/).
 */
import type { JobBody } from "./emulate/jobs";
import type { Sandbox } from "./sandbox";
import type { State } from "./state";

/** The subset a flag decoder needs: arguments and tracee memory. */
export interface CallView {
  argInt(i: number): number;
  arg(i: number): number;
  /** `len` bytes at `addr` (a view on a reused buffer), or null when unreadable or the call is gone. */
  readBytes(addr: number, len: number): Uint8Array | null;
}

/** One notified call, as engines see it. */
export interface Call extends CallView {
  /** The calling thread. */
  readonly pid: number;
  /** AUDIT_ARCH_* of the call. */
  readonly arch: number;
  /** User structs are 32-bit (i386, x32). */
  readonly compat: boolean;
  /** The low 32 bits of argument i, unsigned. */
  argU32(i: number): number;
  /**
   * Reads up to `len` bytes at `addr` into `peeked` without checking that the call is
   * still pending: the count read, or -1. Only for a hint (is this path possibly magic?).
   */
  peek(addr: number, len: number): number;
  /** The buffer `peek` reads into (reused). */
  readonly peeked: Uint8Array;
  /** The NUL-terminated string at `addr` (latin1, at most `max` bytes, PATH_MAX by default), or null with `readErrno` set. */
  readString(addr: number, max?: number): string | null;
  /** errno of the last failed read (EFAULT, ENAMETOOLONG...). */
  readonly readErrno: number;
  /**
   * Gathers the memory named by `count` native struct iovec at local `riovPtr` into `len`
   * bytes at local address `dst`: the count read, or -1 (TraceeMemory.gather).
   */
  gather(dst: number, len: number, riov: Uint32Array, riovPtr: number, count: number): number;
  /** Writes `src[0..len)` at `addr` in the caller: 0 or an errno. */
  write(addr: number, src: Uint8Array, len: number): number;
  /** Is the notification still pending? Guards every side effect against pid reuse. */
  idValid(): boolean;
  /** The caller's sandbox state (modes, lists, magic lock). */
  readonly state: State;
  /** The caller's state if known without a first look at /proc, else null (ProcessStates.known). */
  readonly knownState: State | null;
  /** The caller's compiled sandbox (`state.sandbox`). */
  readonly sandbox: Sandbox;
  /**
   * Hands the call to an idle helper thread (emulate/blocking.ts), which performs it and
   * answers; the engine then returns HANDED. False when no helper can take it.
   */
  handOff(job: JobBody): boolean;
  /** exec/resume_if_match: the caller leaves the sandbox if this exec succeeds (state.ts). */
  resumeOnExec(): void;
  /** --dry-run: decide and record everything, deny nothing. */
  readonly dryRun: boolean;
}
