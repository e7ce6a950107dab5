/**
 * The filter programs of the usual runs (no options, `--profile paludis`; as root and
 * not), compiled by libseccomp when the executable was built (build.ts) instead of at
 * every start, where compiling costs the parent some 5 ms of CPU on the start-up's
 * critical path. A program is used only for the exact FilterSpec it was compiled from,
 * by the same libseccomp version on the same architecture (the key); anything else
 * (-a, core/trust, other modes, another libseccomp) is compiled at start as before.
 */
import { read } from "bun:ffi";
import type { Seccomp } from "../../ffi/seccomp";
import type { FilterSpec } from "./filter-spec";
import { PRECOMPILED } from "./precompiled-table";

/** What the compiled program depends on: libseccomp's version, the native architecture, the spec. */
export function precompiledKey(sc: Seccomp, filter: FilterSpec): string {
  const v = sc.seccomp_version() as unknown as number; // const struct scmp_version { unsigned major, minor, micro }
  const version = v ? `${read.u32(v as never, 0)}.${read.u32(v as never, 4)}.${read.u32(v as never, 8)}` : "?";
  const text = `${version}|${sc.seccomp_arch_native()}|${JSON.stringify(filter)}`;
  return new Bun.CryptoHasher("sha256").update(text).digest("hex");
}

/** The program compiled at build time for `filter`, or null. */
export function precompiledBpf(sc: Seccomp, filter: FilterSpec): Uint8Array | null {
  const b64 = PRECOMPILED[precompiledKey(sc, filter)];
  return b64 === undefined ? null : Buffer.from(b64, "base64");
}
