/**
 * answer() (src/supervisor/answer.ts), the one place a verdict reaches the listener, on a
 * recording stand-in for the Listener: each verdict becomes exactly its answer, an fd
 * verdict's fd is closed once sent, a signal comes after the answer, and handed or gone
 * notifications get none. Also: verdicts on the hot path are made once.
 */
import { expect, test } from "bun:test";
import { fstatSync } from "node:fs";
import * as fs from "../../ffi/fsops";
import { O_CLOEXEC, O_RDONLY } from "../../ffi/constants";
import { Errno } from "../../src/errors";
import { answer } from "../../src/supervisor/answer";
import type { Listener } from "../../src/supervisor/listener";
import { CONTINUE, fail, GONE, HANDED, result, sendFd, succeed } from "../../src/supervisor/verdict";

/** Records the listener calls; `sendFdErrno` is what ADDFD returns. */
function recorder(sendFdErrno = 0) {
  const calls: string[] = [];
  const n = {
    continue: () => { calls.push("continue"); },
    fail: (e: number) => { calls.push(`fail ${e}`); },
    succeed: (v: number) => { calls.push(`succeed ${v}`); },
    sendFd: (fd: number, cloexec: boolean) => { calls.push(`sendFd ${cloexec}`); return sendFdErrno; },
  };
  return { calls, n: n as unknown as Listener };
}

const open = () => fs.openat2(-100, "/dev/null", O_RDONLY | O_CLOEXEC, 0, 0);
const isOpen = (fd: number) => { try { fstatSync(fd); return true; } catch { return false; } };

test("each answer verdict is one listener answer", () => {
  const r = recorder();
  answer(r.n, CONTINUE);
  answer(r.n, fail(Errno.EPERM));
  answer(r.n, succeed(7));
  answer(r.n, result(-Errno.ENOENT));
  answer(r.n, HANDED);
  answer(r.n, GONE);
  expect(r.calls).toEqual(["continue", `fail ${Errno.EPERM}`, "succeed 7", `fail ${Errno.ENOENT}`]);
});

test("an fd verdict sends our fd, then closes it; a refused ADDFD fails the call, a vanished one is not answered", () => {
  for (const [errno, want] of [[0, []], [Errno.ENOMEM, [`fail ${Errno.ENOMEM}`]], [Errno.ENOENT, []]] as const) {
    const r = recorder(errno);
    const fd = open();
    expect(fd).toBeGreaterThanOrEqual(0);
    answer(r.n, sendFd(fd, true));
    expect(r.calls).toEqual(["sendFd true", ...want]);
    expect(isOpen(fd)).toBe(false);
  }
  expect(sendFd(-Errno.ENOENT, false)).toBe(fail(Errno.ENOENT));
});

test("a signal verdict answers first", () => {
  const r = recorder();
  // Signal 0: checks the target exists, delivers nothing.
  answer(r.n, { kind: "signal", answer: fail(Errno.EPIPE), tgid: process.pid, tid: process.pid, signal: 0 });
  expect(r.calls).toEqual([`fail ${Errno.EPIPE}`]);
});

test("verdicts without per-call data are made once: the hot path allocates none", () => {
  expect(fail(Errno.EPERM)).toBe(fail(Errno.EPERM));
  expect(succeed(0)).toBe(succeed(0));
  expect(sendFd(5, true)).toBe(sendFd(5, true));
  expect(sendFd(5, true)).not.toBe(sendFd(5, false));
  expect(Object.isFrozen(fail(Errno.EACCES))).toBe(true);
});
