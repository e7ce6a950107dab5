/** Reads what sydbox prints on stderr: the `--stats` summary and access violation reports. */

/** `sydbox --stats` of one run, or the sum over several runs. */
export interface SydStats {
  notifications: number;
  violations: number;
  /** The supervisor's CPU time for notifications (--stats timing). */
  supervisorMs: number;
  /** Notifications by syscall name. */
  bySyscall: Map<string, number>;
}

const SUMMARY = /^sydbox: stats: (\d+) notifications, (\d+) violations, supervisor time ([\d.]+) ms/;
// A count, then (since --stats measures CPU per syscall) the time each took.
const COUNT = /^sydbox: stats: (\w+) (\d+)(?: \([\d.]+ us each\))?$/;

/** Parses the `sydbox: stats:` lines of a run's stderr; undefined when sydbox printed none (it crashed or was killed). */
export function parseStats(stderr: string): SydStats | undefined {
  let out: SydStats | undefined;
  for (const line of stderr.split("\n")) {
    const s = SUMMARY.exec(line);
    if (s) {
      out = { notifications: Number(s[1]), violations: Number(s[2]), supervisorMs: Number(s[3]), bySyscall: new Map() };
      continue;
    }
    const c = out && COUNT.exec(line);
    if (c) out!.bySyscall.set(c[1], Number(c[2]));
  }
  return out;
}

/** Sum of several runs' stats (e.g. the configure and make phases of one build). */
export function addStats(list: SydStats[]): SydStats {
  const sum: SydStats = { notifications: 0, violations: 0, supervisorMs: 0, bySyscall: new Map() };
  for (const s of list) {
    sum.notifications += s.notifications;
    sum.violations += s.violations;
    sum.supervisorMs += s.supervisorMs;
    for (const [k, n] of s.bySyscall) sum.bySyscall.set(k, (sum.bySyscall.get(k) ?? 0) + n);
  }
  return sum;
}

const CSUP = /^csup: stats: syscall (\d+): (\d+) \(([\d.]+) us each\)$/m;

/**
 * The C yardstick's `--stats` lines (`csup: stats: syscall N: COUNT (T us each)`) in the
 * same shape, names from `names` (by number); undefined when csup printed none.
 */
export function parseCsupStats(stderr: string, names: Map<number, string>): SydStats | undefined {
  let out: SydStats | undefined;
  for (const line of stderr.split("\n")) {
    const m = CSUP.exec(line);
    if (!m) continue;
    out ??= { notifications: 0, violations: 0, supervisorMs: 0, bySyscall: new Map() };
    const n = Number(m[2]);
    out.notifications += n;
    out.supervisorMs += (n * Number(m[3])) / 1000;
    const name = names.get(Number(m[1])) ?? `nr ${m[1]}`;
    out.bySyscall.set(name, (out.bySyscall.get(name) ?? 0) + n);
  }
  return out;
}

const START = "sydbox: 8< -- Access Violation! --";
const END = "sydbox: >8 --";

/**
 * The access violation reports in stderr, each joined to one line without the
 * `sydbox: ` prefixes, e.g. "open(`/etc/shadow') | proc: cat[12] (parent:11) | cwd: ...".
 */
export function violationReports(stderr: string): string[] {
  const reports: string[] = [];
  let cur: string[] | undefined;
  // Reports are written in one write(2) each, but stderr is shared with the build's own
  // output: strip colour codes and match whole lines only.
  for (const raw of stderr.split("\n")) {
    const line = raw.replace(/\x1b\[[\d;]*m/g, "");
    if (line === START) cur = [];
    else if (line === END && cur) {
      reports.push(cur.join(" | "));
      cur = undefined;
    } else if (cur && line.startsWith("sydbox: ")) cur.push(line.slice(8));
  }
  return reports;
}
