/**
 * Derives the seccomp filter from the syscall table and the sandbox modes.
 * The result is plain data (a FilterSpec) so the parent can compute it, print it
 * (--export) and hand it to the child stage, which loads it with libseccomp.
 *
 * Mode to action, as in SydBox 2: off adds no rule, bpf answers EPERM in the
 * kernel, deny and allow send the call to the supervisor (NOTIFY).
 *
 * Exec is the exception: the command's own execve happens under the filter, so
 * exec in bpf mode still sends execve to the supervisor, which lets the eldest's
 * first one through. With -b (bpf only) the launcher then closes the listener:
 * from that moment the kernel answers every execve ENOSYS by itself (a notified
 * call with no listener fails so), and nothing else is ever notified.
 */
import {
  AT_EMPTY_PATH, F_SETOWN_EX, FIOSETOWN, O_ACCMODE, O_CREAT, O_TMPFILE_BIT, O_TRUNC, R_OK, SCMP_ACT_ALLOW, SCMP_ACT_ERRNO,
  SCMP_ACT_NOTIFY, SCMP_CMP, SIOCSPGRP, SYS_SOCKETCALL, W_OK, X_OK,
} from "../../ffi/constants";
import { Errno } from "../errors";
import { SYSCALLS, type Category, type SyscallRow } from "../syscalls/table";
import { NAMESPACE_CALLS, namespaceRules } from "./namespaces";
import { buildRestrict, OPEN_WRITE_MASK, type Restrict } from "./restrict";

/** A sandbox mode, per category. */
export type Mode = "off" | "bpf" | "deny" | "allow";

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
  /** Skip silently when the architecture lacks the syscall (chown32 and friends). */
  optional: boolean;
  /** Architectures (libseccomp tokens) where the call has another meaning, and the rule is left out. */
  skipArches?: number[];
  /** Architectures (libseccomp tokens) the rule is limited to, where an argument sits elsewhere. */
  onlyArches?: number[];
}

/** Everything the child stage needs to build the filter. */
export interface FilterSpec {
  defaultAction: number;
  rules: RuleSpec[];
  /** Architectures besides the native one (libseccomp tokens, from -a). */
  arches: number[];
  /**
   * core/restrict/general > 0: a second filter (default EPERM, allowlist rules),
   * loaded as the child stage's last step before execve.
   */
  restrict: FilterSpec | null;
}

/** The knobs that shape the filter. */
export interface FilterInputs {
  modes: Record<"exec" | "read" | "write" | "network", Mode>;
  /** The magic lock is on from the start: stat calls can never be magic, so they are not filtered. */
  magicLocked: boolean;
  /** Exec must be seen even with exec sandboxing off (kill_if_match, resume_if_match, magic_lock:exec). */
  watchExec: boolean;
  /** core/trust/*: which supervisor protections are relaxed. */
  trust: Record<"ptrace" | "io_uring" | "open_by_handle" | "userfaultfd" | "pidfd" | "namespaces", boolean>;
  /**
   * -b: no notifications. deny becomes bpf, allow becomes off (no allowlists, no
   * denylists), magic stat is off, and exec only notifies the command's own start.
   */
  bpfOnly: boolean;
  /** Extra architectures (-a), as libseccomp tokens. */
  arches: number[];
  restrict: Restrict;
}

/**
 * Syscalls that attack the supervisor or bypass the filter, refused in the
 * kernel with EPERM (not killed: runtimes such as libuv probe io_uring and fall
 * back). Each group is relaxed by its core/trust key.
 */
export const PROTECTED: Record<keyof FilterInputs["trust"], string[]> = {
  // A root directory or mount tree of the process's own makes checked paths name other files (namespaces.ts).
  namespaces: NAMESPACE_CALLS,
  // Another tracer or a writer of our memory could rewrite a checked path or the supervisor itself.
  ptrace: ["ptrace", "process_vm_writev", "process_vm_readv", "kcmp"],
  // io_uring opens files from a kernel thread, with no syscall for the filter to see.
  io_uring: ["io_uring_setup", "io_uring_enter", "io_uring_register"],
  // File handles name files without paths, so no path check applies.
  open_by_handle: ["open_by_handle_at"],
  // A userfaultfd page can block process_vm_readv in the supervisor forever.
  userfaultfd: ["userfaultfd"],
  // pidfd_getfd copies fds out of other processes, the supervisor's included. pidfd_send_signal
  // names its target by an fd, whose process sydbox cannot tell race-free (kill is checked instead).
  pidfd: ["pidfd_getfd", "pidfd_send_signal"],
};

/**
 * Calls that name a process to receive SIGIO/SIGURG through tracee memory, where sydbox
 * cannot check the target race-free (supervisor/signals.ts checks F_SETOWN, whose pid is
 * an argument): refused in the kernel with EPERM. [syscall, argument index, value]; the
 * kernel reads the command as 32 bits, and so does the comparison.
 */
const UNCHECKABLE_OWNER: ReadonlyArray<[string, number, number]> = [
  ["fcntl", 1, F_SETOWN_EX], ["fcntl64", 1, F_SETOWN_EX], ["ioctl", 1, FIOSETOWN], ["ioctl", 1, SIOCSPGRP],
];

/** An argument equal to `value` as the kernel reads it: an unsigned int, whatever the upper 32 bits hold. */
const arg32 = (arg: number, value: number): ArgCmp => ({ arg, op: SCMP_CMP.MASKED_EQ, a: 0xffffffff, b: value });

/** The conditions under which an open's flags argument asks for writing. */
function openWriteCmps(arg: number): ArgCmp[][] {
  return [
    [{ arg, op: SCMP_CMP.MASKED_EQ, a: O_ACCMODE, b: 1 }],
    [{ arg, op: SCMP_CMP.MASKED_EQ, a: O_ACCMODE, b: 2 }],
    [{ arg, op: SCMP_CMP.MASKED_EQ, a: O_ACCMODE, b: 3 }],
    [{ arg, op: SCMP_CMP.MASKED_EQ, a: O_CREAT, b: O_CREAT }],
    [{ arg, op: SCMP_CMP.MASKED_EQ, a: O_TRUNC, b: O_TRUNC }],
    [{ arg, op: SCMP_CMP.MASKED_EQ, a: O_TMPFILE_BIT, b: O_TMPFILE_BIT }],
  ];
}

/** -b: what each mode means without a supervisor. */
const BPF_ONLY: Record<Mode, Mode> = { off: "off", bpf: "bpf", deny: "bpf", allow: "off" };

/** The modes the filter is built from: as configured, or as -b reads them. */
export function effectiveModes(inputs: FilterInputs): FilterInputs["modes"] {
  const m = inputs.modes;
  if (!inputs.bpfOnly) return m;
  return { exec: BPF_ONLY[m.exec], read: BPF_ONLY[m.read], write: BPF_ONLY[m.write], network: BPF_ONLY[m.network] };
}

function modeOf(inputs: FilterInputs, cat: Category): Mode {
  switch (cat) {
    case "read": return inputs.modes.read;
    case "write": return inputs.modes.write;
    case "exec": return inputs.modes.exec === "off" && inputs.watchExec && !inputs.bpfOnly ? "allow" : inputs.modes.exec;
    case "bind": case "connect": return inputs.modes.network;
    case "magic": return inputs.magicLocked || inputs.bpfOnly ? "off" : "allow";
    // Always checked by the supervisor; -b has none, and a notified call would fail with ENOSYS.
    case "signal": return inputs.bpfOnly ? "off" : "allow";
  }
}

const notifies = (m: Mode) => m === "deny" || m === "allow";

/**
 * The action for a set of modes that one rule covers: NOTIFY if any needs the
 * supervisor (it then applies bpf-mode denials itself), EPERM if all active ones
 * are bpf, none if all are off.
 */
function actionFor(modes: Mode[]): number | null {
  if (modes.some(notifies)) return SCMP_ACT_NOTIFY;
  if (modes.some((m) => m === "bpf")) return SCMP_ACT_ERRNO(Errno.EPERM);
  return null;
}

function rulesFor(row: SyscallRow, inputs: FilterInputs): RuleSpec[] {
  const optional = row.optional ?? false;
  const rule = (action: number, cmps: ArgCmp[] = []): RuleSpec => ({ name: row.name, action, cmps, optional });
  const refine = row.refine;
  if (refine?.kind === "open") {
    const r = inputs.modes.read, w = inputs.modes.write;
    const both = actionFor([r, w]);
    if (both === null) return [];
    // Reads need no look when read sandboxing is off: only write-flagged opens are sent.
    if (notifies(r)) return [rule(SCMP_ACT_NOTIFY)];
    const out: RuleSpec[] = [];
    const wa = actionFor([w]);
    if (wa !== null) for (const c of openWriteCmps(refine.flagsArg)) out.push(rule(wa, c));
    const ra = actionFor([r]);
    if (ra !== null) out.push(rule(ra, [{ arg: refine.flagsArg, op: SCMP_CMP.MASKED_EQ, a: OPEN_WRITE_MASK, b: 0 }]));
    return out;
  }
  if (refine?.kind === "access") {
    // X_OK follows the exec mode itself: watching exec for magic_lock:exec concerns
    // execve only, and shells probe every PATH entry with access(X_OK) (79k calls
    // in a binutils build, all notified for nothing under --profile paludis).
    const parts: Array<[number, Mode]> = [[R_OK, inputs.modes.read], [W_OK, inputs.modes.write], [X_OK, inputs.modes.exec]];
    const action = actionFor(parts.map(([, m]) => m));
    if (action === null) return [];
    return parts.filter(([, m]) => m !== "off").map(([bit]) => rule(action, [{ arg: refine.modeArg, op: SCMP_CMP.MASKED_EQ, a: bit, b: bit }]));
  }
  if (refine?.kind === "openHow") {
    // The flags live in struct open_how, out of BPF's reach: the supervisor decides, bpf modes
    // included. Without a supervisor, ENOSYS: callers fall back to openat, whose flags BPF sees.
    if (actionFor([inputs.modes.read, inputs.modes.write]) === null) return [];
    return [rule(inputs.bpfOnly ? SCMP_ACT_ERRNO(Errno.ENOSYS) : SCMP_ACT_NOTIFY)];
  }
  const mode = modeOf(inputs, row.category);
  // The command's own execve runs under the filter: see the module comment.
  if (row.category === "exec" && mode === "bpf") return [rule(SCMP_ACT_NOTIFY)];
  // A write check of a file the call creates needs the supervisor (a bpf write mode adds nothing).
  const action = actionFor(row.alsoWrite && notifies(inputs.modes.write) ? [mode, inputs.modes.write] : [mode]);
  if (action === null) return [];
  if (row.name === "sendto" && row.addr?.kind === "sockaddr" && action !== SCMP_ACT_NOTIFY) {
    // sendto without an address sends on a connected socket: no new destination.
    return [rule(action, [{ arg: row.addr.addr, op: SCMP_CMP.NE, a: 0, b: 0 }])];
  }
  if (row.when) return row.when.values.map((v) => rule(action, [arg32(row.when!.arg, v)]));
  if (row.signal?.when) return [rule(action, [arg32(row.signal.when.arg, row.signal.when.value)])];
  // The caller's own limits and scheduling (target 0): nothing to look at. A 64-bit compare:
  // stray upper bits only send a call that the supervisor then lets through.
  if (row.signal?.zeroIsSelf) return [rule(action, [{ arg: row.signal.arg, op: SCMP_CMP.NE, a: 0, b: 0 }])];
  if (row.category === "magic") {
    // fstat() is newfstatat(fd, "", AT_EMPTY_PATH): it can never be magic, keep it in the kernel.
    const flag = row.paths?.[0].emptyPathFlag;
    if (flag) return [rule(action, [{ arg: flag.arg, op: SCMP_CMP.MASKED_EQ, a: AT_EMPTY_PATH, b: 0 }])];
  }
  return [rule(action)];
}

/**
 * i386 and other socketcall architectures multiplex the socket calls, and
 * libseccomp turns an argument check on sendto into a check of socketcall's own
 * registers, which do not hold sendto's arguments: refuse every multiplexed sendto.
 */
function socketcallRules(rules: RuleSpec[]): RuleSpec[] {
  const sendto = rules.find((r) => r.name === "sendto" && r.cmps.length > 0);
  if (!sendto) return [];
  return [{ name: "socketcall", action: sendto.action, cmps: [{ arg: 0, op: SCMP_CMP.EQ, a: SYS_SOCKETCALL.SENDTO, b: 0 }], optional: true }];
}

/** Builds the filter for the given modes from the syscall table. */
export function buildFilter(given: FilterInputs): FilterSpec {
  const inputs = { ...given, modes: effectiveModes(given) };
  const rules: RuleSpec[] = [];
  for (const row of SYSCALLS) rules.push(...rulesFor(row, inputs));
  if (inputs.arches.length > 0) rules.push(...socketcallRules(rules));
  for (const [group, names] of Object.entries(PROTECTED) as Array<[keyof FilterInputs["trust"], string[]]>) {
    if (inputs.trust[group]) continue;
    for (const name of names) rules.push({ name, action: SCMP_ACT_ERRNO(Errno.EPERM), cmps: [], optional: true });
  }
  if (!inputs.trust.namespaces) rules.push(...namespaceRules());
  for (const [name, arg, value] of UNCHECKABLE_OWNER) {
    rules.push({ name, action: SCMP_ACT_ERRNO(Errno.EPERM), cmps: [arg32(arg, value)], optional: true });
  }
  return { defaultAction: SCMP_ACT_ALLOW, rules, arches: inputs.arches, restrict: buildRestrict(inputs.restrict, inputs.arches) };
}
