/**
 * libc bindings only the child stage needs once it stays on as the tree's
 * reaper: posix_spawn and its attributes, and waitpid. A separate
 * dlopen so that the parent and the supervisor Worker do not pay for binding
 * them at startup.
 */
import { dlopen, FFIType as T } from "bun:ffi";
import { LIBC } from "./libc";
import type { Bound } from "./pointer.ts";

/** posix_spawnattr_setflags bits (glibc). */
export const POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
/** glibc 2.26+: the child calls setsid() before its execve. */
export const POSIX_SPAWN_SETSID = 0x80;
/** Generous sizes for the opaque glibc types (336 and 80 bytes on x86_64). */
export const SPAWNATTR_SIZE = 512, FILE_ACTIONS_SIZE = 256, SIGSET_SIZE = 128;
export const SIG_IGN = 1;
export const ECHILD = 10;

const symbols = {
  posix_spawn: { args: [T.ptr, T.ptr, T.ptr, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  posix_spawnattr_init: { args: [T.ptr], returns: T.i32 },
  posix_spawnattr_setflags: { args: [T.ptr, T.i16], returns: T.i32 },
  posix_spawnattr_setsigdefault: { args: [T.ptr, T.ptr], returns: T.i32 },
  posix_spawnattr_setsigmask: { args: [T.ptr, T.ptr], returns: T.i32 },
  posix_spawn_file_actions_init: { args: [T.ptr], returns: T.i32 },
  posix_spawn_file_actions_addclose: { args: [T.ptr, T.i32], returns: T.i32 },
  sigfillset: { args: [T.ptr], returns: T.i32 },
  sigemptyset: { args: [T.ptr], returns: T.i32 },
  waitpid: { args: [T.i32, T.ptr, T.i32], returns: T.i32 },
  setsid: { args: [], returns: T.i32 },
  getppid: { args: [], returns: T.i32 },
} as const;

/** Opens the spawn and wait bindings for the calling thread. */
export function loadSpawn() {
  const lib = dlopen(LIBC, symbols);
  return lib.symbols as Bound<typeof lib.symbols>;
}

/** The bound spawn and wait functions of one thread. */
export type Spawn = ReturnType<typeof loadSpawn>;
