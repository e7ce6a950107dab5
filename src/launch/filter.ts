/**
 * Derives the seccomp filters from the syscall tables and the sandbox modes.
 * The result is plain data (a FilterSpec) so the parent can compute it, print it
 * (--export) and compile it for the child stage.
 *
 * Three parts, consulted in this order while each allows (spliced into one program, splice.ts):
 * - `classes` (default ENOSYS) gives every number of every filtered architecture its
 *   verdict from src/syscalls/ (numbers.ts, classes.ts, table.ts): allowed, or refused
 *   with an errno. A number nobody classified, or above the newest known, gets ENOSYS.
 * - `refusals` (default ALLOW): EPERM for argument values of allowed calls that reach past
 *   the sandbox (refusals.ts, namespaces.ts), decided from registers.
 * - the rules (default ALLOW, with the listener): NOTIFY for the supervisor's table rows,
 *   EPERM for bpf-mode categories.
 * Apart because libseccomp keeps one action per call unless every rule of it has conditions:
 * "this action when an argument matches, else another" cannot be said in one libseccomp
 * program whose default differs (a device mknod refused, every other mknod notified); in
 * sequence, each says its part. Calls all three allow whatever their arguments stay in the
 * kernel's per-syscall cache and run no BPF at all.
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
  AT_EMPTY_PATH, O_ACCMODE, O_CREAT, O_TMPFILE_BIT, O_TRUNC, R_OK, SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_NOTIFY,
  SCMP_CMP, SYS_SOCKETCALL, W_OK, X_OK,
} from "../../ffi/constants";
import { Errno, SydError } from "../errors";
import { classOf, COMPAT_ENOSYS, VERDICT_ERRNO } from "../syscalls/classes";
import { archTable, type ArchTable } from "../syscalls/numbers";
import { SYSCALLS, type Category, type SyscallRow } from "../syscalls/table";
import type { SandboxMode as Mode } from "../config/types";
import { namespaceRules } from "./namespaces";
import { arg32, type ArgCmp, type ClassesSpec, type FilterInputs, type FilterSpec, type RuleSpec, type Trust } from "./filter-spec";
import { argumentRefusals } from "./refusals";
import { buildRestrict, OPEN_WRITE_MASK } from "./restrict";

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
  const rule = (action: number, cmps: ArgCmp[] = []): RuleSpec => ({ name: row.name, action, cmps });
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
  // A file the call creates (a unix bind's socket) is a write of its path, which lives in memory:
  // the supervisor checks it whenever write sandboxing is on, bpf mode included (there it refuses
  // every unix path bind). With -b there is no supervisor, and such binds are not looked at.
  const writes = row.alsoWrite && inputs.modes.write !== "off" && !inputs.bpfOnly;
  const action = writes ? SCMP_ACT_NOTIFY : actionFor([mode]);
  if (action === null) return [];
  if (row.name === "sendto" && row.addr?.kind === "sockaddr" && action !== SCMP_ACT_NOTIFY) {
    // sendto without an address sends on a connected socket: no new destination.
    return [rule(action, [{ arg: row.addr.addr, op: SCMP_CMP.NE, a: 0, b: 0 }])];
  }
  // A row about some values of one argument (fcntl's command, ioctl's request): one rule per value.
  if (row.when) return row.when.values.map((v) => rule(action, [arg32(row.when!.arg, v)]));
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
  return [{ name: "socketcall", action: sendto.action, cmps: [{ arg: 0, op: SCMP_CMP.EQ, a: SYS_SOCKETCALL.SENDTO, b: 0 }] }];
}

/** The 32-bit ABIs sydbox filters under -a, where COMPAT_ENOSYS applies. */
const COMPAT = new Set(["x86", "x32"]);

/**
 * The action of the classification for `name` on `arch`, or null when the call is allowed (and
 * the rules program decides it, by its table.ts row if it has one). Throws for a name that
 * neither classes.ts nor table.ts knows: the test beside them keeps that from happening.
 */
export function classAction(arch: ArchTable, name: string, trust: Trust): number | null {
  if (COMPAT.has(arch.name) && COMPAT_ENOSYS.has(name)) return SCMP_ACT_ERRNO(Errno.ENOSYS);
  const c = classOf(name);
  if (c === undefined) {
    if ((ROW_NAMES ??= new Set(SYSCALLS.map((r) => r.name))).has(name)) return null;
    throw new Error(`internal error: the syscall ${name} (${arch.name}) is not classified`);
  }
  if (c.verdict === "allow" || (c.trust && trust[c.trust])) return null;
  return SCMP_ACT_ERRNO(VERDICT_ERRNO[c.verdict]);
}

let ROW_NAMES: Set<string> | undefined;

/** The tables of the native architecture and of -a's, in that order; an architecture without one is an error. */
export function filteredArches(native: number, arches: number[]): ArchTable[] {
  return [native, ...arches].map((token) => {
    const t = archTable(token);
    if (!t) throw new FilterUnsupportedError(token);
    return t;
  });
}

/** An architecture sydbox has no syscall table for: its calls could not be classified. */
export class FilterUnsupportedError extends SydError {
  constructor(readonly token: number) {
    super(`sydbox has syscall tables for x86_64, x86, x32 and aarch64 only; it cannot classify the calls of architecture 0x${token.toString(16)}`, Errno.EINVAL);
  }
}

/** The classification program: the action of every assigned number of each architecture; the rest get ENOSYS. */
function buildClasses(tables: ArchTable[], trust: Trust): ClassesSpec {
  const arches = tables.map((table) => ({
    table,
    actions: table.names.map((name) => (name === "-" ? undefined : classAction(table, name, trust) ?? SCMP_ACT_ALLOW)),
  }));
  return { defaultAction: SCMP_ACT_ERRNO(Errno.ENOSYS), arches };
}

/** Builds the filters for the given modes from the syscall tables; `native` is the libseccomp token of this machine. */
export function buildFilter(given: FilterInputs, native: number): FilterSpec {
  const inputs = { ...given, modes: effectiveModes(given) };
  const tables = filteredArches(native, inputs.arches);
  const classes = buildClasses(tables, inputs.trust);
  // A rule of the second program only matters where the classification lets the call run.
  const refusedOn = (name: string) => tables.filter((t) => classAction(t, name, inputs.trust) !== null).map((t) => t.token);
  const keep = (rules: RuleSpec[]): RuleSpec[] => {
    const kept: RuleSpec[] = [];
    for (const r of rules) {
      const refused = refusedOn(r.name);
      if (refused.length === tables.length) continue; // refused everywhere: the classification answers
      kept.push(refused.length > 0 ? { ...r, omitOn: refused } : r);
    }
    return kept;
  };
  const rules: RuleSpec[] = [];
  for (const row of SYSCALLS) rules.push(...rulesFor(row, inputs));
  if (inputs.arches.length > 0) rules.push(...socketcallRules(rules));
  const refusals = [...(inputs.trust.namespaces ? [] : namespaceRules()), ...argumentRefusals(inputs.trust, inputs.rootful)];
  return {
    defaultAction: SCMP_ACT_ALLOW, rules: keep(rules), arches: inputs.arches, classes,
    refusals: { defaultAction: SCMP_ACT_ALLOW, rules: keep(refusals), arches: inputs.arches },
    restrict: buildRestrict(inputs.restrict, inputs.arches),
  };
}
