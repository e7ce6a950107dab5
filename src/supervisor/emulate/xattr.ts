/**
 * The arguments of the xattr-setting calls, copied out of the tracee once: the name (at
 * most XATTR_NAME_MAX bytes) and the value (at most XATTR_SIZE_MAX), into buffers of ours.
 * The supervisor then sets exactly what it copied; a thread rewriting them afterwards
 * changes nothing. Errors come out as the kernel's: ERANGE for an empty or too long name,
 * E2BIG for a too large value, EFAULT for unreadable memory.
 */
import { stablePtr } from "../../../ffi/pointer";
import { Errno } from "../../errors";
import type { Call } from "../call";

const XATTR_NAME_MAX = 255;
const XATTR_SIZE_MAX = 65536;

// An ArrayBuffer of our own, whose bytes never move, for the kernel to write into.
const value = new Uint8Array(new ArrayBuffer(XATTR_SIZE_MAX));
const valuePtr = stablePtr(value);
/** How much of the value one read copies (the reader's buffer holds a page and PATH_MAX). */
const CHUNK = 4096;

/** The name at `addr` in call `c`'s tracee, or -errno. */
export function xattrName(c: Call, addr: number): string | number {
  const name = c.readString(addr, XATTR_NAME_MAX + 1);
  if (name === null) return c.readErrno === Errno.ENAMETOOLONG ? -Errno.ERANGE : -(c.readErrno || Errno.EFAULT);
  return name.length === 0 ? -Errno.ERANGE : name;
}

/** Copies the `size`-byte value at `addr`: the address of our copy (0 for none), or -errno. */
export function xattrValue(c: Call, addr: number, size: number): number {
  if (size > XATTR_SIZE_MAX) return -Errno.E2BIG;
  if (size === 0) return 0;
  // In page-sized reads through the dispatcher's reader, which also checks the call is
  // still pending. (A single TraceeMemory.gather into this buffer crashed Bun under the
  // path race, a segfault at the value's first byte; not understood, not used.)
  for (let off = 0; off < size; off += CHUNK) {
    const n = Math.min(CHUNK, size - off);
    const b = c.readBytes(addr + off, n);
    if (b === null) return -Errno.EFAULT;
    value.set(b, off);
  }
  return valuePtr;
}
