/**
 * The path engine alone (src/supervisor/path-engine.ts), on a fake call view: decoded
 * flags, resolved paths, the sandbox's decision and emulation all come back as a verdict.
 * Paths resolve in this test process (the fake caller), on a scratch directory.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { O_CLOEXEC, O_CREAT, O_RDONLY, O_WRONLY } from "../../ffi/constants";
import * as fs from "../../ffi/fsops";
import { Errno } from "../../src/errors";
import { PathEngine } from "../../src/supervisor/path-engine";
import { CONTINUE, fail, succeed, type Verdict } from "../../src/supervisor/verdict";
import { config, FakeCall, row } from "./fake-call";

const AT_FDCWD = -100;
let T = "";
beforeAll(() => {
  T = mkdtempSync(join(tmpdir(), "sydbox-path-engine-"));
  writeFileSync(join(T, "f"), "x");
  mkdirSync(join(T, "d"));
});
afterAll(() => rmSync(T, { recursive: true, force: true }));

/** A call of openat(AT_FDCWD, path, flags) by `c`. */
function openat(c: FakeCall, path: string, flags: number): Verdict {
  c.args = [AT_FDCWD, c.put(path), flags, 0o644, 0, 0];
  return new PathEngine().check(c, row("openat"));
}

test("a write outside the allowlist is denied with the violation's facts", () => {
  const c = new FakeCall(config("core/sandbox/write:deny", "core/trace/emulate:false"));
  const v = openat(c, join(T, "f"), O_WRONLY);
  expect(v).toEqual({
    kind: "deny", errno: Errno.EPERM, then: null,
    violations: [{ category: "write", call: `openat(\`${join(T, "f")}')`, subjects: [join(T, "f")] }],
  });
});

test("an allowed write goes on (CONTINUE without emulation)", () => {
  const c = new FakeCall(config("core/sandbox/write:deny", `allowlist/write+${T}/***`, "core/trace/emulate:false"));
  expect(openat(c, join(T, "f"), O_WRONLY)).toBe(CONTINUE);
});

test("a call nothing can deny is not even read", () => {
  const c = new FakeCall(config("core/sandbox/write:allow"));
  expect(openat(c, join(T, "f"), O_WRONLY)).toBe(CONTINUE);
  expect(c.reads).toBe(0);
});

test("an unreadable path: the kernel's EFAULT, answered by emulation, CONTINUEd without", () => {
  const emu = new FakeCall(config("core/sandbox/write:deny"));
  emu.args = [AT_FDCWD, 0x7000, O_WRONLY, 0, 0, 0];
  expect(new PathEngine().check(emu, row("openat"))).toBe(fail(Errno.EFAULT));
  const plain = new FakeCall(config("core/sandbox/write:deny", "core/trace/emulate:false"));
  plain.args = [AT_FDCWD, 0x7000, O_WRONLY, 0, 0, 0];
  expect(new PathEngine().check(plain, row("openat"))).toBe(CONTINUE);
});

test("the safe rule: mkdir of an existing path is EEXIST, not a violation", () => {
  const c = new FakeCall(config("core/sandbox/write:deny"));
  c.args = [c.put(join(T, "d")), 0o755, 0, 0, 0, 0];
  expect(new PathEngine().check(c, row("mkdir"))).toBe(fail(Errno.EEXIST));
});

test("a dry run records every denial and lets the call through", () => {
  const c = new FakeCall(config("core/sandbox/write:deny", "core/trace/emulate:false"));
  c.dryRun = true;
  const from = join(T, "f"), to = join(T, "g");
  c.args = [c.put(from), c.put(to), 0, 0, 0, 0];
  const call = `rename(\`${from}', \`${to}')`;
  expect(new PathEngine().check(c, row("rename"))).toEqual({
    kind: "deny", errno: Errno.EPERM, then: CONTINUE,
    violations: [{ category: "write", call, subjects: [from] }, { category: "write", call, subjects: [to] }],
  });
});

test("exec/kill_if_match kills the caller", () => {
  const c = new FakeCall(config("exec/kill_if_match+/bin/tr*e", "exec/kill_if_match+/usr/bin/tr*e"));
  c.args = [c.put("/bin/true"), 0, 0, 0, 0, 0];
  expect(new PathEngine().check(c, row("execve")).kind).toBe("kill");
  c.args = [c.put("/bin/false"), 0, 0, 0, 0, 0];
  expect(new PathEngine().check(c, row("execve"))).toBe(CONTINUE);
});

test("a gone notification is not emulated", () => {
  const c = new FakeCall(config("core/sandbox/write:deny", `allowlist/write+${T}/***`));
  c.args = [AT_FDCWD, c.put(join(T, "f")), O_WRONLY, 0, 0, 0];
  const engine = new PathEngine();
  c.valid = false;
  expect(engine.check(c, row("openat")).kind).toBe("gone");
});

test("emulation opens the checked path and returns our fd to send", () => {
  const c = new FakeCall(config("core/sandbox/read:deny", `allowlist/read+${T}/***`));
  const v = openat(c, join(T, "f"), O_RDONLY | O_CLOEXEC);
  expect(v.kind).toBe("fd");
  if (v.kind !== "fd") return;
  expect(v.cloexec).toBe(true);
  expect(readlinkSync(`/proc/self/fd/${v.fd}`)).toBe(join(T, "f"));
  fs.close(v.fd);
});

test("the engine reports what it resolved, for the -d dump", () => {
  const c = new FakeCall(config("core/sandbox/write:deny", "core/trace/emulate:false"));
  const engine = new PathEngine();
  c.args = [AT_FDCWD, c.put(join(T, "d", "..", "f")), O_WRONLY, 0, 0, 0];
  engine.check(c, row("openat"));
  expect(engine.resolved).toEqual([join(T, "f")]);
});

test("emulation performs a create or a rename on the checked paths and returns the result", () => {
  const c = new FakeCall(config("core/sandbox/write:deny", `allowlist/write+${T}/***`));
  c.args = [c.put(join(T, "made")), 0o755, 0, 0, 0, 0];
  expect(new PathEngine().check(c, row("mkdir"))).toEqual(succeed(0));
  expect(existsSync(join(T, "made"))).toBe(true);
  c.args = [c.put(join(T, "made")), c.put(join(T, "moved")), 0, 0, 0, 0];
  expect(new PathEngine().check(c, row("rename"))).toEqual(succeed(0));
  expect([existsSync(join(T, "made")), existsSync(join(T, "moved"))]).toEqual([false, true]);
  // The kernel's own errors come back as the result: rmdir of a file.
  c.args = [c.put(join(T, "f")), 0, 0, 0, 0, 0];
  expect(new PathEngine().check(c, row("rmdir"))).toBe(fail(Errno.ENOTDIR));
});

test("a denied call is not performed", () => {
  const c = new FakeCall(config("core/sandbox/write:deny", `allowlist/write+${T}/d/***`));
  c.args = [c.put(join(T, "nope")), 0o755, 0, 0, 0, 0];
  expect(new PathEngine().check(c, row("mkdir")).kind).toBe("deny");
  expect(existsSync(join(T, "nope"))).toBe(false);
});

test("an allowed exec under exec sandboxing: verified with emulation (the program pinned, the filename a #! interpreter gets), CONTINUEd without; a failed lookup is answered, not continued", () => {
  const exec = (c: FakeCall, path: string, name = "execve", dirfd = AT_FDCWD) => {
    c.args = name === "execve" ? [c.put(path), 0, 0, 0, 0, 0] : [dirfd, c.put(path), 0, 0, 0, 0];
    return new PathEngine().check(c, row(name));
  };
  const on = (...extra: string[]) => new FakeCall(config("core/sandbox/exec:deny", `allowlist/exec+${T}/***`, ...extra));
  const v = exec(on(), join(T, "f"));
  if (v.kind !== "verify-exec") throw new Error(`verdict ${v.kind}`);
  expect({ name: v.name, filename: v.filename, pinned: readlinkSync(`/proc/self/fd/${v.pin}`) }).toEqual({ name: "execve", filename: join(T, "f"), pinned: join(T, "f") });
  fs.close(v.pin);
  const dirfd = fs.openat2(AT_FDCWD, T, O_RDONLY | O_CLOEXEC, 0, 0);
  const at = exec(on(), "f", "execveat", dirfd);
  if (at.kind !== "verify-exec") throw new Error(`verdict ${at.kind}`);
  expect(at.filename).toBe(`/dev/fd/${dirfd}/f`);
  fs.close(at.pin);
  fs.close(dirfd);
  expect(exec(on("core/trace/emulate:false"), join(T, "f"))).toBe(CONTINUE);
  expect(exec(on(), join(T, "missing"))).toBe(fail(Errno.ENOENT));
  expect(exec(on("core/trace/emulate:false"), join(T, "missing"))).toBe(CONTINUE);
  // Off: not looked at, let alone traced.
  expect(exec(new FakeCall(config("core/sandbox/exec:off")), join(T, "f"))).toBe(CONTINUE);
});
