/**
 * Counters shared between the supervisor Worker and the main thread through a
 * SharedArrayBuffer, so `--stats` and the exit status can read them without
 * messages on the hot path.
 */
import { CLOCK_THREAD_CPUTIME_ID } from "../../ffi/constants";
import { stablePtr } from "../../ffi/pointer";
import type { Libc } from "../../ffi/libc";
import { SYSCALLS } from "../syscalls/table";

/** Slot layout: one notification counter per table row, then the fixed counters. */
export const STAT = {
  VIOLATIONS: SYSCALLS.length,
  UNKNOWN: SYSCALLS.length + 1,
  SIZE: SYSCALLS.length + 2,
} as const;

/** Counter slots of rows the launcher counts itself. */
export const STAT_ROW = { execve: SYSCALLS.findIndex((r) => r.name === "execve") } as const;

// The CPU times (float64 nanoseconds, one per row and one for unknown calls) follow the counters.
const TIMES_AT = Math.ceil((STAT.SIZE * 4) / 8) * 8;
const TIMES = SYSCALLS.length + 1;
/** The CPU-time slot (cpuTimes) of calls not in the table. */
export const TIME_UNKNOWN = SYSCALLS.length;

/** Allocates the shared counters. */
export function newStats(): Int32Array {
  const sab = new SharedArrayBuffer(TIMES_AT + TIMES * 8);
  return new Int32Array(sab, 0, STAT.SIZE);
}

/**
 * The supervisor's CPU time per table row in nanoseconds (the last slot: calls
 * not in the table), a view on the same shared memory as `stats`.
 */
export function cpuTimes(stats: Int32Array): Float64Array {
  return new Float64Array(stats.buffer, TIMES_AT, TIMES);
}

/** One row of `--stats`: notifications of a syscall and the supervisor CPU time they took. */
export interface RowStats {
  name: string;
  count: number;
  ns: number;
}

/** Notification counts by syscall name, non-zero ones only, most frequent first. */
export function countsByName(stats: Int32Array): RowStats[] {
  const times = cpuTimes(stats);
  return SYSCALLS.map((r, i) => ({ name: r.name, count: stats[i], ns: times[i] })).filter((r) => r.count > 0).sort((a, b) => b.count - a.count);
}

/**
 * The calling thread's CPU time (user and system), read with one
 * clock_gettime per lap. CPU time, not wall time: with sync wake-up the tracee
 * just answered preempts the supervisor inside SEND, and wall time would count
 * that wait as the supervisor's cost.
 */
export class ThreadClock {
  private readonly ts = new Int32Array(4);
  private readonly ptr: number;
  private last: number;

  constructor(private readonly L: Libc) {
    this.ptr = stablePtr(this.ts);
    this.last = this.now();
  }

  /** Nanoseconds of CPU this thread used since the previous lap (or since construction). */
  lap(): number {
    const t = this.now();
    const d = t - this.last;
    this.last = t;
    return d;
  }

  private now(): number {
    this.L.clock_gettime(CLOCK_THREAD_CPUTIME_ID, this.ptr);
    // struct timespec: 64-bit tv_sec, 64-bit tv_nsec (x86_64, aarch64); a thread's seconds fit in 32 bits.
    return this.ts[0] * 1e9 + this.ts[2];
  }
}
