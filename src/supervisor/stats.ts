/**
 * Counters shared between the supervisor Worker and the main thread through a
 * SharedArrayBuffer, so `--stats` and the exit status can read them without
 * messages on the hot path.
 */
import { SYSCALLS } from "../syscalls/table";

/** Slot layout: one notification counter per table row, then the fixed counters. */
export const STAT = {
  VIOLATIONS: SYSCALLS.length,
  SUPERVISOR_NS_HI: SYSCALLS.length + 1,
  SUPERVISOR_NS_LO: SYSCALLS.length + 2,
  UNKNOWN: SYSCALLS.length + 3,
  SIZE: SYSCALLS.length + 4,
} as const;

/** Counter slots of rows the launcher counts itself. */
export const STAT_ROW = { execve: SYSCALLS.findIndex((r) => r.name === "execve") } as const;

/** Allocates the shared counters. */
export function newStats(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(STAT.SIZE * 4));
}

/** Notification counts by syscall name, non-zero ones only, most frequent first. */
export function countsByName(stats: Int32Array): Array<[string, number]> {
  return SYSCALLS.map((r, i) => [r.name, stats[i]] as [string, number]).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
}
