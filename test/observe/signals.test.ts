/**
 * SIGUSR1 and SIGUSR2 print the process tree and each process's sandbox state
 * on stderr, and the run goes on undisturbed (same output, same status).
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sydboxCommand, until } from "../lib/sydbox";
import { scratch } from "./lib";

const dir = scratch("sig");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("SIGUSR1 names a live child and its state; SIGUSR2 adds detail; the run is not disturbed", async () => {
  const pidFile = join(dir, "child.pid"), go = join(dir, "go");
  // The child waits for the test's go-ahead: it is surely alive while the tree is printed.
  const script = `sh -c 'while [ ! -e ${go} ]; do sleep 0.05; done; echo child-done' & echo $! > ${pidFile}; wait; exit 5`;
  const p = Bun.spawn([...sydboxCommand(), "-m", "core/sandbox/write:deny", "-m", `allowlist/write+${dir}/***`, "--", "sh", "-c", script], {
    stdout: "pipe", stderr: "pipe",
  });
  let stderr = "";
  const reader = (async () => { for await (const chunk of p.stderr) stderr += new TextDecoder().decode(chunk); })();
  try {
    await until(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n"), "the child's pid");
    const child = Number(readFileSync(pidFile, "utf8"));
    process.kill(p.pid, "SIGUSR1");
    await until(() => stderr.includes(`[${child}]`), "the SIGUSR1 tree");
    expect(stderr).toMatch(/^sydbox: process tree of sydbox\[\d+\]: \d+ process/m);
    expect(stderr).toMatch(new RegExp(`^sydbox:     sh\\[${child}\\] initial state: exec:off read:off write:deny network:bpf lock:off$`, "m"));
    const before = stderr.length;
    process.kill(p.pid, "SIGUSR2");
    await until(() => stderr.slice(before).includes("cmdline:") && stderr.slice(before).includes(`[${child}]`), "the SIGUSR2 tree");
    expect(stderr.slice(before)).toMatch(new RegExp(`sh\\[${child}\\] initial state: .* \\(parent:\\d+, threads:1\\)`));
    expect(stderr.slice(before)).toContain(`cwd: ${process.cwd()}`);
    expect(stderr.slice(before)).toMatch(/rules: exec 0, read 0, write 1, bind 0, connect 0/);
    await Bun.write(go, "");
    expect(await p.exited).toBe(5);
    expect(await new Response(p.stdout).text()).toBe("child-done\n");
    await reader;
    expect(stderr).not.toContain("Access Violation");
  } finally {
    p.kill("SIGKILL");
  }
}, 60_000);

test("a process that changed its state through magic shows its own state", async () => {
  const pidFile = join(dir, "own.pid"), go = join(dir, "own-go");
  const script = `sh -c 'test -e /dev/sydbox/core/sandbox/read:deny; test -e /dev/sydbox/allowlist/read+/***; while [ ! -e ${go} ]; do sleep 0.05; done' & echo $! > ${pidFile}; wait`;
  const p = Bun.spawn([...sydboxCommand(), "-m", "core/sandbox/write:deny", "-m", `allowlist/write+${dir}/***`, "--", "sh", "-c", script], { stdout: "pipe", stderr: "pipe" });
  let stderr = "";
  const reader = (async () => { for await (const chunk of p.stderr) stderr += new TextDecoder().decode(chunk); })();
  try {
    await until(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n"), "the child's pid");
    const child = Number(readFileSync(pidFile, "utf8"));
    // Ask until the child has made its change (its magic stats run after its pid is written).
    await until(() => {
      process.kill(p.pid, "SIGUSR1");
      return new RegExp(`sh\\[${child}\\] own state #1: exec:off read:deny`).test(stderr);
    }, "the child's own state");
    expect(stderr).toMatch(/^sydbox:   sh\[\d+\] initial state: exec:off read:off/m);
    await Bun.write(go, "");
    expect(await p.exited).toBe(0);
    await reader;
  } finally {
    p.kill("SIGKILL");
  }
}, 60_000);
