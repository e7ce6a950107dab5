/**
 * src/launch/supervisor-thread.ts: the supervisor Worker starts once a
 * notification waits for it (or a process tree is asked for), not before; a
 * command that is quiet for a while is still supervised from its first
 * notified call on. Waits are for events (the command running, a report),
 * not fixed sleeps, so a loaded machine only makes them slower.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childrenByParent } from "../../src/procfs";
import { cc } from "../lib/cc";
import { sydboxCommand, until } from "../lib/sydbox";

const dir = mkdtempSync(join(tmpdir(), "sydbox-supervisor-thread-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The names of a process's threads; Bun names a Worker's thread "Worker". */
function threadNames(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((t) => {
    try { return readFileSync(`/proc/${pid}/task/${t}/comm`, "utf8").trim(); } catch { return ""; }
  });
}

/** Is a process named `comm` running below `root` (sydbox, then its child stage)? */
function runsBelow(root: number, comm: string): boolean {
  const table = childrenByParent();
  const below = (pid: number): boolean => (table.get(pid) ?? []).some((c) => c.stat.comm === comm || below(c.pid));
  return below(root);
}

function start(args: string[]) {
  const p = Bun.spawn([...sydboxCommand(), ...args], { stdout: "pipe", stderr: "pipe" });
  let stderr = "";
  const reader = (async () => { for await (const chunk of p.stderr) stderr += new TextDecoder().decode(chunk); })();
  return { p, reader, stderr: () => stderr };
}

test("a command that makes no notified call runs without a supervisor thread; under --stats it has one", async () => {
  const stats = start(["--stats", "-m", "core/sandbox/write:allow", "--", "sleep", "30"]);
  try {
    await until(() => threadNames(stats.p.pid).includes("Worker"), "the --stats supervisor thread");
  } finally {
    stats.p.kill("SIGKILL");
  }
  const quiet = start(["-m", "core/sandbox/write:allow", "--", "sleep", "1"]);
  try {
    await until(() => runsBelow(quiet.p.pid, "sleep"), "the command");
    await Bun.sleep(200); // the main thread looks at the listener at once, then 1, 2, 4... ms apart
    expect(threadNames(quiet.p.pid)).not.toContain("Worker");
    expect(await quiet.p.exited).toBe(0);
    await quiet.reader;
    expect(quiet.stderr()).toBe("");
  } finally {
    quiet.p.kill("SIGKILL");
  }
}, 60_000);

test("a first notified call after a quiet stretch is checked, denied and reported", async () => {
  const denied = join(dir, "denied");
  const quiet = cc("quiet");
  const run = start(["-m", "core/sandbox/write:deny", "--", quiet, "3", denied]);
  try {
    await until(() => runsBelow(run.p.pid, "quiet"), "the command");
    expect(threadNames(run.p.pid)).not.toContain("Worker");
    await until(() => run.stderr().includes("Access Violation"), "the violation report");
    expect(threadNames(run.p.pid)).toContain("Worker");
    expect(await run.p.exited).toBe(0);
    await run.reader;
    expect(await new Response(run.p.stdout).text()).toBe("errno 1\n"); // EPERM
    expect(run.stderr()).toContain(`openat(\`${denied}')`);
    expect(existsSync(denied)).toBe(false);
  } finally {
    run.p.kill("SIGKILL");
  }
}, 60_000);

test("SIGUSR1 to a run without a supervisor thread starts one and prints the tree", async () => {
  const run = start(["-m", "core/sandbox/write:allow", "--", "sleep", "30"]);
  try {
    await until(() => runsBelow(run.p.pid, "sleep"), "the command");
    expect(threadNames(run.p.pid)).not.toContain("Worker");
    run.p.kill("SIGUSR1");
    await until(() => /process tree of sydbox\[\d+\]/.test(run.stderr()) && run.stderr().includes("sleep["), "the SIGUSR1 tree");
    expect(threadNames(run.p.pid)).toContain("Worker");
  } finally {
    run.p.kill("SIGKILL");
  }
}, 60_000);
