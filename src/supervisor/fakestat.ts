/**
 * The stat answer of a successful magic stat: `/dev/sydbox` looks like a
 * character device, mode 0666, rdev 1:3 (the numbers of /dev/null), written
 * into the tracee's buffer in the layout of the syscall that asked.
 *
 * Layouts (arch/X/include/uapi/asm/stat.h, include/uapi/linux/stat.h):
 * - x86_64 `struct stat` (stat, lstat, newfstatat): 144 bytes; st_dev 0,
 *   st_ino 8, st_nlink 16 (u64), st_mode 24, st_uid 28, st_gid 32, st_rdev 40,
 *   st_size 48, st_blksize 56, st_blocks 64, then atime, mtime, ctime
 *   (sec, nsec) from 72.
 * - generic `struct stat` (aarch64 newfstatat): 128 bytes; st_dev 0, st_ino 8,
 *   st_mode 16, st_nlink 20 (u32), st_uid 24, st_gid 28, st_rdev 32, st_size 48,
 *   st_blksize 56 (i32), st_blocks 64, then the times from 72.
 * - `struct statx`: 256 bytes; stx_mask 0, stx_blksize 4, stx_nlink 16,
 *   stx_uid 20, stx_gid 24, stx_mode 28 (u16), stx_ino 32, stx_size 40,
 *   stx_blocks 48, timestamps (sec i64, nsec u32) at 64 (atime), 80 (btime),
 *   96 (ctime), 112 (mtime), stx_rdev_major 128, stx_rdev_minor 132,
 *   stx_dev_major 136, stx_dev_minor 140.
 */
import { P32, stablePtr } from "../../ffi/pointer";
import { archOfAudit, O_CLOEXEC, O_WRONLY, S_IFCHR, STATX_BASIC_STATS } from "../../ffi/constants";
import type { Libc } from "../../ffi/libc";
import { Errno } from "../errors";
import { IoVecPair } from "./memory";
import type { StatLayout, SyscallRow } from "../syscalls/table";

/** The fake device's mode and numbers. */
export const FAKE_MODE = S_IFCHR | 0o666;
export const FAKE_MAJOR = 1;
export const FAKE_MINOR = 3;
/** The kernel's new_encode_dev(MKDEV(major, minor)), which glibc's makedev() agrees with for small numbers. */
export const encodeDev = (major: number, minor: number) => (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12);

/** The layout `row` (a magic stat call) fills on architecture `audit` (seccomp_data.arch), or null when we do not write it: the call then goes to the kernel. */
export function layoutFor(row: SyscallRow, audit: number): StatLayout | null {
  const arch = archOfAudit(audit);
  return (arch && row.stat?.layouts[arch]) ?? null;
}

/** Fills `out` (zeroed first) with the fake stat in `layout`; returns the byte count to write. */
export function fakeStat(layout: StatLayout, out: Buffer, nowMs: number = Date.now()): number {
  const sec = Math.floor(nowMs / 1000), nsec = (nowMs % 1000) * 1e6;
  out.fill(0);
  const u64 = (off: number, v: number) => { out.writeUInt32LE(v % P32, off); out.writeUInt32LE(Math.floor(v / P32), off + 4); };
  const rdev = encodeDev(FAKE_MAJOR, FAKE_MINOR);
  const uid = process.getuid?.() ?? 0, gid = process.getgid?.() ?? 0;
  switch (layout) {
    case "stat-x86_64":
      u64(16, 1); // st_nlink
      out.writeUInt32LE(FAKE_MODE, 24);
      out.writeUInt32LE(uid, 28);
      out.writeUInt32LE(gid, 32);
      u64(40, rdev);
      u64(56, 4096); // st_blksize
      for (const off of [72, 88, 104]) { u64(off, sec); u64(off + 8, nsec); }
      return 144;
    case "stat-generic":
      out.writeUInt32LE(FAKE_MODE, 16);
      out.writeUInt32LE(1, 20); // st_nlink
      out.writeUInt32LE(uid, 24);
      out.writeUInt32LE(gid, 28);
      u64(32, rdev);
      out.writeInt32LE(4096, 56); // st_blksize
      for (const off of [72, 88, 104]) { u64(off, sec); u64(off + 8, nsec); }
      return 128;
    case "statx":
      out.writeUInt32LE(STATX_BASIC_STATS, 0);
      out.writeUInt32LE(4096, 4);
      out.writeUInt32LE(1, 16);
      out.writeUInt32LE(uid, 20);
      out.writeUInt32LE(gid, 24);
      out.writeUInt16LE(FAKE_MODE, 28);
      for (const off of [64, 96, 112]) { u64(off, sec); out.writeUInt32LE(nsec, off + 8); }
      out.writeUInt32LE(FAKE_MAJOR, 128);
      out.writeUInt32LE(FAKE_MINOR, 132);
      return 256;
  }
}

/** Writes into tracee memory: process_vm_writev, or pwrite on /proc/PID/mem where cross-memory attach is unavailable. */
export class TraceeWriter {
  readonly buf = Buffer.alloc(256);
  private readonly bufPtr: number;
  private readonly iov = new IoVecPair();
  private vmWritevWorks = true;

  constructor(private readonly L: Libc) {
    this.bufPtr = stablePtr(this.buf);
  }

  /** Writes `buf[0..len)` at `addr` in `pid`; returns 0 or an errno (EFAULT for a bad buffer). */
  write(pid: number, addr: number, len: number): number {
    if (this.vmWritevWorks) {
      this.iov.set(this.bufPtr, addr, len);
      const n = this.L.ret(Number(this.L.process_vm_writev(pid, this.iov.localPtr, 1, this.iov.remotePtr, 1, 0)));
      if (n === len) return 0;
      if (n >= 0) return Errno.EFAULT; // a partial write: the buffer runs into an unmapped page
      const e = -n;
      if (e !== Errno.ENOSYS && e !== Errno.EPERM) return e === Errno.ESRCH ? e : Errno.EFAULT;
      this.vmWritevWorks = false;
    }
    // /proc/PID/mem writes go through FOLL_FORCE, like a debugger's: a read-only mapping would be written too.
    const fd = this.L.ret(this.L.openat(-100, Buffer.from(`/proc/${pid}/mem\0`), O_WRONLY | O_CLOEXEC, 0));
    if (fd < 0) return -fd;
    const n = Number(this.L.pwrite(fd, this.bufPtr, len, addr));
    this.L.close(fd);
    return n === len ? 0 : Errno.EFAULT;
  }
}
