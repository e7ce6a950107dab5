/** src/procfs.ts against real processes, including a command name with spaces and parentheses. */
import { expect, test } from "bun:test";
import { dlopen, FFIType } from "bun:ffi";
import { readdirSync } from "node:fs";
import { childrenByParent, ProcNumber, procIdentity, procStat, procStatus, startTicks } from "../src/procfs";

/** The kernel's own answer for our session, to check the parse against (it is 0 where the session leader is outside our pid namespace, as on CI). */
const libc = dlopen("libc.so.6", { getsid: { args: [FFIType.i32], returns: FFIType.i32 }, getpgid: { args: [FFIType.i32], returns: FFIType.i32 } });

test("our own stat: the command name, our parent, our session and the state", () => {
  const s = procStat(process.pid)!;
  expect(Number(s.fields[1])).toBe(process.ppid);
  expect(s.fields[0]).toMatch(/^[RSD]$/);
  expect(Number(s.fields[2])).toBe(libc.symbols.getpgid(0));
  expect(Number(s.fields[3])).toBe(libc.symbols.getsid(0));
  expect(Number(s.fields[17])).toBeGreaterThanOrEqual(1); // threads
});

test("a command name with spaces and a parenthesis does not shift the fields", async () => {
  const name = "a) b (c"; // comm is at most 15 bytes
  const p = Bun.spawn(["perl", "-e", `$0 = "x"; open(my $f, ">", "/proc/self/comm"); print $f "${name}"; close $f; sleep 5`]);
  try {
    let s = procStat(p.pid);
    for (let i = 0; i < 100 && s?.comm !== name; i++) { await Bun.sleep(20); s = procStat(p.pid); }
    expect(s!.comm).toBe(name);
    expect(Number(s!.fields[1])).toBe(process.pid);
    expect(procIdentity(p.pid)).toEqual({ tgid: p.pid, ppid: process.pid, start: Number(s!.fields[19]) });
  } finally {
    p.kill();
  }
});

test("a process that is gone has no stat", async () => {
  const p = Bun.spawn(["true"]);
  await p.exited;
  expect(procStat(p.pid)).toBeNull();
});

test("the process table: a child and a grandchild are found under their parents, in pid order", async () => {
  const p = Bun.spawn(["sh", "-c", "sleep 5 & sleep 5 & wait"]);
  try {
    let kids: number[] = [];
    for (let i = 0; i < 100 && kids.length < 2; i++) {
      await Bun.sleep(20);
      kids = (childrenByParent().get(p.pid) ?? []).map((c) => c.pid);
    }
    expect(kids.length).toBe(2);
    expect(kids).toEqual([...kids].sort((a, b) => a - b));
    const table = childrenByParent();
    expect(table.get(process.pid)?.map((c) => c.pid)).toContain(p.pid);
    expect(table.get(p.pid)?.every((c) => c.stat.comm === "sleep")).toBe(true);
  } finally {
    p.kill();
  }
});

test("our own status: the thread group and the parent", () => {
  expect(procStatus(process.pid)).toEqual({ tgid: process.pid, ppid: process.ppid });
  expect(procStatus(2 ** 22 + 1)).toBeNull(); // above any pid_max: no such task
});

test("a task's identity from /proc: a leader from its stat alone, another thread of the process through its status", () => {
  const start = Number(procStat(process.pid)!.fields[19]);
  expect(procIdentity(process.pid)).toEqual({ tgid: process.pid, ppid: process.ppid, start });
  expect(startTicks(process.pid)).toBe(start);
  // Bun runs threads of its own: each is a task of this process.
  const threads = readdirSync(`/proc/${process.pid}/task`).map(Number).filter((t) => t !== process.pid);
  expect(threads.length).toBeGreaterThan(0);
  for (const tid of threads) expect(procIdentity(tid)).toEqual({ tgid: process.pid, ppid: process.ppid, start });
  expect(procIdentity(2 ** 22 + 1)).toBeNull();
  expect(startTicks(2 ** 22 + 1)).toBeNull();
});

test("a /proc number read again through one descriptor follows the kernel's value", async () => {
  const last = new ProcNumber("/proc/sys/kernel/ns_last_pid");
  const before = last.read();
  const p = Bun.spawn(["true"]);
  await p.exited;
  expect(last.read()).toBeGreaterThanOrEqual(p.pid > before ? p.pid : 0);
  expect(new ProcNumber("/proc/nonexistent").read()).toBeNaN();
});
