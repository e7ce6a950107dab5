/**
 * Runs sydbox in tests. By default the sources run under the same Bun as the
 * tests (always current); SYDBOX_BIN=dist/sydbox tests the compiled binary.
 */
import { join } from "node:path";
import { parseStats } from "../../bench/lib/sydstats";

/** The repository root. */
export const ROOT = join(import.meta.dir, "..", "..");
/** The compiled binary, as `npm test` builds it. */
export const DIST = join(ROOT, "dist", "sydbox");

/** The argv prefix that starts sydbox. */
export function sydboxCommand(): string[] {
  const bin = process.env.SYDBOX_BIN;
  return bin ? [bin] : [process.execPath, join(ROOT, "src", "main.ts")];
}

/** The outcome of one sydbox run. */
export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `sydbox ...args` to completion. */
export async function sydbox(args: string[], opts: { stdin?: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<Result> {
  const p = Bun.spawn([...sydboxCommand(), ...args], {
    stdin: opts.stdin !== undefined ? new TextEncoder().encode(opts.stdin) : "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: opts.env ?? (process.env as Record<string, string>),
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? 30000,
  });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  await p.exited;
  return { status: p.exitCode ?? 128 + (p.signalCode ? (require("node:os").constants.signals[p.signalCode] ?? 0) : 0), stdout, stderr };
}

/** Notification counts by syscall from `--stats` output (parsed as the build bench does). */
export function statsCounts(stderr: string): Record<string, number> {
  return Object.fromEntries(parseStats(stderr)?.bySyscall ?? []);
}

/** Runs `fn` with a fresh temporary directory named after `prefix`, removed afterwards whatever happens. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = require("node:fs").mkdtempSync(join(require("node:os").tmpdir(), prefix)) as string;
  try {
    return await fn(dir);
  } finally {
    require("node:fs").rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until `path` exists, looking every 25 ms for at most `ms`; true if it does. */
export async function waitForFile(path: string, ms = 10_000): Promise<boolean> {
  const fs = require("node:fs") as typeof import("node:fs");
  for (let waited = 0; waited < ms && !fs.existsSync(path); waited += 25) await Bun.sleep(25);
  return fs.existsSync(path);
}

/** Waits until `cond()` holds, looking every 20 ms; throws naming `what` after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}
