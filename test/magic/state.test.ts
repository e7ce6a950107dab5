/**
 * ProcessStates against real processes (this test's own children): inheritance
 * by pid allocation order, threads mapped to their process, and pruning of
 * exited processes so memory stays bounded.
 */
import { expect, test } from "bun:test";
import { applyMagic } from "../../src/config/magic";
import { loadConfig } from "../../src/config/sources";
import { ProcessStates } from "../../src/supervisor/state";

const base = () => loadConfig({ sources: [{ kind: "magic", value: "core/sandbox/write:deny" }], env: undefined });
const withMagic = (states: ProcessStates, pid: number, cmd: string) => {
  const cfg = structuredClone(states.of(pid).cfg);
  applyMagic(cfg, cmd);
  states.replace(pid, cfg);
};

test("a child gets its parent's state as it was when the child was forked, however late it is first seen", async () => {
  // We play the parent: our own process is the one that changes state.
  const states = new ProcessStates(base(), -1, process.ppid);
  expect(states.of(process.pid)).toBe(states.initial);
  const before = Bun.spawn(["sleep", "5"]);
  withMagic(states, process.pid, "core/sandbox/write:off");
  const after = Bun.spawn(["sleep", "5"]);
  withMagic(states, process.pid, "core/sandbox/write:allow");
  const later = Bun.spawn(["sleep", "5"]);
  // First seen only now, after both changes.
  expect(states.of(later.pid).cfg.core.sandbox.write).toBe("allow");
  expect(states.of(after.pid).cfg.core.sandbox.write).toBe("off");
  expect(states.of(before.pid).cfg.core.sandbox.write).toBe("deny");
  expect(states.of(process.pid).cfg.core.sandbox.write).toBe("allow");
  // A child's own change stays its own.
  withMagic(states, after.pid, "core/sandbox/write:bpf");
  expect(states.of(after.pid).cfg.core.sandbox.write).toBe("bpf");
  expect(states.of(process.pid).cfg.core.sandbox.write).toBe("allow");
  for (const p of [before, after, later]) p.kill();
  await Promise.all([before.exited, after.exited, later.exited]);
});

test("children share their parent's State object until one changes (copy-on-write)", async () => {
  const states = new ProcessStates(base(), -1, process.ppid);
  withMagic(states, process.pid, "allowlist/write+/tmp/***");
  const a = Bun.spawn(["sleep", "5"]), b = Bun.spawn(["sleep", "5"]);
  expect(states.of(a.pid)).toBe(states.of(process.pid));
  expect(states.of(b.pid)).toBe(states.of(a.pid));
  a.kill(); b.kill();
  await Promise.all([a.exited, b.exited]);
});

test("exited processes are pruned: 600 short-lived children leave a bounded map", async () => {
  const states = new ProcessStates(base(), -1, process.ppid);
  withMagic(states, process.pid, "core/sandbox/write:off");
  for (let i = 0; i < 600; i++) {
    const p = Bun.spawn(["true"]);
    states.of(p.pid);
    await p.exited;
  }
  // At most one prune interval (256) of dead entries, plus us.
  expect(states.size.procs).toBeLessThan(300);
  states.prune();
  expect(states.size.procs).toBeLessThanOrEqual(2);
}, 60000);

test("known(): every process while nothing changed, then only a process seen since, never by a look at /proc", async () => {
  const states = new ProcessStates(base(), -1, process.ppid);
  const child = Bun.spawn(["sleep", "5"]);
  expect(states.known(child.pid)).toBe(states.initial);
  withMagic(states, process.pid, "core/trace/magic_lock:exec");
  expect(states.known(child.pid)).toBeNull(); // not seen yet: only of() looks it up
  expect(states.size.procs).toBeGreaterThan(0);
  const before = states.size.procs;
  expect(states.known(child.pid)).toBeNull();
  expect(states.size.procs).toBe(before); // known() adopted nothing
  states.onExec(process.pid);
  expect(states.known(process.pid)?.lock).toBe("on");
  expect(states.of(child.pid)).toBe(states.known(child.pid)!);
  child.kill();
  await child.exited;
});
