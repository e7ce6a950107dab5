/**
 * Compiles the C helpers under test/c with the system compiler, once per
 * source change, into test/.build.
 */
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./sydbox";

const BUILD = join(ROOT, "test", ".build");

/** Path of the compiled helper `name` (test/c/NAME.c), building it if stale. */
export function cc(name: string, flags: string[] = []): string {
  const src = join(ROOT, "test", "c", `${name}.c`);
  const out = join(BUILD, name + (flags.length ? "-" + flags.join("").replace(/[^a-z0-9]/gi, "") : ""));
  mkdirSync(BUILD, { recursive: true });
  let fresh = false;
  try { fresh = statSync(out).mtimeMs >= statSync(src).mtimeMs; } catch {}
  if (!fresh) {
    const r = Bun.spawnSync(["cc", "-O2", "-Wall", "-o", out, src, "-lpthread", ...flags], { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`cc ${name}.c failed: ${r.stderr.toString()}`);
  }
  return out;
}
