/** Shared pieces of the observability tests. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkEvent } from "../../src/report/dump";

/** A fresh scratch directory. */
export function scratch(tag: string): string {
  return mkdtempSync(join(tmpdir(), `sydbox-obs-${tag}-`));
}

/** Parses a dump: every line must be JSON valid against the schema (throws naming the line otherwise). */
export function parseDump(text: string): Array<Record<string, any>> {
  const lines = text.split("\n");
  if (lines.pop() !== "") throw new Error("dump does not end with a newline");
  return lines.map((line, i) => {
    const e = JSON.parse(line);
    const errs = checkEvent(e);
    if (errs.length) throw new Error(`dump line ${i + 1} ${line}: ${errs.join("; ")}`);
    return e;
  });
}

/** The stderr lines of the text summary. */
export function summaryLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("sydbox: summary:"));
}

/** The JSON summary line of stderr, parsed. */
export function jsonSummary(stderr: string): any {
  const line = stderr.split("\n").find((l) => l.startsWith('{"summary":'));
  return line === undefined ? undefined : JSON.parse(line).summary;
}
