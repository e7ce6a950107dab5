/**
 * Reads tracee memory: process_vm_readv first (one syscall, no fd), falling back
 * to /proc/PID/mem where cross-memory attach is unavailable. Every read must be
 * followed by the caller's ID_VALID check before its result is trusted: the pid
 * may have been recycled while we read.
 */
import { P32, stablePtr } from "../../ffi/pointer";
import { O_CLOEXEC, O_RDONLY } from "../../ffi/constants";
import type { Libc } from "../../ffi/libc";
import { Errno } from "../errors";

const PAGE = 4096;
/** The kernel refuses path arguments of PATH_MAX bytes or more. */
export const PATH_MAX = 4096;

/**
 * One local and one remote struct iovec, preallocated, for process_vm_readv
 * and process_vm_writev: filled per call, never reallocated.
 */
export class IoVecPair {
  private readonly local = new Uint32Array(4);
  private readonly remote = new Uint32Array(4);
  readonly localPtr = stablePtr(this.local);
  readonly remotePtr = stablePtr(this.remote);

  /** Points the pair at `len` bytes at local address `lp` and remote address `rp`. */
  set(lp: number, rp: number, len: number): void {
    this.local[0] = lp % P32; this.local[1] = Math.floor(lp / P32); this.local[2] = len; this.local[3] = 0;
    this.remote[0] = rp % P32; this.remote[1] = Math.floor(rp / P32); this.remote[2] = len; this.remote[3] = 0;
  }
}

/** A reader with preallocated buffers, one per supervisor thread. */
export class TraceeMemory {
  /** Bytes of the last successful read. */
  readonly buf = Buffer.alloc(PATH_MAX + PAGE);
  private readonly bufPtr: number;
  private readonly iov = new IoVecPair();
  private vmReadvWorks = true;
  /** errno of the last failed read. */
  errno = 0;

  constructor(private readonly L: Libc) {
    this.bufPtr = stablePtr(this.buf);
  }

  /** Copies `len` bytes at `addr` into `buf[off..]`; returns the count read or -1 (see `errno`). */
  read(pid: number, addr: number, len: number, off = 0): number {
    if (this.vmReadvWorks) {
      this.iov.set(this.bufPtr + off, addr, len);
      const n = this.L.ret(this.L.process_vm_readv(pid, this.iov.localPtr, 1, this.iov.remotePtr, 1, 0));
      if (n >= 0) return n;
      const e = -n;
      // ENOSYS/EPERM: no cross-memory attach here (kernel config or Yama); use /proc.
      if (e !== Errno.ENOSYS && e !== Errno.EPERM) { this.errno = e; return -1; }
      this.vmReadvWorks = false;
    }
    return this.readProcMem(pid, addr, len, off);
  }

  /**
   * Gathers the tracee's memory named by the first `count` native struct iovec in `riov`
   * (at address `riovPtr`) into `len` bytes at local address `dst`, in one
   * process_vm_readv where it works. Returns the count read (short at the first
   * unreadable byte) or -1 (see `errno`). `buf` is left alone.
   */
  gather(pid: number, dst: number, len: number, riov: Uint32Array, riovPtr: number, count: number): number {
    if (this.vmReadvWorks) {
      const l = this.gatherLocal;
      l[0] = dst % P32; l[1] = Math.floor(dst / P32); l[2] = len; l[3] = 0;
      const n = this.L.ret(this.L.process_vm_readv(pid, this.gatherLocalPtr, 1, riovPtr, count, 0));
      if (n >= 0) return n;
      const e = -n;
      if (e !== Errno.ENOSYS && e !== Errno.EPERM) { this.errno = e; return -1; }
      this.vmReadvWorks = false;
    }
    const fd = this.L.ret(this.L.openat(-100, Buffer.from(`/proc/${pid}/mem\0`), O_RDONLY | O_CLOEXEC, 0));
    if (fd < 0) { this.errno = -fd; return -1; }
    let got = 0;
    try {
      for (let i = 0; i < count && got < len; i++) {
        const want = Math.min(riov[4 * i + 2], len - got);
        if (want === 0) continue;
        const n = this.L.ret(this.L.pread(fd, dst + got, want, riov[4 * i] + riov[4 * i + 1] * P32));
        if (n < 0 && got === 0) { this.errno = -n; return -1; }
        if (n > 0) got += n;
        if (n !== want) break;
      }
    } finally {
      this.L.close(fd);
    }
    return got;
  }
  private readonly gatherLocal = new Uint32Array(4);
  private readonly gatherLocalPtr = stablePtr(this.gatherLocal);

  private readProcMem(pid: number, addr: number, len: number, off: number): number {
    const fd = this.L.ret(this.L.openat(-100, Buffer.from(`/proc/${pid}/mem\0`), O_RDONLY | O_CLOEXEC, 0));
    if (fd < 0) { this.errno = -fd; return -1; }
    const n = this.L.ret(this.L.pread(fd, this.bufPtr + off, len, addr));
    if (n < 0) this.errno = -n;
    this.L.close(fd);
    return n < 0 ? -1 : n;
  }

  /**
   * Reads a NUL-terminated string of at most `max` bytes (PATH_MAX for paths) as
   * a latin1 string, so every byte round-trips. Returns null with `errno` set:
   * EFAULT for a bad pointer, ENAMETOOLONG when no NUL comes within `max`.
   */
  readString(pid: number, addr: number, max = PATH_MAX): string | null {
    if (addr === 0) { this.errno = Errno.EFAULT; return null; }
    let got = 0;
    while (got < max) {
      // Page by page: a string may end just before an unmapped page.
      const want = Math.min(PAGE - ((addr + got) % PAGE), max - got);
      const n = this.read(pid, addr + got, want, got);
      if (n <= 0) { if (n === 0) this.errno = Errno.EFAULT; else if (this.errno === Errno.EIO) this.errno = Errno.EFAULT; return null; }
      const nul = this.buf.indexOf(0, got);
      if (nul >= 0 && nul < got + n) return this.buf.latin1Slice(0, nul);
      got += n;
    }
    this.errno = Errno.ENAMETOOLONG;
    return null;
  }
}
