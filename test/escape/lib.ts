/**
 * Shared setup of the escape suite: a directory with an allowed part (ok/) and a denied
 * part (no/), and the sydbox arguments that sandbox writes to it, with emulation on or off.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory T with T/ok (writable in the sandbox) and T/no (denied). */
export function arena(): { dir: string; ok: string; no: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "sydbox-escape-"));
  const ok = join(dir, "ok"), no = join(dir, "no");
  mkdirSync(ok);
  mkdirSync(no);
  return { dir, ok, no, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * sydbox options: write sandboxing on, writes allowed under `dir`/ok only, with emulation
 * on or off. Denials under `dir`/no are filtered (not reported): the races make thousands.
 */
export function writeSandbox(dir: string, emulate: boolean, extra: string[] = []): string[] {
  return [
    "-m", `core/trace/emulate:${emulate}`,
    "-m", "core/sandbox/write:deny",
    "-m", `allowlist/write+${dir}/ok/***`,
    "-m", `filter/write+${dir}/no/***`,
    ...extra,
  ];
}

/** The two modes every escape is tried in. */
export const MODES = [
  { name: "CONTINUE", emulate: false },
  { name: "emulation", emulate: true },
] as const;
