/**
 * Bun's Buffer has Node's internal latin1Slice: a latin1 decode without toString's
 * encoding dispatch, used where tracee strings are read on the hot path. The Node
 * typings leave it out.
 */
declare global {
  interface Buffer<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> {
    latin1Slice(start?: number, end?: number): string;
  }
}
export {};
