/**
 * Addresses of typed arrays that are taken once and used for every later call.
 *
 * JavaScriptCore keeps a typed array under 1000 bytes that was made by length in
 * "fast" mode: its bytes live in GC-heap storage with no ArrayBuffer, and bun:ffi's
 * `ptr()` returns that storage's address as it is. The first time anything needs the
 * array's ArrayBuffer (reading `.buffer`, or the DFG JIT compiling a function that
 * uses the array), JSC copies the bytes into a new ArrayBuffer and abandons the old
 * storage: a pointer taken before then dangles, and the kernel reads and writes
 * memory JavaScript no longer sees (oven-sh/bun#32054). Reading `.buffer` first
 * moves the bytes once and for all.
 */
import { ptr, type Pointer } from "bun:ffi";

/** The address of `view`'s bytes, valid for as long as `view` lives. */
export function stablePtr(view: NodeJS.TypedArray | DataView): number {
  void view.buffer; // out of fast mode: from here on the bytes never move
  return ptr(view);
}

/** A `ptr` argument as we pass it: bun:ffi takes any number at run time, its types ask for the branded Pointer. */
type Arg<A> = Pointer extends A ? A | number : A;
/**
 * An i64_fast result, or a returned pointer, is a bigint only beyond 2^53, which no fd,
 * byte count or user-space address (47 or 48 bits on x86_64 and aarch64) reaches.
 */
type Ret<R> = [R] extends [number | bigint] ? ([number | bigint] extends [R] ? number : R)
  : [R] extends [Pointer | bigint | null] ? Exclude<R, bigint> : R;

/**
 * The bound symbols of a dlopen as this code calls them: addresses are plain numbers
 * (a stablePtr plus an offset), and i64_fast results are numbers.
 */
export type Bound<S> = {
  [K in keyof S]: S[K] extends (...args: infer A) => infer R ? (...args: { [I in keyof A]: Arg<A[I]> }) => Ret<R> : S[K];
};

/** 2^32: a 64-bit address or length travels as two 32-bit halves, low + high * P32. */
export const P32 = 4294967296;
