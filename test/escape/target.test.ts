/**
 * Issue #19, class 6: sydbox as a target. A tracee once lowered sydbox's RLIMIT_NOFILE to 0
 * with prlimit64; sydbox's poll on its listener then failed with EINVAL at once, forever: it
 * spun at 100% CPU and ignored SIGTERM. The resource-limit and scheduling calls aimed at
 * sydbox or the reaper (its watchdog is a thread of it) are refused like signals, and an
 * unexpected error in the supervisor loop is fatal: the tree is killed, sydbox exits with a
 * message.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { cc } from "../lib/cc";
import { sydboxCommand } from "../lib/sydbox";
import { sydbox } from "../lib/sydbox";

const TIMEOUT = 60000;
const CALLS = ["prlimit64", "setpriority", "setpriority-pgrp", "ioprio_set", "sched_setaffinity", "sched_setscheduler", "sched_setparam", "sched_setattr"];
const parse = (out: string) => Object.fromEntries(out.trim().split("\n").filter(Boolean).map((l) => l.split(" ")));
const nofileOf = (pid: number) => /^Max open files\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, "utf8"))?.[1];

test("natively, every call reaches another process of the same user (the attack is real)", async () => {
  // A process group of its own, so that setpriority(PRIO_PGRP) renices nothing else.
  const victim = Bun.spawn(["setsid", "sleep", "30"]);
  try {
    await Bun.sleep(200);
    const pid = Number(Bun.spawnSync(["pgrep", "-n", "-P", String(victim.pid), "-x", "sleep"]).stdout.toString()) || victim.pid;
    const r = Bun.spawnSync([cc("target"), String(pid)]);
    expect(parse(r.stdout.toString())).toEqual(Object.fromEntries(CALLS.map((c) => [c, "0"])));
    const n = Bun.spawnSync([cc("target"), "nofile", String(pid)]);
    expect(n.stdout.toString()).toStartWith("prlimit64 0");
    expect(nofileOf(pid)).toBe("0");
  } finally {
    victim.kill(9);
  }
}, TIMEOUT);

for (const who of ["sydbox", "reaper"]) {
  test(`under sydbox, each is refused (EPERM) when aimed at the ${who}`, async () => {
    const r = await sydbox(["-m", "core/sandbox/write:deny", "--", cc("target"), who]);
    expect({ status: r.status, out: parse(r.stdout) }).toEqual({ status: 0, out: Object.fromEntries(CALLS.map((c) => [c, "1"])) });
  }, TIMEOUT);
}

test("the original attack: prlimit64(sydbox, RLIMIT_NOFILE, 0) is refused and sydbox serves on", async () => {
  const r = await sydbox(["-m", "core/sandbox/write:deny", "-m", "allowlist/write+/dev/null", "--", cc("target"), "nofile", "sydbox"], { timeoutMs: 30000 });
  expect({ status: r.status, out: r.stdout.trim() }).toEqual({ status: 0, out: "prlimit64 1" });
  expect(r.stderr).toContain("prlimit64(");
}, TIMEOUT);

test("the caller's own limits and priority stay its business", async () => {
  const r = await sydbox(["-m", "core/sandbox/write:deny", "--", "sh", "-c", "ulimit -n 64 && nice -n 1 true && echo ok"]);
  expect({ status: r.status, out: r.stdout.trim(), err: r.stderr }).toEqual({ status: 0, out: "ok", err: "" });
}, TIMEOUT);

test("a supervisor that cannot poll its listener (RLIMIT_NOFILE 0, set from outside) exits with a message, not a spin", async () => {
  const p = Bun.spawn([...sydboxCommand(), "-m", "core/sandbox/write:deny", "-m", "allowlist/write+/dev/null", "--", cc("target"), "open", "2"], { stdout: "pipe", stderr: "pipe", timeout: 40000 });
  await Bun.sleep(1000);
  expect(Bun.spawnSync(["prlimit", "--pid", String(p.pid), "--nofile=0:0"]).exitCode).toBe(0);
  const t0 = performance.now();
  const stderr = await new Response(p.stderr).text();
  await p.exited;
  // Before the fix: killed by the timeout after spinning. Now: the loop fails once and sydbox exits.
  expect({ signal: p.signalCode, status: p.exitCode }).toEqual({ signal: null, status: 1 });
  // Which call fails first depends on timing: the poll (EINVAL above the limit), a RECV, or the
  // answer of a call whose emulation found no free descriptor; each ends the run the same way.
  expect(stderr).toMatch(/sydbox: supervisor failed: .*((poll|RECV).*errno|left unanswered)/);
  expect(performance.now() - t0).toBeLessThan(20000);
}, TIMEOUT);
