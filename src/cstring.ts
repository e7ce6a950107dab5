/**
 * C string marshalling for bun:ffi. The returned buffers must stay referenced
 * for as long as their pointers are in use.
 */
import { stablePtr } from "../ffi/pointer";

/** A NUL-terminated copy of `s`; latin1 so every byte of a path round-trips. */
export function cstr(s: string, encoding: BufferEncoding = "utf8"): Buffer {
  return Buffer.from(s + "\0", encoding);
}

/** A NULL-terminated `char *[]` (argv, envp) and the storage it points into. */
export function cstrArray(strs: string[]): { pointers: BigUint64Array; store: Buffer } {
  const parts = strs.map((s) => cstr(s));
  const store = Buffer.concat(parts);
  const base = BigInt(stablePtr(store));
  const pointers = new BigUint64Array(strs.length + 1);
  let off = 0;
  for (let i = 0; i < parts.length; i++) {
    pointers[i] = base + BigInt(off);
    off += parts[i].length;
  }
  return { pointers, store };
}
