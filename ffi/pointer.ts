/**
 * Addresses of typed arrays that are taken once and used for every later call.
 *
 * JavaScriptCore keeps a typed array under 1000 bytes that was made by length in
 * "fast" mode: its bytes live in GC-heap storage with no ArrayBuffer, and bun:ffi's
 * `ptr()` returns that storage's address as it is. The first time anything needs the
 * array's ArrayBuffer (reading `.buffer`, or the DFG JIT compiling a function that
 * uses the array), JSC copies the bytes into a new ArrayBuffer and abandons the old
 * storage: a pointer taken before then dangles, and the kernel reads and writes
 * memory JavaScript no longer sees (oven-sh/bun#32054; seen here after ~10,000
 * emulated sends). Reading `.buffer` first moves the bytes once and for all.
 */
import { ptr } from "bun:ffi";

/** The address of `view`'s bytes, valid for as long as `view` lives. */
export function stablePtr(view: ArrayBufferView): number {
  void view.buffer; // out of fast mode: from here on the bytes never move
  return ptr(view);
}
