/**
 * The filter as data: what the parent derives (filter.ts), prints (--export) and the
 * child stage compiles (seccomp-context.ts), and the knobs it is derived from. Apart
 * from filter.ts so that the parts it joins (namespaces.ts, refusals.ts, restrict.ts)
 * can name these types without importing the module that imports them.
 */
import { SCMP_CMP } from "../../ffi/constants";
import type { Config, SandboxCategory, SandboxMode } from "../config/types";
import type { TrustKey } from "../syscalls/classes";
import type { ArchActions } from "./classes-bpf";

/** The core/restrict keys. */
export type Restrict = Config["core"]["restrict"];

/** One argument comparison (struct scmp_arg_cmp). */
export interface ArgCmp {
  arg: number;
  op: number;
  a: number;
  b: number;
}

/** One libseccomp rule: action for the named syscall when every comparison holds. */
export interface RuleSpec {
  name: string;
  action: number;
  cmps: ArgCmp[];
  /** Architectures (libseccomp tokens) where the call has another meaning, and the rule is left out. */
  skipArches?: number[];
  /** Architectures (libseccomp tokens) the rule is limited to, where an argument sits elsewhere. */
  onlyArches?: number[];
  /**
   * Architectures where the rule may be left out when libseccomp cannot name the call there
   * (a 32-bit ABI under -a): the classification refuses the call on them anyway, or the rule
   * only allows (core/restrict). Anywhere else such a rule stops sydbox at start.
   */
  omitOn?: number[];
}

/** One seccomp program, as libseccomp builds it. */
export interface ProgramSpec {
  defaultAction: number;
  rules: RuleSpec[];
  /** Architectures besides the native one (libseccomp tokens, from -a). */
  arches: number[];
  /** Every rule may be left out where libseccomp cannot name its call (RuleSpec.omitOn for all). */
  omitUnnamed?: boolean;
}

/** The classification part: an action for every number of each filtered architecture (classes-bpf.ts compiles it). */
export interface ClassesSpec {
  defaultAction: number;
  /** Native first, then -a's. */
  arches: ArchActions[];
}

/** Everything the child stage's filter is compiled from; the rules part is the spec's own fields. */
export interface FilterSpec extends ProgramSpec {
  /** The classification of every syscall number, consulted first (see the module comment). */
  classes: ClassesSpec;
  /** The argument refusals, consulted second. */
  refusals: ProgramSpec;
  /**
   * core/restrict/general > 0: a second program (default EPERM, allowlist rules),
   * loaded as the child stage's last step before execve.
   */
  restrict: ProgramSpec | null;
}

/** The core/trust keys, each relaxing one refusal (src/syscalls/classes.ts, refusals.ts). */
export type Trust = Record<TrustKey, boolean>;

/** The knobs that shape the filter. */
export interface FilterInputs {
  modes: Record<SandboxCategory, SandboxMode>;
  /** The magic lock is on from the start: stat calls can never be magic, so they are not filtered. */
  magicLocked: boolean;
  /** Exec must be seen even with exec sandboxing off (kill_if_match, resume_if_match, magic_lock:exec). */
  watchExec: boolean;
  /** core/trust/*: which refusals are relaxed. */
  trust: Trust;
  /**
   * -b: no notifications. deny becomes bpf, allow becomes off (no allowlists, no
   * denylists), magic stat is off, and exec only notifies the command's own start.
   */
  bpfOnly: boolean;
  /** Extra architectures (-a), as libseccomp tokens. */
  arches: number[];
  restrict: Restrict;
  /**
   * sydbox runs as root, so the tracee may hold capabilities (CAP_SYS_RESOURCE): limits the
   * kernel would keep it from raising otherwise are guarded in BPF too (refusals.ts).
   */
  rootful: boolean;
}

/** An argument equal to `value` as the kernel reads it: an unsigned int, whatever the upper 32 bits hold. */
export const arg32 = (arg: number, value: number): ArgCmp => ({ arg, op: SCMP_CMP.MASKED_EQ, a: 0xffffffff, b: value });
