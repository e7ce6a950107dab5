/**
 * Aggregation of identical violation reports. A build that retries a denied
 * call in a loop would otherwise spend its time (and the supervisor's: each
 * report reads three /proc files) printing the same six lines; every tracee
 * waits while the supervisor writes. The first REPEATS reports of a call are
 * printed, later identical ones are only counted, and the run summary says how
 * many were suppressed.
 */

/** How many times the same report (same call text) is printed before it is aggregated. */
export const REPEATS = 3;
/** Distinct calls remembered; beyond this every new call is printed (memory stays bounded). */
export const MAX_TRACKED = 50_000;

/** Decides which reports to print. One per supervisor thread. */
export class ReportThrottle {
  private readonly seen = new Map<string, number>();

  /** Should the report of `call` be printed? Counts it either way. */
  admit(call: string): boolean {
    const n = this.seen.get(call);
    if (n === undefined) {
      if (this.seen.size < MAX_TRACKED) this.seen.set(call, 1);
      return true;
    }
    this.seen.set(call, n + 1);
    return n < REPEATS;
  }
}
