/** Helpers for the magic stat tests: run bash under sydbox, build the raw-stat helper. */
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, sydbox, type Result } from "../lib/sydbox";

const BUILD = join(ROOT, "test", ".build");

/** test/magic/magicstat.c, compiled once per change: `magicstat stat|lstat|fstatat|statx PATH...`. */
export function magicstat(): string {
  const src = join(ROOT, "test", "magic", "magicstat.c");
  const out = join(BUILD, "magicstat");
  mkdirSync(BUILD, { recursive: true });
  let fresh = false;
  try { fresh = statSync(out).mtimeMs >= statSync(src).mtimeMs; } catch {}
  if (!fresh) {
    const r = Bun.spawnSync(["cc", "-O2", "-Wall", "-o", out, src], { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`cc magicstat.c failed: ${r.stderr.toString()}`);
  }
  return out;
}

/** The wrapper under test. */
export const WRAPPER = join(ROOT, "profiles", "sydbox.bash");

/** Runs `bash -c script` under `sydbox ...opts --`. */
export function bash(opts: string[], script: string, env: Record<string, string> = {}): Promise<Result> {
  return sydbox([...opts, "--", "/bin/bash", "-c", script], { env: { ...(process.env as Record<string, string>), ...env } });
}

/** Quotes a string for bash ($'...' form, so control characters survive). */
export function q(s: string): string {
  return "$'" + [...Buffer.from(s, "utf8")].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : "\\x" + b.toString(16).padStart(2, "0"))).join("") + "'";
}
