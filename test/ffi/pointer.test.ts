/**
 * ffi/pointer.ts: an address taken once with stablePtr stays the array's address after
 * the JIT optimises the code that uses it. clock_gettime writes through the address taken
 * once; the array must see every new value (with a plain ptr() of a small array made by
 * length, Bun 1.4 reads stale values after a few thousand calls: oven-sh/bun#32054).
 */
import { dlopen, FFIType as T } from "bun:ffi";
import { expect, test } from "bun:test";
import { stablePtr } from "../../ffi/pointer";

const { clock_gettime } = dlopen("libc.so.6", { clock_gettime: { args: [T.i32, T.ptr], returns: T.i32 } }).symbols;
const CLOCK_MONOTONIC = 1;

test("a stablePtr address still reaches the array after DFG/FTL tier-up", () => {
  const ts = new Uint32Array(4); // struct timespec, made by length: JSC's fast mode
  const p = stablePtr(ts);
  let repeated = 0, last = -1;
  const step = () => {
    clock_gettime(CLOCK_MONOTONIC, p);
    if (ts[2] === last) repeated++; // tv_nsec, low half
    last = ts[2];
  };
  for (let i = 0; i < 200_000; i++) step();
  // A monotonic clock read twice in a row can repeat a nanosecond value only by chance.
  expect(repeated).toBeLessThan(100);
});
