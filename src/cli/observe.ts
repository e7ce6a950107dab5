/**
 * The main thread's part of observability around one run: opening the -d
 * dump (and announcing a temp dump's path), and at exit the run summary and
 * the sydbox-exit event.
 */
import { closeDump, Dump, openDump, type DumpTarget } from "../report/dump";
import { formatSummaryJson, formatSummaryText, type ViolationSummary } from "../report/summary";
import { nodeFs } from "../lazy-node";

// writeSync, not process.stderr: building Bun's stderr stream costs milliseconds
// at the end of every run, and nothing is written at all when there is nothing to say.
const err = (s: string) => { if (s) nodeFs().writeSync(2, s); };

/** An open -d dump. */
export interface RunDump {
  target: DumpTarget;
  dump: Dump;
}

/** Opens `-d SPEC` (none without -d); a temp dump's path is printed now and at exit. */
export function openRunDump(spec: string | undefined): RunDump | null {
  if (spec === undefined) return null;
  const target = openDump(spec);
  if (target.announce) err(`sydbox: dumping events to ${target.path}\n`);
  return { target, dump: new Dump(target.fd) };
}

/** Prints the summary as asked (text: only when there were violations) and closes the dump with sydbox's exit. */
export function finishRun(d: RunDump | null, summary: ViolationSummary, format: "off" | "text" | "json", status: number): void {
  if (format === "text") err(formatSummaryText(summary));
  else if (format === "json") err(formatSummaryJson(summary));
  if (!d) return;
  d.dump.event("sydbox-exit", { status, violations: summary.total, suppressed: summary.suppressed });
  closeDump(d.target);
  if (d.target.announce) err(`sydbox: events dumped to ${d.target.path}\n`);
}
