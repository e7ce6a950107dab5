/**
 * src/supervisor/task-identity.ts against real tasks: the process, its parent and an
 * identity of the process, the same from any of its threads, none for a task that is gone,
 * and another for a new process. Through pidfds where the kernel has PIDFD_GET_INFO, from
 * /proc elsewhere; either way the answers must agree with /proc's.
 */
import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { procIdentity } from "../../src/procfs";
import { processIdentity, taskIdentity } from "../../src/supervisor/task-identity";

test("our process from any of its threads: tgid and parent as /proc says, one identity", () => {
  const me = taskIdentity(process.pid)!;
  const proc = procIdentity(process.pid)!;
  expect({ tgid: me.tgid, ppid: me.ppid }).toEqual({ tgid: proc.tgid, ppid: proc.ppid });
  expect(processIdentity(process.pid)).toBe(me.start);
  const threads = readdirSync(`/proc/${process.pid}/task`).map(Number).filter((t) => t !== process.pid);
  expect(threads.length).toBeGreaterThan(0); // Bun's own threads
  for (const tid of threads) expect(taskIdentity(tid)).toEqual(me);
});

test("a child: its own identity, another than its sibling's, and its parent; none once it is reaped", async () => {
  const a = Bun.spawn(["sleep", "5"]);
  const b = Bun.spawn(["sleep", "5"]);
  try {
    const ia = taskIdentity(a.pid)!, ib = taskIdentity(b.pid)!;
    expect(ia.tgid).toBe(a.pid);
    expect(ia.ppid).toBe(process.pid);
    expect(ib.start).not.toBe(ia.start);
    a.kill();
    await a.exited;
    expect(taskIdentity(a.pid)).toBeNull();
    expect(processIdentity(a.pid)).toBeNull();
  } finally {
    a.kill();
    b.kill();
  }
  expect(taskIdentity(2 ** 22 + 1)).toBeNull(); // above any pid_max
});
