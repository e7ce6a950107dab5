/**
 * Turns a FilterSpec into a libseccomp context, and that into the BPF program
 * the child stage loads. Shared with `--export` (which prints the context), so
 * what is exported is exactly what would be loaded.
 */
import { ptr, type Pointer } from "bun:ffi";
import { MFD_CLOEXEC, SCMP_ACT_KILL_PROCESS, SCMP_ARG_CMP_SIZE, SCMP_FLTATR } from "../../ffi/constants";
import type { Libc } from "../../ffi/libc";
import { stablePtr } from "../../ffi/pointer";
import { syscallNumber, type Seccomp } from "../../ffi/seccomp";
import { classesBpf } from "./classes-bpf";
import { FilterUnsupportedError } from "./filter";
import { precompiledBpf } from "./precompiled";
import type { FilterSpec, ProgramSpec, RuleSpec } from "./filter-spec";
import { spliceAllowing } from "./splice";
import { archTable, numberOf } from "../syscalls/numbers";
import { Errno, SydError } from "../errors";

/** The filter could not be built; the message names the rule or the architecture. */
export class FilterError extends SydError {
  constructor(message: string) {
    super(message, Errno.EINVAL);
  }
}

/** libseccomp's __NR_SCMP_ERROR: the name is no syscall on that architecture, not even a pseudo one. */
const NR_SCMP_ERROR = -1;
/** SCMP_FLTATR_CTL_OPTIMIZE value 2: a binary tree of syscall numbers instead of a linear list (libseccomp >= 2.5). */
const OPTIMIZE_BINARY_TREE = 2;

/**
 * Creates a libseccomp context holding every rule of `spec`. The caller releases it.
 * Each architecture gets a context of its own, merged into one filter: rules name their
 * calls by the numbers of src/syscalls/numbers.ts, which a single-architecture context of
 * the native architecture takes as they are (libseccomp 2.5 has no names for the newest
 * calls); on the others libseccomp translates by name, checked against the same numbers.
 */
export function createContext(sc: Seccomp, spec: ProgramSpec): Pointer {
  const native = sc.seccomp_arch_native();
  let merged: Pointer | null = null;
  for (const arch of [native, ...spec.arches]) {
    const ctx = build(sc, spec, arch, native);
    if (merged === null) { merged = ctx; continue; }
    const rc = sc.seccomp_merge(merged, ctx); // frees ctx on success
    if (rc < 0) {
      sc.seccomp_release(ctx);
      sc.seccomp_release(merged);
      throw new FilterError(`seccomp_merge failed: errno ${-rc}`);
    }
  }
  return merged!;
}

/** Whether `rule` belongs in the filter of architecture `arch` (RuleSpec.skipArches, onlyArches). */
function appliesTo(rule: RuleSpec, arch: number): boolean {
  return !rule.skipArches?.includes(arch) && (rule.onlyArches?.includes(arch) ?? true);
}

/** Longest syscall name we pass to libseccomp, and the encoder that writes it. */
const NAME_MAX = 63;
const utf8 = new TextEncoder();

function build(sc: Seccomp, spec: ProgramSpec, arch: number, native: number): Pointer {
  const ctx = sc.seccomp_init(spec.defaultAction);
  if (!ctx) throw new FilterError("seccomp_init failed");
  try {
    fill(sc, ctx, spec, arch, native);
  } catch (e) {
    sc.seccomp_release(ctx);
    throw e;
  }
  return ctx;
}

function fill(sc: Seccomp, ctx: Pointer, spec: ProgramSpec, arch: number, native: number): void {
  // A syscall from an architecture we do not filter must not slip past the table.
  sc.seccomp_attr_set(ctx, SCMP_FLTATR.ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  // Hundreds of rules: a linear list would cost every syscall a walk through them.
  const orc = sc.seccomp_attr_set(ctx, SCMP_FLTATR.CTL_OPTIMIZE, OPTIMIZE_BINARY_TREE);
  if (orc < 0) throw new FilterError(`libseccomp cannot build a binary-tree filter (SCMP_FLTATR_CTL_OPTIMIZE): errno ${-orc}; libseccomp 2.5 or newer is needed`);
  if (arch !== native) {
    const rc = sc.seccomp_arch_add(ctx, arch);
    // EDOM: another byte order, which one filter cannot mix.
    if (rc < 0) throw new FilterError(`-a: libseccomp cannot add architecture 0x${arch.toString(16)} to the filter: ${rc === -33 ? "its byte order differs from the native one" : `errno ${-rc}`}`);
    sc.seccomp_arch_remove(ctx, native);
  }
  const table = archTable(arch);
  if (!table) throw new FilterError(new FilterUnsupportedError(arch).message);
  // This loop runs for every rule (some four hundred) on every start-up, in JSC's
  // interpreter (build.ts): one name buffer and one comparison buffer serve them all.
  const cmpBuf = new BigUint64Array((SCMP_ARG_CMP_SIZE / 8) * 6);
  const cmp32 = new Uint32Array(cmpBuf.buffer);
  const cmpPtr = stablePtr(cmpBuf);
  const cname = new Uint8Array(NAME_MAX + 1);
  const namePtr = stablePtr(cname);
  for (const rule of spec.rules) {
    if (!appliesTo(rule, arch) || rule.action === spec.defaultAction && rule.cmps.length === 0) continue;
    const ours = numberOf(table, rule.name);
    if (ours < 0) continue; // the architecture has no such call: the classification refuses the number
    let nr = ours;
    if (arch !== native) {
      const { read, written } = utf8.encodeInto(rule.name, cname.subarray(0, NAME_MAX));
      if (read !== rule.name.length) throw new FilterError(`syscall name too long: ${rule.name}`);
      cname[written] = 0;
      // A negative number other than NR_SCMP_ERROR is a multiplexed call (i386's socketcall
      // and ipc family), which libseccomp rewrites for both entry points.
      const theirs = sc.seccomp_syscall_resolve_name_arch(arch, namePtr);
      if (theirs === NR_SCMP_ERROR) {
        if (spec.omitUnnamed || rule.omitOn?.includes(arch)) continue;
        throw new FilterError(`libseccomp cannot name the syscall ${rule.name} (${ours - table.bias}) of ${table.name}, so its rule cannot be built; a newer libseccomp is needed, or drop -a ${table.name}`);
      }
      if (theirs >= 0 && theirs !== ours) throw new FilterError(`libseccomp numbers ${rule.name} of ${table.name} ${theirs}, sydbox's table ${ours}: refusing to build a filter on either`);
      // The native number, or libseccomp's pseudo number for a call only other architectures have
      // (chown32, socketcall): libseccomp translates it for this architecture by name.
      nr = sc.seccomp_syscall_resolve_name_arch(native, namePtr);
      if (nr === NR_SCMP_ERROR) throw new FilterError(`libseccomp has no number for ${rule.name} to translate for ${table.name}`);
    }
    const cmps = rule.cmps;
    for (let i = 0; i < cmps.length; i++) {
      cmp32[i * 6] = cmps[i].arg;
      cmp32[i * 6 + 1] = cmps[i].op;
      cmpBuf[i * 3 + 1] = BigInt(cmps[i].a);
      cmpBuf[i * 3 + 2] = BigInt(cmps[i].b);
    }
    const rc = sc.seccomp_rule_add_array(ctx, rule.action, nr, cmps.length, cmps.length ? cmpPtr : null);
    if (rc === -Errno.EACCES) continue; // libseccomp: the rule's action is the filter's default already
    if (rc < 0) throw new FilterError(`seccomp_rule_add(${rule.name}, ${table.name}) failed: errno ${-rc}`);
  }
}

/**
 * The filter as a raw BPF program (struct sock_filter[]), compiled by libseccomp
 * in the parent. The parent does this while the child stage's runtime boots, so
 * the child loads a ready program with one seccomp() call and never needs
 * libseccomp itself: filter construction leaves the start-up critical path.
 */
export function compileFilter(L: Libc, sc: Seccomp, spec: ProgramSpec): Uint8Array {
  const ctx = createContext(sc, spec);
  try {
    // libseccomp 2.5 exports only to an fd; a memfd keeps it off the filesystem.
    const fd = L.ret(Number(L.syscall(syscallNumber(sc, "memfd_create"), ptr(Buffer.from("sydbox-bpf\0")), MFD_CLOEXEC, 0, 0, 0, 0)));
    if (fd < 0) throw new FilterError(`memfd_create failed: errno ${-fd}`);
    try {
      const rc = sc.seccomp_export_bpf(ctx, fd);
      if (rc < 0) throw new FilterError(`seccomp_export_bpf failed: errno ${-rc}`);
      const chunks: Uint8Array[] = [];
      for (let off = 0; ; ) {
        const buf = new Uint8Array(65536);
        const n = L.ret(L.pread(fd, ptr(buf), buf.length, off));
        if (n < 0) throw new FilterError(`reading the exported filter failed: errno ${-n}`);
        if (n === 0) break;
        chunks.push(buf.subarray(0, n));
        off += n;
      }
      return Buffer.concat(chunks);
    } finally {
      L.close(fd);
    }
  } finally {
    sc.seccomp_release(ctx);
  }
}

/**
 * The whole filter, one program: the classification, then the refusals, then the rules
 * (splice.ts). Built at start unless the executable holds it already (precompiled.ts).
 */
export function filterBpf(L: Libc, sc: Seccomp, filter: FilterSpec): Uint8Array {
  return precompiledBpf(sc, filter) ?? compileWholeFilter(L, sc, filter);
}

/** filterBpf without the precompiled programs: what build.ts stores, and the tests compare them with. */
export function compileWholeFilter(L: Libc, sc: Seccomp, filter: FilterSpec): Uint8Array {
  return spliceAllowing([classesBpf(filter.classes), compileFilter(L, sc, filter.refusals), compileFilter(L, sc, filter)]);
}
