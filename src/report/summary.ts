/**
 * The run summary: what was denied, per category, and the magic commands that
 * would have allowed it.
 *
 * The supervisor Worker counts violations in a {@link ViolationLog} (one call
 * per reported violation, never on an allowed call) and hands its plain-data
 * {@link ViolationSummary} to the main thread with its "done" message. The
 * summary describes violations as reported, so core/violation/decision and
 * exit_code do not change it; filter/* patterns and bpf modes, which make a
 * denial silent, keep it out.
 */
import { byteStringToText as text } from "../policy/bytes";
import type { RuleCategory } from "../config/vocabulary";

/** Where a violation belongs: a rule category, or a socket family sydbox does not decode. */
export type ViolationKind = RuleCategory | "family";

/** The order categories are printed and learned in. */
export const VIOLATION_KINDS: readonly ViolationKind[] = ["exec", "read", "write", "bind", "connect", "family"];

/** Distinct subjects kept per category: enough for any build, bounded for a runaway loop. */
export const MAX_SUBJECTS = 100_000;

/** One category's violations. */
export interface KindSummary {
  /** Violations reported in this category. */
  count: number;
  /** Distinct paths, addresses (`inet:1.2.3.4@80`) or families (`10`), in first-seen order. */
  subjects: string[];
  /** Distinct subjects not kept because of {@link MAX_SUBJECTS}. */
  dropped: number;
}

/** Every violation of a run, as plain data (it crosses threads by postMessage). */
export interface ViolationSummary {
  total: number;
  /** Identical reports counted but not printed (see throttle.ts). */
  suppressed: number;
  /** True when the run was a dry run: the violations were recorded, not denied. */
  dryRun: boolean;
  kinds: Partial<Record<ViolationKind, KindSummary>>;
}

/** Collects violations as they are reported. One per supervisor thread. */
export class ViolationLog {
  private readonly seen = new Map<ViolationKind, Set<string>>();
  private readonly data: ViolationSummary;

  constructor(dryRun: boolean) {
    this.data = { total: 0, suppressed: 0, dryRun, kinds: {} };
  }

  /** Records one violation of `kind` about `subjects` (the paths or address the call named). */
  add(kind: ViolationKind, subjects: readonly string[]): void {
    this.data.total++;
    const k = (this.data.kinds[kind] ??= { count: 0, subjects: [], dropped: 0 });
    k.count++;
    let seen = this.seen.get(kind);
    if (!seen) this.seen.set(kind, (seen = new Set()));
    for (const s of subjects) {
      if (seen.has(s)) continue;
      if (k.subjects.length >= MAX_SUBJECTS) { k.dropped++; continue; }
      seen.add(s);
      k.subjects.push(s);
    }
  }

  /** Counts a report that was not printed because it repeated an earlier one. */
  suppress(): void {
    this.data.suppressed++;
  }

  /** The summary so far (shared, not copied: postMessage copies it). */
  summary(): ViolationSummary {
    return this.data;
  }
}

/** The magic key whose `+` would allow a violation of `kind`. */
export function allowKey(kind: ViolationKind): string {
  switch (kind) {
    case "bind": return "allowlist/network/bind";
    case "connect": return "allowlist/network/connect";
    case "family": return "core/allowlist/unsupported_socket_families";
    default: return `allowlist/${kind}`;
  }
}

/**
 * Can an allowlist entry allow this subject? Not a path that is not absolute:
 * sydbox reports a call by the path the tracee wrote when it could not resolve
 * it (an openat2 scoped lookup it cannot follow), and denies that call whatever
 * the lists say; patterns match resolved, absolute paths only.
 */
export function allowable(kind: ViolationKind, subject: string): boolean {
  return kind === "bind" || kind === "connect" || kind === "family" || subject.startsWith("/");
}

/** The magic commands that would allow `subjects` of `kind` (those that can be: see allowable). */
export function allowCommands(kind: ViolationKind, subjects: readonly string[]): string[] {
  if (kind === "family") return subjects.length ? [`${allowKey(kind)}:true`] : [];
  return subjects.filter((s) => allowable(kind, s)).map((s) => `${allowKey(kind)}+${allowPattern(kind, s)}`);
}

/**
 * The pattern matching exactly `subject`: a path, or an address (`inet:1.2.3.4@80` is
 * exact already; the glob of `unix:PATH` and `unix-abstract:NAME` is escaped).
 */
export function allowPattern(kind: Exclude<ViolationKind, "family">, subject: string): string {
  if (kind !== "bind" && kind !== "connect") return escapePattern(subject);
  const glob = /^(unix|unix-abstract):/.exec(subject);
  return glob ? glob[0] + escapePattern(subject.slice(glob[0].length)) : subject;
}

/** A path as a wildmatch pattern matching only itself. */
export function escapePattern(path: string): string {
  return path.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** How many subjects (and commands) the text summary shows per category. */
export const SHOWN = 3;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The summary as a short block of `sydbox: ` lines, or "" without violations. */
export function formatSummaryText(s: ViolationSummary): string {
  if (s.total === 0) return "";
  const lines = [`${s.total} violation${s.total === 1 ? "" : "s"}${s.dryRun ? " (dry run: recorded, not denied)" : ""}:`];
  const allow: string[] = [];
  for (const kind of VIOLATION_KINDS) {
    const k = s.kinds[kind];
    if (!k) continue;
    const distinct = k.subjects.length + k.dropped;
    const shown = k.subjects.slice(0, SHOWN).map(text).join(", ");
    lines.push(`  ${kind}: ${k.count} (${distinct} distinct): ${shown}${distinct > SHOWN ? `, and ${distinct - SHOWN} more` : ""}`);
    allow.push(...allowCommands(kind, k.subjects.slice(0, SHOWN)).map((c) => `-m ${quote(text(c))}`));
  }
  if (s.suppressed > 0) lines.push(`  ${s.suppressed} identical report${s.suppressed === 1 ? "" : "s"} suppressed (aggregated; counted above)`);
  if (allow.length) lines.push(`  to allow${VIOLATION_KINDS.some((k) => (s.kinds[k]?.subjects.length ?? 0) > SHOWN) ? " the first of each" : ""}: ${allow.join(" ")}`);
  else lines.push("  to allow: no allowlist entry can: these calls were lookups sydbox cannot follow, denied whatever the lists say");
  return lines.map((l) => `sydbox: summary: ${l}\n`).join("");
}

/** The summary as one JSON line (always printed when asked for, violations or not). */
export function formatSummaryJson(s: ViolationSummary): string {
  const kinds: Record<string, unknown> = {};
  for (const kind of VIOLATION_KINDS) {
    const k = s.kinds[kind];
    if (!k) continue;
    kinds[kind] = {
      count: k.count,
      distinct: k.subjects.length + k.dropped,
      first: k.subjects.slice(0, SHOWN).map(text),
      allow: allowCommands(kind, k.subjects.slice(0, SHOWN)).map(text),
    };
  }
  return JSON.stringify({ summary: { violations: s.total, suppressed: s.suppressed, dry_run: s.dryRun, categories: kinds } }) + "\n";
}

/** An empty summary (a run that never reached the supervisor). */
export function emptySummary(dryRun = false): ViolationSummary {
  return { total: 0, suppressed: 0, dryRun, kinds: {} };
}
