/**
 * The arguments of the xattr-setting calls, copied out of the tracee once: the name (at
 * most XATTR_NAME_MAX bytes) and the value (at most XATTR_SIZE_MAX), into buffers of ours.
 * The supervisor then sets exactly what it copied; a thread rewriting them afterwards
 * changes nothing. Errors come out as the kernel's: ERANGE for an empty or too long name,
 * E2BIG for a too large value, EFAULT for unreadable memory.
 */
import { stablePtr } from "../../../ffi/pointer";
import { Errno } from "../../errors";
import type { Dispatcher } from "../dispatch";

const XATTR_NAME_MAX = 255;
const XATTR_SIZE_MAX = 65536;

// An ArrayBuffer of our own, whose bytes never move, for the kernel to write into.
const value = new Uint8Array(new ArrayBuffer(XATTR_SIZE_MAX));
const valuePtr = stablePtr(value);
/** How much of the value one read copies (the reader's buffer holds a page and PATH_MAX). */
const CHUNK = 4096;

/** The name at `addr` in the current notification's tracee, or -errno. */
export function xattrName(d: Dispatcher, addr: number): string | number {
  const name = d.memory.readString(d.n.pid, addr, XATTR_NAME_MAX + 1);
  if (name === null) return d.memory.errno === Errno.ENAMETOOLONG ? -Errno.ERANGE : -(d.memory.errno || Errno.EFAULT);
  return name.length === 0 ? -Errno.ERANGE : name;
}

/** Copies the `size`-byte value at `addr`: the address of our copy (0 for none), or -errno. */
export function xattrValue(d: Dispatcher, addr: number, size: number): number {
  if (size > XATTR_SIZE_MAX) return -Errno.E2BIG;
  if (size === 0) return 0;
  // In page-sized reads through the dispatcher's reader, which also checks the call is
  // still pending. (A single TraceeMemory.gather into this buffer crashed Bun under the
  // path race, a segfault at the value's first byte; not understood, not used.)
  for (let off = 0; off < size; off += CHUNK) {
    const n = Math.min(CHUNK, size - off);
    const b = d.readBytes(addr + off, n);
    if (b === null) return -Errno.EFAULT;
    value.set(b, off);
  }
  return valuePtr;
}
