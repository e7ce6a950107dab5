/**
 * libc bindings through bun:ffi. Each thread (main or Worker) must call
 * `loadLibc()` itself: the function objects dlopen returns belong to the JS realm
 * that created them.
 *
 * Variadic functions (syscall, ioctl, prctl) are bound with fixed integer
 * prototypes; on x86_64 and aarch64 SysV that passes arguments the same way.
 *
 * This is the one libc binding of a thread (spawn.ts aside, bound late on purpose):
 * at.ts and fsops.ts wrap it. Its symbols fail C's way, -1 and errno set; every caller
 * turns that into one convention at once, the value or -errno, through `ret()` (errno
 * is not read later, when another call may have changed it).
 */
import { dlopen, FFIType as T, read } from "bun:ffi";
import type { Bound } from "./pointer.ts";

/** The libc soname we dlopen. */
export const LIBC = "libc.so.6";

const symbols = {
  syscall: { args: [T.i64, T.i64, T.i64, T.i64, T.i64, T.i64, T.i64], returns: T.i64_fast },
  ioctl: { args: [T.i32, T.u64, T.ptr], returns: T.i32 },
  ioctl_u64: { args: [T.i32, T.u64, T.u64], returns: T.i32 },
  prctl: { args: [T.i32, T.u64, T.u64, T.u64, T.u64], returns: T.i32 },
  poll: { args: [T.ptr, T.u64, T.i32], returns: T.i32 },
  pipe2: { args: [T.ptr, T.i32], returns: T.i32 },
  read: { args: [T.i32, T.ptr, T.u64], returns: T.i64_fast },
  write: { args: [T.i32, T.ptr, T.u64], returns: T.i64_fast },
  pread: { args: [T.i32, T.ptr, T.u64, T.i64], returns: T.i64_fast },
  close: { args: [T.i32], returns: T.i32 },
  openat: { args: [T.i32, T.ptr, T.i32, T.u32], returns: T.i32 },
  readlinkat: { args: [T.i32, T.ptr, T.ptr, T.u64], returns: T.i64_fast },
  statx: { args: [T.i32, T.ptr, T.i32, T.u32, T.ptr], returns: T.i32 },
  faccessat: { args: [T.i32, T.ptr, T.i32, T.i32], returns: T.i32 },
  getdents64: { args: [T.i32, T.ptr, T.u64], returns: T.i64_fast },
  process_vm_readv: { args: [T.i32, T.ptr, T.u64, T.ptr, T.u64, T.u64], returns: T.i64_fast },
  process_vm_writev: { args: [T.i32, T.ptr, T.u64, T.ptr, T.u64, T.u64], returns: T.i64_fast },
  pwrite: { args: [T.i32, T.ptr, T.u64, T.i64], returns: T.i64_fast },
  execve: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
  kill: { args: [T.i32, T.i32], returns: T.i32 },
  getpid: { args: [], returns: T.i32 },
  gettid: { args: [], returns: T.i32 },
  isatty: { args: [T.i32], returns: T.i32 },
  clock_gettime: { args: [T.i32, T.ptr], returns: T.i32 },
  _exit: { args: [T.i32], returns: T.void },
  signal: { args: [T.i32, T.u64], returns: T.u64 },
  sigprocmask: { args: [T.i32, T.ptr, T.ptr], returns: T.i32 },
  sigaction: { args: [T.i32, T.ptr, T.ptr], returns: T.i32 },
  sigemptyset: { args: [T.ptr], returns: T.i32 },
  setrlimit: { args: [T.i32, T.ptr], returns: T.i32 },
  getrlimit: { args: [T.i32, T.ptr], returns: T.i32 },
  umask: { args: [T.u32], returns: T.u32 },
  bind: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  getsockname: { args: [T.i32, T.ptr, T.ptr], returns: T.i32 },
  __errno_location: { args: [], returns: T.ptr },
  free: { args: [T.ptr], returns: T.void },
} as const;

/** Opens libc for the calling thread and returns its symbols plus `ret`, the -errno converter. */
export function loadLibc(): Libc {
  // Once per module instance, which is once per thread (see the note above).
  return (bound ??= bindLibc());
}
let bound: Libc | undefined;

function bindLibc() {
  // ioctl_u64 is ioctl with an integer third argument (SET_FLAGS takes a value, not a pointer).
  const { ioctl_u64, ...rest } = symbols;
  const lib = dlopen(LIBC, rest);
  const alias = dlopen(LIBC, { ioctl: ioctl_u64 });
  // errno lives in TLS: the pointer is per thread, so it is computed per thread.
  const errnoPtr = lib.symbols.__errno_location() as number;
  return {
    ...(lib.symbols as Bound<typeof lib.symbols>),
    ioctlValue: alias.symbols.ioctl as (fd: number, req: number | bigint, value: number | bigint) => number,
    /** A call's result in the wrappers' convention: the value, or -errno when it failed. */
    ret: (r: number): number => (r < 0 ? -read.i32(errnoPtr, 0) : r),
  };
}

/** The bound libc of one thread. */
export type Libc = ReturnType<typeof bindLibc>;
