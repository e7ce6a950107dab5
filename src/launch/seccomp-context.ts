/**
 * Turns a FilterSpec into a libseccomp context. Shared by the child stage (which
 * loads it) and `--export` (which prints it), so what is exported is exactly
 * what would be loaded.
 */
import { ptr, type Pointer } from "bun:ffi";
import { SCMP_ACT_KILL_PROCESS, SCMP_ARG_CMP_SIZE, SCMP_FLTATR } from "../../ffi/constants";
import type { Seccomp } from "../../ffi/seccomp";
import type { FilterSpec } from "./filter";

/** The filter could not be built; the message names the rule. */
export class FilterError extends Error {}

/** Creates a libseccomp context holding every rule of `spec`. The caller releases it. */
export function createContext(sc: Seccomp, spec: FilterSpec): Pointer {
  const ctx = sc.seccomp_init(spec.defaultAction);
  if (!ctx) throw new FilterError("seccomp_init failed");
  // A syscall from an architecture we do not filter must not slip past the table.
  sc.seccomp_attr_set(ctx, SCMP_FLTATR.ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  const arch = sc.seccomp_arch_native();
  const cmpBuf = new BigUint64Array((SCMP_ARG_CMP_SIZE / 8) * 6);
  const cmp32 = new Uint32Array(cmpBuf.buffer);
  for (const rule of spec.rules) {
    const nr = sc.seccomp_syscall_resolve_name_arch(arch, Buffer.from(rule.name + "\0"));
    if (nr < 0) {
      if (rule.optional) continue;
      throw new FilterError(`libseccomp does not know the syscall ${rule.name}`);
    }
    rule.cmps.forEach((c, i) => {
      cmp32[i * 6] = c.arg;
      cmp32[i * 6 + 1] = c.op;
      cmpBuf[i * 3 + 1] = BigInt(c.a);
      cmpBuf[i * 3 + 2] = BigInt(c.b);
    });
    const rc = sc.seccomp_rule_add_array(ctx, rule.action, nr, rule.cmps.length, rule.cmps.length ? ptr(cmpBuf) : null);
    if (rc < 0) throw new FilterError(`seccomp_rule_add(${rule.name}) failed: errno ${-rc}`);
  }
  return ctx;
}
