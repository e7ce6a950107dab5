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
import type { FilterSpec, RuleSpec } from "./filter";
import { Errno, SydError } from "../errors";

/** The filter could not be built; the message names the rule or the architecture. */
export class FilterError extends SydError {
  constructor(message: string) {
    super(message, Errno.EINVAL);
  }
}

/** libseccomp's __NR_SCMP_ERROR: the name is no syscall on that architecture, not even a pseudo one. */
const NR_SCMP_ERROR = -1;

/**
 * Creates a libseccomp context holding every rule of `spec`. The caller releases it.
 * libseccomp adds a rule to every architecture of a context, so when a rule must be
 * left out on some of them (RuleSpec.skipArches, onlyArches), each architecture gets a context
 * of its own and they are merged into one filter.
 */
export function createContext(sc: Seccomp, spec: FilterSpec): Pointer {
  const native = sc.seccomp_arch_native();
  const arches = [native, ...spec.arches];
  const perArch = spec.rules.some((r) => archLimited(r) && appliesToAny(r, arches) !== arches.every((a) => appliesTo(r, a)));
  if (!perArch) return build(sc, spec, arches, native);
  let merged: Pointer | null = null;
  for (const arch of arches) {
    const ctx = build(sc, spec, [arch], native);
    if (merged === null) { merged = ctx; continue; }
    const rc = sc.seccomp_merge(merged, ctx); // frees ctx on success
    if (rc < 0) throw new FilterError(`seccomp_merge failed: errno ${-rc}`);
  }
  return merged!;
}

/** Whether `rule` belongs in the filter of architecture `arch` (RuleSpec.skipArches, onlyArches). */
function appliesTo(rule: RuleSpec, arch: number): boolean {
  return !rule.skipArches?.includes(arch) && (rule.onlyArches?.includes(arch) ?? true);
}

/** Does `rule` name architectures at all? Most do not, and then it applies to every one. */
function archLimited(rule: RuleSpec): boolean {
  return rule.skipArches !== undefined || rule.onlyArches !== undefined;
}

function appliesToAny(rule: RuleSpec, arches: number[]): boolean {
  if (!archLimited(rule)) return true;
  for (const a of arches) if (appliesTo(rule, a)) return true;
  return false;
}

/** Whether the NUL-terminated syscall name at `name` is a syscall of any of `arches`. */
function resolvesOnAny(sc: Seccomp, arches: number[], name: number): boolean {
  for (const a of arches) if (sc.seccomp_syscall_resolve_name_arch(a, name) >= 0) return true;
  return false;
}

/** Longest syscall name we pass to libseccomp, and the encoder that writes it. */
const NAME_MAX = 63;
const utf8 = new TextEncoder();

function build(sc: Seccomp, spec: FilterSpec, arches: number[], native: number): Pointer {
  const ctx = sc.seccomp_init(spec.defaultAction);
  if (!ctx) throw new FilterError("seccomp_init failed");
  // A syscall from an architecture we do not filter must not slip past the table.
  sc.seccomp_attr_set(ctx, SCMP_FLTATR.ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  for (const arch of arches) {
    if (arch === native) continue;
    const rc = sc.seccomp_arch_add(ctx, arch);
    // EEXIST: already there. EDOM: another byte order, which one filter cannot mix.
    if (rc < 0 && rc !== -17) throw new FilterError(`-a: libseccomp cannot add architecture 0x${arch.toString(16)} to the filter: ${rc === -33 ? "its byte order differs from the native one" : `errno ${-rc}`}`);
  }
  if (!arches.includes(native)) sc.seccomp_arch_remove(ctx, native);
  // This loop runs for every rule (over a hundred) on every start-up, in JSC's
  // interpreter (build.ts): one name buffer and one comparison buffer serve them all.
  const cmpBuf = new BigUint64Array((SCMP_ARG_CMP_SIZE / 8) * 6);
  const cmp32 = new Uint32Array(cmpBuf.buffer);
  const cmpPtr = stablePtr(cmpBuf);
  const cname = new Uint8Array(NAME_MAX + 1);
  const namePtr = stablePtr(cname);
  for (const rule of spec.rules) {
    if (!appliesToAny(rule, arches)) continue;
    const { read, written } = utf8.encodeInto(rule.name, cname.subarray(0, NAME_MAX));
    if (read !== rule.name.length) throw new FilterError(`syscall name too long: ${rule.name}`);
    cname[written] = 0;
    // The native number, or libseccomp's pseudo number for a call only other architectures have
    // (chown32, socketcall): libseccomp translates it for each architecture by name.
    const nr = sc.seccomp_syscall_resolve_name_arch(native, namePtr);
    if (nr === NR_SCMP_ERROR || !resolvesOnAny(sc, arches, namePtr)) {
      if (rule.optional) continue;
      throw new FilterError(`libseccomp does not know the syscall ${rule.name}`);
    }
    const cmps = rule.cmps;
    for (let i = 0; i < cmps.length; i++) {
      cmp32[i * 6] = cmps[i].arg;
      cmp32[i * 6 + 1] = cmps[i].op;
      cmpBuf[i * 3 + 1] = BigInt(cmps[i].a);
      cmpBuf[i * 3 + 2] = BigInt(cmps[i].b);
    }
    const rc = sc.seccomp_rule_add_array(ctx, rule.action, nr, cmps.length, cmps.length ? cmpPtr : null);
    if (rc < 0) throw new FilterError(`seccomp_rule_add(${rule.name}) failed: errno ${-rc}`);
  }
  return ctx;
}

/**
 * The filter as a raw BPF program (struct sock_filter[]), compiled by libseccomp
 * in the parent. The parent does this while the child stage's runtime boots, so
 * the child loads a ready program with one seccomp() call and never needs
 * libseccomp itself: filter construction leaves the start-up critical path.
 */
export function compileFilter(L: Libc, sc: Seccomp, spec: FilterSpec): Uint8Array {
  const ctx = createContext(sc, spec);
  try {
    // libseccomp 2.5 exports only to an fd; a memfd keeps it off the filesystem.
    const fd = Number(L.syscall(syscallNumber(sc, "memfd_create"), ptr(Buffer.from("sydbox-bpf\0")), MFD_CLOEXEC, 0, 0, 0, 0));
    if (fd < 0) throw new FilterError(`memfd_create failed: errno ${L.errno()}`);
    try {
      const rc = sc.seccomp_export_bpf(ctx, fd);
      if (rc < 0) throw new FilterError(`seccomp_export_bpf failed: errno ${-rc}`);
      const chunks: Uint8Array[] = [];
      for (let off = 0; ; ) {
        const buf = new Uint8Array(65536);
        const n = L.pread(fd, ptr(buf), buf.length, off);
        if (n < 0) throw new FilterError(`reading the exported filter failed: errno ${L.errno()}`);
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
