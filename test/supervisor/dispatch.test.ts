/**
 * The dispatcher (src/supervisor/dispatch.ts) with a stand-in listener: the caller is
 * this test process (its memory holds the call's path), so the real engines run and the
 * test sees what only the dispatcher does with their verdicts: the one answer, the
 * counters, the violation log, filter/* silencing, bpf mode, dry runs, the magic state.
 */
import { afterAll, expect, test } from "bun:test";
import { ptr } from "bun:ffi";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { O_CREAT, O_WRONLY } from "../../ffi/constants";
import { loadLibc } from "../../ffi/libc";
import { Errno } from "../../src/errors";
import { Dispatcher } from "../../src/supervisor/dispatch";
import type { Listener } from "../../src/supervisor/listener";
import type { WorkerMessage } from "../../src/supervisor/protocol";
import type { SyscallIndex } from "../../src/supervisor/syscall-index";
import { newStats, STAT } from "../../src/supervisor/stats";
import { SYSCALLS } from "../../src/syscalls/table";
import { config } from "./fake-call";

const AT_FDCWD = -100;
const AUDIT_ARCH_X86_64 = 0xc000003e;

/** A listener holding one notification of this process, recording the answers it is given. */
class StandIn {
  readonly answers: string[] = [];
  args = [0, 0, 0, 0, 0, 0];
  readonly pid = process.pid;
  readonly arch = AUDIT_ARCH_X86_64;
  readonly compat = false;
  readonly fd = -1;
  arg(i: number) { return this.args[i]; }
  argInt(i: number) { return this.args[i] | 0; }
  argU32(i: number) { return this.args[i] >>> 0; }
  /** Was the current notification answered? (The dispatcher insists on it.) */
  answered = false;
  idValid() { return true; }
  continue() { this.answer("continue"); }
  fail(e: number) { this.answer(`fail ${e}`); }
  succeed(v: number) { this.answer(`succeed ${v}`); }
  sendFd() { this.answer("sendFd"); return 0; }
  private answer(what: string) { this.answers.push(what); this.answered = true; }
}

/** Keeps the path buffers alive while the dispatcher reads them. */
const keep: Buffer[] = [];
function cstr(s: string): number {
  const b = Buffer.from(s + "\0", "latin1");
  keep.push(b);
  return ptr(b);
}

function dispatcher(magic: string[], dryRun = false) {
  const n = new StandIn();
  let row = -1;
  const index = { rowOf: () => row } as unknown as SyscallIndex;
  const stats = newStats();
  const posted: WorkerMessage[] = [];
  const d = new Dispatcher(loadLibc(), n as unknown as Listener, index, {
    type: "start", lfd: -1, stats, timing: false, eldest: 1, eldestExeced: true, reaper: 0,
    config: config(...magic), dryRun, dumpFd: -1, treeRequest: new Int32Array(1), exitWaitAll: new Int32Array(1),
  }, (m) => posted.push(m));
  /** Handles a call of `name` with `args`. */
  const call = (name: string, ...args: number[]) => {
    row = SYSCALLS.findIndex((r) => r.name === name);
    n.args = [...args, 0, 0, 0, 0, 0, 0].slice(0, 6);
    n.answered = false;
    d.handle();
  };
  return { d, n, stats, posted, call };
}

const T = mkdtempSync(join(tmpdir(), "sydbox-dispatch-"));
afterAll(() => rmSync(T, { recursive: true, force: true }));

test("a denied call: one answer, one violation counted and logged", () => {
  const { d, n, stats, call } = dispatcher(["core/sandbox/write:deny", "core/trace/emulate:false"]);
  call("openat", AT_FDCWD, cstr(join(T, "x")), O_WRONLY | O_CREAT);
  expect(n.answers).toEqual([`fail ${Errno.EPERM}`]);
  expect(stats[STAT.VIOLATIONS]).toBe(1);
  expect(stats[SYSCALLS.findIndex((r) => r.name === "openat")]).toBe(1);
  expect(d.reporter.log.summary().kinds.write?.subjects).toEqual([join(T, "x")]);
});

test("filter/* silences the violation, not the denial; bpf mode denies silently", () => {
  for (const magic of [[`filter/write+${T}/***`], ["core/sandbox/write:bpf"]]) {
    const { n, stats, call } = dispatcher(["core/sandbox/write:deny", "core/trace/emulate:false", ...magic]);
    call("openat", AT_FDCWD, cstr(join(T, "x")), O_WRONLY | O_CREAT);
    expect(n.answers).toEqual([`fail ${Errno.EPERM}`]);
    expect(stats[STAT.VIOLATIONS]).toBe(0);
  }
});

test("a dry run records the violation and lets the call through", () => {
  const { d, n, stats, call } = dispatcher(["core/sandbox/write:deny", "core/trace/emulate:false"], true);
  call("openat", AT_FDCWD, cstr(join(T, "x")), O_WRONLY | O_CREAT);
  expect(n.answers).toEqual(["continue"]);
  expect(stats[STAT.VIOLATIONS]).toBe(1);
  expect(d.reporter.log.summary().dryRun).toBe(true);
});

test("an allowed call and an unknown one are CONTINUEd", () => {
  const { n, stats, call } = dispatcher(["core/sandbox/write:deny", `allowlist/write+${T}/***`, "core/trace/emulate:false"]);
  call("openat", AT_FDCWD, cstr(join(T, "x")), O_WRONLY | O_CREAT);
  call("no such row");
  expect(n.answers).toEqual(["continue", "continue"]);
  expect(stats[STAT.UNKNOWN]).toBe(1);
});

test("a magic change becomes the caller's state once answered", () => {
  const { d, n, call } = dispatcher([]);
  const buf = Buffer.alloc(256);
  call("stat", cstr("/dev/sydbox/core/sandbox/write:deny"), ptr(buf));
  expect(n.answers).toEqual(["succeed 0"]);
  expect(d.states.of(process.pid).cfg.core.sandbox.write).toBe("deny");
  call("openat", AT_FDCWD, cstr(join(T, "x")), O_WRONLY | O_CREAT);
  expect(n.answers[1]).toBe(`fail ${Errno.EPERM}`);
});
