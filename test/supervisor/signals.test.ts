/**
 * The signal guard alone (src/supervisor/signals.ts), with stand-ins for the /proc
 * readers: which targets are refused (a "guard" verdict, reported by the dispatcher),
 * which go on, and the kernel's own ESRCH for a thread that does not exist.
 */
import { expect, test } from "bun:test";
import { Errno } from "../../src/errors";
import { SignalGuard } from "../../src/supervisor/signals";
import { CONTINUE, fail } from "../../src/supervisor/verdict";
import { FakeCall, row } from "./fake-call";

const SYDBOX = 1000, REAPER = 2000, OTHER = 3000;
/** Threads: sydbox's 1000 and 1001, the reaper's 2000, another process's 3000. */
const TGIDS: Record<number, number> = { 1000: SYDBOX, 1001: SYDBOX, 2000: REAPER, 3000: OTHER };
const tgidOf = (tid: number) => TGIDS[tid] ?? 0;

function guard(reaperSession = REAPER) {
  return new SignalGuard(SYDBOX, REAPER, () => reaperSession, tgidOf);
}
function call(...args: number[]) {
  const c = new FakeCall();
  c.args = [...args, 0, 0, 0, 0, 0, 0].slice(0, 6);
  return c;
}

test("kill of sydbox, any of its threads, or the reaper is refused and reported", () => {
  const g = guard();
  expect(g.check(call(SYDBOX, 15), row("kill"))).toEqual({ kind: "guard", call: "kill(1000)" });
  expect(g.check(call(1001, 9), row("tkill"))).toEqual({ kind: "guard", call: "tkill(1001)" });
  expect(g.check(call(OTHER, REAPER, 9), row("tgkill"))).toEqual({ kind: "guard", call: "tgkill(2000)" });
  expect(g.check(call(-1, 9), row("kill"))).toEqual({ kind: "guard", call: "kill(-1)" });
  expect(g.check(call(-REAPER, 9), row("kill"))).toEqual({ kind: "guard", call: "kill(-2000)" });
});

test("other targets go on; a thread that does not exist gets the kernel's ESRCH", () => {
  const g = guard();
  expect(g.check(call(OTHER, 15), row("kill"))).toBe(CONTINUE);
  expect(g.check(call(-OTHER, 15), row("kill"))).toBe(CONTINUE);
  expect(g.check(call(4242, 15), row("kill"))).toBe(fail(Errno.ESRCH));
});

test("kill(0) waits for the reaper to leave sydbox's group, and is refused if it never does", () => {
  expect(guard(REAPER).check(call(0, 15), row("kill"))).toBe(CONTINUE);
  expect(guard(SYDBOX).check(call(0, 15), row("kill"))).toEqual({ kind: "guard", call: "kill(0)" });
});

test("F_SETOWN names a process to signal later: checked like kill", () => {
  const F_SETOWN = 8;
  const g = guard();
  expect(g.check(call(3, F_SETOWN, SYDBOX), row("fcntl"))).toEqual({ kind: "guard", call: "fcntl(1000)" });
  expect(g.check(call(3, F_SETOWN, OTHER), row("fcntl"))).toBe(CONTINUE);
});
