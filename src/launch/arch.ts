/**
 * `-a arch`: the architectures added to the filter besides the native one, by
 * SydBox 2's names. libseccomp knows each by name; the filter answers every
 * other architecture with ACT_BADARCH (kill), as SydBox does.
 */
import type { Seccomp } from "../../ffi/seccomp";
import { UsageError } from "../errors";

/** The names `-a` accepts, as in SydBox 2.0.1's manual. */
export const ARCH_NAMES = [
  "native", "x86_64", "x86", "x32", "arm", "aarch64", "mips", "mips64", "ppc", "ppc64", "ppc64le",
  "s390", "s390x", "parisc", "parisc64", "riscv64",
] as const;

/**
 * The libseccomp tokens (AUDIT_ARCH values) of `names`, without duplicates and
 * without the native architecture, which every filter has. Throws a UsageError
 * listing the valid names for an unknown one.
 */
export function resolveArches(sc: Seccomp, names: readonly string[]): number[] {
  const native = sc.seccomp_arch_native();
  const out: number[] = [];
  for (const name of names) {
    if (!(ARCH_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`unknown architecture \`${name}' for -a; valid names: ${ARCH_NAMES.join(", ")}`);
    }
    const token = name === "native" ? native : sc.seccomp_arch_resolve_name(Buffer.from(name + "\0"));
    if (token === 0) throw new UsageError(`libseccomp does not know the architecture \`${name}'`);
    if (token !== native && !out.includes(token)) out.push(token);
  }
  return out;
}
