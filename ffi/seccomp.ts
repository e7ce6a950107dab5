/**
 * libseccomp bindings. libseccomp is dlopened by soname; when it is missing,
 * `loadSeccomp` throws a `MissingLibraryError` naming the library and the Debian
 * package, which the CLI prints before exiting 1.
 */
import { dlopen, FFIType as T } from "bun:ffi";
import type { Bound } from "./pointer.ts";

/** The libseccomp soname we dlopen. */
export const LIBSECCOMP = "libseccomp.so.2";

/** libseccomp could not be loaded. */
export class MissingLibraryError extends Error {
  constructor(readonly library: string, readonly debianPackage: string, cause: string) {
    super(`cannot load ${library} (${cause}); install the Debian package ${debianPackage}`);
  }
}

const symbols = {
  seccomp_init: { args: [T.u32], returns: T.ptr },
  seccomp_release: { args: [T.ptr], returns: T.void },
  seccomp_rule_add_array: { args: [T.ptr, T.u32, T.i32, T.u32, T.ptr], returns: T.i32 },
  seccomp_load: { args: [T.ptr], returns: T.i32 },
  seccomp_notify_fd: { args: [T.ptr], returns: T.i32 },
  seccomp_attr_set: { args: [T.ptr, T.i32, T.u32], returns: T.i32 },
  seccomp_arch_add: { args: [T.ptr, T.u32], returns: T.i32 },
  seccomp_arch_remove: { args: [T.ptr, T.u32], returns: T.i32 },
  seccomp_merge: { args: [T.ptr, T.ptr], returns: T.i32 },
  seccomp_arch_exist: { args: [T.ptr, T.u32], returns: T.i32 },
  seccomp_arch_native: { args: [], returns: T.u32 },
  seccomp_arch_resolve_name: { args: [T.ptr], returns: T.u32 },
  seccomp_syscall_resolve_name_arch: { args: [T.u32, T.ptr], returns: T.i32 },
  seccomp_syscall_resolve_num_arch: { args: [T.u32, T.i32], returns: T.ptr },
  seccomp_export_pfc: { args: [T.ptr, T.i32], returns: T.i32 },
  seccomp_export_bpf: { args: [T.ptr, T.i32], returns: T.i32 },
  seccomp_api_get: { args: [], returns: T.u32 },
  seccomp_version: { args: [], returns: T.ptr },
} as const;

/** Opens libseccomp for the calling thread; throws MissingLibraryError if it is absent. */
export function loadSeccomp() {
  // Once per module instance, which is once per thread (each Worker loads its own
  // modules): every dlopen compiles a trampoline per symbol, ~0.5 ms of start-up.
  try {
    return (bound ??= dlopen(LIBSECCOMP, symbols).symbols as SeccompSymbols);
  } catch (e) {
    throw new MissingLibraryError(LIBSECCOMP, "libseccomp2", (e as Error).message.split("\n")[0]);
  }
}
type SeccompSymbols = Bound<ReturnType<typeof dlopen<typeof symbols>>["symbols"]>;
let bound: SeccompSymbols | undefined;

/** The bound libseccomp of one thread. */
export type Seccomp = ReturnType<typeof loadSeccomp>;

/** The native syscall number of `name`, from libseccomp; -1 if the architecture lacks it. */
export function syscallNumber(sc: Seccomp, name: string): number {
  return sc.seccomp_syscall_resolve_name_arch(sc.seccomp_arch_native(), Buffer.from(name + "\0"));
}
