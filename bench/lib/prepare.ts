/** Build steps the bench needs before measuring: the C load programs and dist/sydbox. */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { runBounded, describeFailure } from "./proc";

/** Repository root, bench sources and the gitignored build directory. */
export const ROOT = join(import.meta.dir, "..", "..");
export const BUILD = join(ROOT, "bench", ".build");
export const SYDBOX = join(ROOT, "dist", "sydbox");

const C_PROGRAMS = ["statbench", "spawnloop", "csup"];

/**
 * Compiles every bench/c program with cc -O2 into bench/.build. Always recompiles:
 * it takes under a second and avoids timing a stale binary.
 */
export async function compileC(): Promise<void> {
  mkdirSync(BUILD, { recursive: true });
  for (const name of C_PROGRAMS) {
    const src = join(ROOT, "bench", "c", `${name}.c`);
    const r = await runBounded(["cc", "-O2", "-Wall", "-o", join(BUILD, name), src, "-lpthread"], 60_000);
    if (r.code !== 0) throw new Error(`cc ${name}.c failed: ${describeFailure(r, 60_000)}\n${r.stderr}`);
  }
}

/** Path of a compiled bench program. */
export function program(name: string): string {
  return join(BUILD, name);
}

/** Builds dist/sydbox with build.ts when it is missing or a rebuild is asked for. */
export async function ensureSydbox(rebuild: boolean): Promise<void> {
  if (existsSync(SYDBOX) && !rebuild) return;
  console.log("bench: building dist/sydbox (bun run build.ts)");
  const r = await runBounded([process.execPath, "run", "build.ts"], 300_000, ROOT);
  if (r.code !== 0 || !existsSync(SYDBOX)) {
    throw new Error(`build.ts failed: ${describeFailure(r, 300_000)}\n${r.stdout}${r.stderr}`);
  }
}

/** Short git HEAD of the repository, flagged when src/ has uncommitted changes (the binary may not match HEAD). */
export async function gitHead(): Promise<string> {
  const head = await runBounded(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], 10_000);
  const dirty = await runBounded(["git", "-C", ROOT, "status", "--porcelain", "--", "src"], 10_000);
  return `${head.stdout.trim() || "?"}${dirty.stdout.trim() ? " (src/ has uncommitted changes)" : ""}`;
}
