/**
 * Runs sydbox in tests. The end-to-end tests run dist/sydbox, the compiled binary
 * users get (`npm test` builds it first); the first run names the binary on stderr.
 * SYDBOX_BIN=path runs another binary, SYDBOX_BIN=src the sources under the tests' Bun.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseStats } from "../../bench/lib/sydstats";

/** The repository root. */
export const ROOT = join(import.meta.dir, "..", "..");
/** The compiled binary, as `npm test` builds it. */
export const DIST = join(ROOT, "dist", "sydbox");

/** The newest source the binary is built from (src/, ffi/, profiles/, build.ts, package.json) and its mtime. */
function newestSource(): [string, number] {
  let newest: [string, number] = ["", 0];
  const see = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const n of readdirSync(p)) see(join(p, n));
    else if (st.mtimeMs > newest[1]) newest = [p, st.mtimeMs];
  };
  for (const p of ["src", "ffi", "profiles", "build.ts", "package.json"]) see(join(ROOT, p));
  return newest;
}

/** dist/sydbox, refusing a missing or stale one: a test of an old build proves nothing about the sources. */
function builtBinary(): string {
  const rebuild = "run `bun run build.ts` (npm test does), or set SYDBOX_BIN=src to test the sources";
  if (!existsSync(DIST)) throw new Error(`dist/sydbox is missing: ${rebuild}`);
  const [file, mtime] = newestSource();
  if (mtime > statSync(DIST).mtimeMs) throw new Error(`dist/sydbox is older than ${file.slice(ROOT.length + 1)}: ${rebuild}`);
  return DIST;
}

let command: string[] | undefined;

/** The argv prefix that starts sydbox: dist/sydbox unless SYDBOX_BIN says otherwise. */
export function sydboxCommand(): string[] {
  if (command) return command;
  const bin = process.env.SYDBOX_BIN;
  command = bin === "src" ? [process.execPath, join(ROOT, "src", "main.ts")] : [bin || builtBinary()];
  process.stderr.write(`end-to-end tests run: ${command.join(" ")}\n`);
  return command;
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
