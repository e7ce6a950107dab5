/**
 * Minimal libc bindings for path resolution: the *at() family on directory fds.
 *
 * Every wrapper returns the syscall's value on success or `-errno` on failure, so
 * the hot path never throws and never allocates an Error.
 *
 * Paths are latin1 strings (one char per byte). They are written into a reusable scratch buffer
 * with a NUL terminator: no UTF-8 re-encoding, no per-call allocation for ordinary lengths.
 */
import { ptr } from "bun:ffi";
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_STATX_DONT_SYNC, AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY, RESOLVE, S_IFDIR, S_IFMT, STATX_BASIC_STATS,
} from "./constants.ts";
import { loadLibc } from "./libc.ts";
import { stablePtr } from "./pointer.ts";
import { loadSeccomp, syscallNumber } from "./seccomp.ts";

export { RESOLVE, S_IFDIR, S_IFMT };

/** open(2) flags the resolver uses: this architecture's values (ffi/constants.ts). */
export const O = { RDONLY: O_RDONLY, DIRECTORY: O_DIRECTORY, NOFOLLOW: O_NOFOLLOW, CLOEXEC: O_CLOEXEC, PATH: O_PATH } as const;

/** AT_* flags and the AT_FDCWD sentinel. */
export const AT = {
  FDCWD: AT_FDCWD,
  SYMLINK_NOFOLLOW: AT_SYMLINK_NOFOLLOW,
  EMPTY_PATH: AT_EMPTY_PATH,
  STATX_DONT_SYNC: AT_STATX_DONT_SYNC,
} as const;

// Syscall numbers come from libseccomp by name, never from a hand-kept table.
const SYS_openat2 = syscallNumber(loadSeccomp(), "openat2");

// This module is instantiated per JS thread (Workers included), like the libc binding it uses.
const C = loadLibc();
const ret = C.ret;

// One scratch buffer for path arguments: each is encoded immediately before its (synchronous)
// call, so no two are ever live at once.
const SCRATCH = 8192;
const scratch = Buffer.allocUnsafe(SCRATCH);
const scratchPtr = stablePtr(scratch);

function cstr(s: string): Buffer {
  const n = s.length;
  const b = n < SCRATCH ? scratch : Buffer.allocUnsafe(n + 1);
  b.write(s, 0, n, "latin1");
  b[n] = 0;
  return b;
}

/** openat(2): returns an fd or -errno. `path` is a latin1 string. */
export function openat(dirfd: number, path: string, flags: number, mode = 0): number {
  return ret(C.openat(dirfd, cstr(path), flags, mode));
}

// struct open_how as 32-bit halves: flags, mode, resolve (all below 2^32 here); no BigInt per call.
const how = new Uint32Array(6);
const howPtr = stablePtr(how);
let openat2Works = true;

/**
 * openat2(2) with full open_how: an fd or -errno. A kernel without openat2 (before 5.6)
 * answers -ENOSYS, and from then on this does too without asking, so that the resolver's
 * fast path falls back to the walk at no cost.
 */
export function openat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number {
  if (!openat2Works) return -38;
  how[0] = flags >>> 0;
  how[2] = mode >>> 0;
  how[4] = resolve >>> 0;
  const b = cstr(path);
  const r = ret(C.syscall(SYS_openat2, dirfd, b === scratch ? scratchPtr : ptr(b), howPtr, 24, 0, 0));
  if (r === -38) openat2Works = false;
  return r;
}

/** close(2): 0 or -errno. */
export function close(fd: number): number {
  return ret(C.close(fd));
}

/** Size of the readlink result buffer: one more than PATH_MAX, so truncation is detectable. */
export const LINK_BUF_SIZE = 4097;
const linkBuf = Buffer.allocUnsafe(LINK_BUF_SIZE);

/**
 * readlinkat(2) into a shared buffer, decoded as latin1: the target string, or -errno as a number.
 * A target filling the whole buffer is reported as -ENAMETOOLONG.
 */
export function readlinkat(dirfd: number, path: string): string | number {
  const n = ret(C.readlinkat(dirfd, cstr(path), linkBuf, LINK_BUF_SIZE));
  if (n < 0) return n;
  if (n >= LINK_BUF_SIZE) return -36;
  return linkBuf.toString("latin1", 0, n);
}

// Reading our fd's name walks /proc, self, fd, N: holding /proc/self/fd open makes it a single
// component lookup. It stays valid for the life of the process (our fd table is never
// unshared), and the names of fd numbers are memoised constants.
let selfFdDir = -1;
const fdNames: string[] = [];

/** readlink of our own /proc/self/fd/N: the kernel's name for our fd, or -errno. */
export function readFdLink(fd: number): string | number {
  if (selfFdDir < 0) {
    const d = ret(C.openat(AT.FDCWD, cstr("/proc/self/fd"), O.PATH | O.DIRECTORY | O.CLOEXEC, 0));
    if (d < 0) return d;
    selfFdDir = d;
  }
  return readlinkat(selfFdDir, (fdNames[fd] ??= `${fd}`));
}

/** faccessat(2) with the real uid and gid, as access(2): 0 or -errno. `mode` is F_OK or R/W/X_OK bits (ffi/constants.ts). */
export function faccessat(dirfd: number, path: string, mode: number): number {
  return ret(C.faccessat(dirfd, cstr(path), mode, 0));
}

/** The subset of struct statx we use. */
export interface StatxInfo {
  mode: number;
  nlink: number;
  ino: bigint;
  devMajor: number;
  devMinor: number;
}

const statxBuf = Buffer.alloc(256);

/** statx(2): the few fields we need, or -errno. Use path "" with AT.EMPTY_PATH to stat an fd. */
export function statx(dirfd: number, path: string, flags: number): StatxInfo | number {
  const r = ret(C.statx(dirfd, cstr(path), flags | AT.STATX_DONT_SYNC, STATX_BASIC_STATS, statxBuf));
  if (r < 0) return r;
  return {
    nlink: statxBuf.readUInt32LE(16),
    mode: statxBuf.readUInt16LE(28),
    ino: statxBuf.readBigUInt64LE(32),
    devMajor: statxBuf.readUInt32LE(136),
    devMinor: statxBuf.readUInt32LE(140),
  };
}


/** One directory entry from getdents64(2). */
export interface Dirent {
  ino: bigint;
  type: number;
  name: string;
}

const direntBuf = Buffer.alloc(32768);

/**
 * getdents64(2) on an fd opened for reading: the next batch of entries (empty at the end), or
 * -errno. Names are latin1.
 */
export function getdents(fd: number): Dirent[] | number {
  const n = ret(C.getdents64(fd, direntBuf, direntBuf.length));
  if (n < 0) return n;
  const out: Dirent[] = [];
  for (let off = 0; off < n; ) {
    const reclen = direntBuf.readUInt16LE(off + 16);
    const end = direntBuf.indexOf(0, off + 19);
    out.push({
      ino: direntBuf.readBigUInt64LE(off),
      type: direntBuf[off + 18]!,
      name: direntBuf.toString("latin1", off + 19, end),
    });
    off += reclen;
  }
  return out;
}
