/**
 * Raw filesystem, credential and socket syscalls for the emulation engine
 * (src/supervisor/emulate/): each wrapper returns the syscall's value or `-errno`, never
 * throws, and writes its latin1 path arguments into preallocated scratch buffers (two, for
 * the calls with two paths). Numbers come from libseccomp by name.
 *
 * Instantiated per JS thread (the supervisor Worker imports it); errno is read through that
 * thread's __errno_location right after each call.
 */
import { ptr } from "bun:ffi";
import {
  AT_FDCWD, LANDLOCK_ACCESS_FS_MAKE_SOCK, LANDLOCK_CREATE_RULESET_VERSION, LANDLOCK_RULE_PATH_BENEATH, O_CLOEXEC, O_RDONLY,
} from "./constants.ts";
import { loadLibc } from "./libc.ts";
import { loadSeccomp, syscallNumber } from "./seccomp.ts";
import { stablePtr } from "./pointer.ts";

export { close, openat2 } from "./at.ts";
export { CLONE_FS, F_GETFL, F_SETFL } from "./constants.ts";

const C = loadLibc();

const sc = loadSeccomp();
const NAMES = [
  "mkdirat", "mknodat", "unlinkat", "renameat2", "linkat", "symlinkat", "fchmodat", "fchownat",
  "truncate", "utimensat", "connect", "unshare", "setfsuid", "setfsgid", "setgroups", "setresuid", "setresgid", "fcntl", "close",
  "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
  "getgroups", "geteuid", "openat", "read", "capget", "capset", "readlinkat",
  "sendmsg", "getsockopt", "tgkill",
  "fchmod", "fchown", "ioctl", "setxattr", "removexattr", "fsetxattr", "fremovexattr",
] as const;
/** Native syscall numbers of the calls bound here (-1 where the architecture lacks one). */
export const NR = Object.fromEntries(NAMES.map((n) => [n, syscallNumber(sc, n)])) as Record<(typeof NAMES)[number], number>;

function sys(nr: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0): number {
  return C.ret(C.syscall(nr, a, b, c, d, e, f));
}

const SCRATCH = 8192;
const bufs = [Buffer.allocUnsafe(SCRATCH), Buffer.allocUnsafe(SCRATCH)];
const ptrs = bufs.map((b) => stablePtr(b));

/** Encodes `s` into scratch buffer `slot` (0 or 1) with a NUL; returns its address. */
function cstr(s: string, slot: 0 | 1): number {
  if (s.length >= SCRATCH) {
    const b = Buffer.allocUnsafe(s.length + 1);
    b.write(s, 0, s.length, "latin1");
    b[s.length] = 0;
    return ptr(b);
  }
  const b = bufs[slot];
  b.write(s, 0, s.length, "latin1");
  b[s.length] = 0;
  return ptrs[slot];
}

/** mkdirat(2). */
export const mkdirat = (dirfd: number, path: string, mode: number) => sys(NR.mkdirat, dirfd, cstr(path, 0), mode);
/** mknodat(2); `dev` is the raw (u32) argument. */
export const mknodat = (dirfd: number, path: string, mode: number, dev: number) => sys(NR.mknodat, dirfd, cstr(path, 0), mode, dev);
/** unlinkat(2). */
export const unlinkat = (dirfd: number, path: string, flags: number) => sys(NR.unlinkat, dirfd, cstr(path, 0), flags);
/** renameat2(2). */
export const renameat2 = (od: number, op: string, nd: number, np: string, flags: number) => sys(NR.renameat2, od, cstr(op, 0), nd, cstr(np, 1), flags);
/** linkat(2). */
export const linkat = (od: number, op: string, nd: number, np: string, flags: number) => sys(NR.linkat, od, cstr(op, 0), nd, cstr(np, 1), flags);
/** symlinkat(2): `target` is stored verbatim. */
export const symlinkat = (target: string, nd: number, np: string) => sys(NR.symlinkat, cstr(target, 1), nd, cstr(np, 0));
/** fchmodat(2) (no flags: the syscall has none). */
export const fchmodat = (dirfd: number, path: string, mode: number) => sys(NR.fchmodat, dirfd, cstr(path, 0), mode);
/** fchownat(2); uid/gid -1 (0xffffffff) leave the id unchanged. */
export const fchownat = (dirfd: number, path: string, uid: number, gid: number, flags: number) => sys(NR.fchownat, dirfd, cstr(path, 0), uid, gid, flags);
/** fchmod(2), on an fd of our own (a copy of the tracee's). */
export const fchmod = (fd: number, mode: number) => sys(NR.fchmod, fd, mode);
/** fchown(2), on an fd of our own. */
export const fchown = (fd: number, uid: number, gid: number) => sys(NR.fchown, fd, uid, gid);
/** ioctl(2) with a pointer (or integer) argument. */
export const ioctl = (fd: number, request: number, arg: number) => sys(NR.ioctl, fd, request, arg);
/** setxattr(2) of `path` (followed); `value` is an address. */
export const setxattr = (path: string, name: string, value: number, size: number, flags: number) =>
  sys(NR.setxattr, cstr(path, 0), cstr(name, 1), value, size, flags);
/** removexattr(2) of `path` (followed). */
export const removexattr = (path: string, name: string) => sys(NR.removexattr, cstr(path, 0), cstr(name, 1));
/** fsetxattr(2); `value` is an address. */
export const fsetxattr = (fd: number, name: string, value: number, size: number, flags: number) => sys(NR.fsetxattr, fd, cstr(name, 1), value, size, flags);
/** fremovexattr(2). */
export const fremovexattr = (fd: number, name: string) => sys(NR.fremovexattr, fd, cstr(name, 1));
/** truncate(2). */
export const truncate = (path: string, length: number) => sys(NR.truncate, cstr(path, 0), length);
/** utimensat(2); `times` is the address of struct timespec[2] or 0. */
export const utimensat = (dirfd: number, path: string, times: number, flags: number) => sys(NR.utimensat, dirfd, cstr(path, 0), times, flags);
/** connect(2) with a raw sockaddr. */
export const connect = (fd: number, addr: Uint8Array) => sys(NR.connect, fd, ptr(addr), addr.length);
/** sendmsg(2) of the struct msghdr at address `msg`: the byte count or -errno. */
export const sendmsg = (fd: number, msg: number, flags: number) => sys(NR.sendmsg, fd, msg, flags);
const optVal = new Int32Array(2);
const optValPtr = stablePtr(optVal);
/** An int-valued getsockopt(2): the value, or -errno (every int option read here is >= 0). */
export function getsockoptInt(fd: number, level: number, name: number): number {
  optVal[0] = 0; optVal[1] = 4;
  const r = sys(NR.getsockopt, fd, level, name, optValPtr, optValPtr + 4);
  return r < 0 ? r : optVal[0];
}
/** tgkill(2). */
export const tgkill = (tgid: number, tid: number, sig: number) => sys(NR.tgkill, tgid, tid, sig);
/** unshare(2). */
export const unshare = (flags: number) => sys(NR.unshare, flags);
/** setfsuid(2): per thread; returns the previous fsuid. */
export const setfsuid = (uid: number) => sys(NR.setfsuid, uid);
/** setfsgid(2): per thread; returns the previous fsgid. */
export const setfsgid = (gid: number) => sys(NR.setfsgid, gid);
/**
 * The raw setresuid(2) and setresgid(2) syscalls with only the real id (-1 keeps the others):
 * unlike glibc's wrappers they change the calling thread only.
 */
export const setRealUid = (uid: number) => sys(NR.setresuid, uid, -1, -1);
export const setRealGid = (gid: number) => sys(NR.setresgid, gid, -1, -1);
/** The kernel's Landlock ABI version, or -errno when it has none (ENOSYS, or EOPNOTSUPP when disabled). */
export const landlockAbi = () => sys(NR.landlock_create_ruleset, 0, 0, LANDLOCK_CREATE_RULESET_VERSION);

const landlockFs = new BigUint64Array(1);
const pathBeneath = new DataView(new ArrayBuffer(12)); // packed: u64 allowed_access, s32 parent_fd
/**
 * Lets the calling thread create unix socket files only in directory `dir` and below it
 * (a Landlock domain: no way back for this thread; it needs no_new_privs or CAP_SYS_ADMIN).
 * 0 or -errno.
 */
export function confineSocketsBeneath(dir: number): number {
  landlockFs[0] = BigInt(LANDLOCK_ACCESS_FS_MAKE_SOCK);
  const ruleset = sys(NR.landlock_create_ruleset, ptr(landlockFs), 8, 0);
  if (ruleset < 0) return ruleset;
  try {
    pathBeneath.setBigUint64(0, BigInt(LANDLOCK_ACCESS_FS_MAKE_SOCK), true);
    pathBeneath.setInt32(8, dir, true);
    const r = sys(NR.landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, ptr(pathBeneath), 0);
    return r < 0 ? r : sys(NR.landlock_restrict_self, ruleset, 0);
  } finally {
    sys(NR.close, ruleset);
  }
}
/** The raw setgroups(2) syscall: unlike glibc's wrapper it changes the calling thread only. */
export function setgroups(groups: Uint32Array): number {
  return sys(NR.setgroups, groups.length, groups.length ? ptr(groups) : 0);
}
/** The calling thread's supplementary groups. */
export function getgroups(): Uint32Array {
  const n = sys(NR.getgroups, 0, 0);
  const g = new Uint32Array(Math.max(n, 1));
  const m = sys(NR.getgroups, n, ptr(g));
  return g.subarray(0, Math.max(m, 0));
}
/** The calling thread's effective uid. */
export const geteuid = () => sys(NR.geteuid);
/** fcntl(2) with an integer argument. */
export const fcntl = (fd: number, cmd: number, arg = 0) => sys(NR.fcntl, fd, cmd, arg);
/** Reads file `path` (latin1, absolute) into `buf`: the byte count, or -errno. One open, one read. */
export function readFile(path: string, buf: Uint8Array): number {
  const fd = sys(NR.openat, AT_FDCWD, cstr(path, 0), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return fd;
  const n = sys(NR.read, fd, ptr(buf), buf.length);
  sys(NR.close, fd);
  return n;
}
/** Reads symlink `path` (latin1, absolute) into `buf`: the byte count, or -errno. */
export const readLink = (path: string, buf: Uint8Array) => sys(NR.readlinkat, AT_FDCWD, cstr(path, 0), ptr(buf), buf.length);
// struct __user_cap_header_struct (version 3, this thread) and __user_cap_data_struct[2].
const capHeader = new Uint32Array(2);
const capData = new Uint32Array(6);
const capHeaderPtr = stablePtr(capHeader), capDataPtr = stablePtr(capData);

/** The calling thread's capability sets, as 32-bit halves: [effLo, permLo, inhLo, effHi, permHi, inhHi]. */
export function capget(): Uint32Array {
  capHeader[0] = 0x20080522; capHeader[1] = 0;
  sys(NR.capget, capHeaderPtr, capDataPtr);
  return capData.slice();
}
/** capset(2) on the calling thread (capabilities are per thread), same layout as `capget`. */
export function capset(sets: ArrayLike<number>): number {
  capHeader[0] = 0x20080522; capHeader[1] = 0;
  for (let i = 0; i < 6; i++) capData[i] = sets[i];
  return sys(NR.capset, capHeaderPtr, capDataPtr);
}
/** umask(2): returns the previous mask. */
export const umask = (mask: number) => C.umask(mask);
