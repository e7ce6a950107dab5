/**
 * The magic stat alone (src/supervisor/magic-stat.ts), on a fake call view: queries,
 * changes (a "reconfigure" verdict: the dispatcher installs the new Config), the fake
 * device written into the caller's buffer, and calls that are none of its business.
 */
import { expect, test } from "bun:test";
import { Errno } from "../../src/errors";
import { FAKE_MODE } from "../../src/supervisor/fakestat";
import { castMagic } from "../../src/supervisor/magic-stat";
import { CONTINUE, fail, succeed } from "../../src/supervisor/verdict";
import { config, FakeCall, row } from "./fake-call";

const BUF = 0x900000;

/** stat(path, BUF) by a caller with `cfg`. */
function stat(path: string, c = new FakeCall()) {
  c.args = [c.put(path), BUF, 0, 0, 0, 0];
  return c;
}

test("/dev/sydbox succeeds and writes the fake device into the caller's buffer", () => {
  const c = stat("/dev/sydbox");
  expect(castMagic(c, row("stat"))).toBe(succeed(0));
  expect(c.written.length).toBe(1);
  const { addr, bytes } = c.written[0];
  expect(addr).toBe(BUF);
  expect(bytes.length).toBe(144); // x86_64 struct stat
  expect(Buffer.from(bytes).readUInt32LE(24)).toBe(FAKE_MODE);
});

test("a query answers 0 or ENOENT", () => {
  expect(castMagic(stat("/dev/sydbox/core/sandbox/read?", new FakeCall(config("core/sandbox/read:deny"))), row("stat"))).toBe(succeed(0));
  expect(castMagic(stat("/dev/sydbox/core/sandbox/read?"), row("stat"))).toBe(fail(Errno.ENOENT));
});

test("a change comes back as the caller's new Config; the caller's own is untouched", () => {
  const c = stat("/dev/sydbox/core/sandbox/read:deny");
  const before = c.state.cfg;
  const v = castMagic(c, row("stat"));
  expect(v.kind).toBe("reconfigure");
  if (v.kind !== "reconfigure") return;
  expect(v.cfg.core.sandbox.read).toBe("deny");
  expect(before.core.sandbox.read).toBe("off");
  expect(c.written.length).toBe(1);
});

test("a bad command is its errno, cmd/exec the program's status", () => {
  expect(castMagic(stat("/dev/sydbox/core/sandbox/write:sideways"), row("stat"))).toBe(fail(Errno.EINVAL));
  const ran: string[][] = [];
  const c = stat("/dev/sydbox/cmd/exec!/bin/false");
  expect(castMagic(c, row("stat"), (_pid, argv) => { ran.push(argv); return 1; })).toBe(fail(1));
  expect(ran).toEqual([["/bin/false"]]);
});

test("ordinary stats and a locked caller go to the kernel; an ordinary stat costs one short read", () => {
  const c = stat("/etc/passwd");
  expect(castMagic(c, row("stat"))).toBe(CONTINUE);
  expect(c.reads).toBe(1);
  expect(castMagic(stat("/dev/sydboxFOO"), row("stat"))).toBe(CONTINUE);
  const locked = stat("/dev/sydbox", new FakeCall(config("core/trace/magic_lock:on")));
  expect(castMagic(locked, row("stat"))).toBe(CONTINUE);
  expect(locked.reads).toBe(0); // a caller known to be locked: its path is not read
});

test("a caller gone before the answer gets none", () => {
  const c = stat("/dev/sydbox");
  c.valid = false;
  expect(castMagic(c, row("stat")).kind).toBe("gone");
});
