/**
 * src/supervisor/emulate/canonical.ts against the real kernel: a checked canonical path is
 * opened without following any symlink (a swapped-in symlink fails with ELOOP), paths
 * longer than PATH_MAX are walked in chunks, and parents keep the tracee's `.`, `..` and
 * trailing slash for the kernel to judge.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as at from "../../ffi/at";
import { O_CLOEXEC, O_CREAT, O_PATH, O_RDONLY, O_WRONLY } from "../../ffi/constants";
import * as fs from "../../ffi/fsops";
import { Errno } from "../../src/errors";
import type { CheckedPath } from "../../src/supervisor/checked";
import { openCanonical, openParent, pin, type Parent } from "../../src/supervisor/emulate/canonical";

/** The test stands in for the checker (src/supervisor/checked.ts), the only maker of a CheckedPath. */
const checked = (p: string) => p as CheckedPath;

const T = mkdtempSync(join(tmpdir(), "sydbox-canonical-"));
afterAll(() => rmSync(T, { recursive: true, force: true }));

const name = (fd: number) => { const s = at.readFdLink(fd); fs.close(fd); return s; };

test("a canonical path opens; a symlink anywhere in it is ELOOP, not followed", () => {
  mkdirSync(join(T, "real"));
  writeFileSync(join(T, "real", "f"), "x");
  symlinkSync("real", join(T, "link"));
  symlinkSync("f", join(T, "real", "lf"));
  expect(name(openCanonical(join(T, "real", "f"), O_RDONLY, 0))).toBe(join(T, "real", "f"));
  expect(openCanonical(join(T, "link", "f"), O_RDONLY, 0)).toBe(-Errno.ELOOP);
  expect(openCanonical(join(T, "real", "lf"), O_RDONLY, 0)).toBe(-Errno.ELOOP);
  // pin: a followed object must not be a symlink; an unfollowed one may be.
  expect(pin(checked(join(T, "real", "lf")), true)).toBe(-Errno.ELOOP);
  expect(name(pin(checked(join(T, "real", "lf")), false))).toBe(join(T, "real", "lf"));
}, 30000);

test("a path longer than PATH_MAX is opened in chunks", () => {
  // Built one directory fd at a time: the kernel refuses the long absolute name itself.
  const comp = "d".repeat(200);
  let deep = join(T, "deep");
  mkdirSync(deep);
  let dir = at.openat(-100, deep, at.O.PATH | at.O.DIRECTORY | at.O.CLOEXEC);
  while (deep.length < 5000) {
    expect(fs.mkdirat(dir, comp, 0o755)).toBe(0);
    const next = at.openat(dir, comp, at.O.PATH | at.O.DIRECTORY | at.O.CLOEXEC);
    fs.close(dir);
    dir = next;
    deep = join(deep, comp);
  }
  const f = fs.openat2(dir, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644, 0);
  expect(f).toBeGreaterThanOrEqual(0);
  fs.close(f);
  fs.close(dir);
  expect(deep.length).toBeGreaterThan(4096);
  const fd = openCanonical(join(deep, "f"), O_RDONLY, 0);
  expect(fd).toBeGreaterThanOrEqual(0);
  fs.close(fd);
  expect(openCanonical(join(deep, "missing"), O_PATH, 0)).toBe(-Errno.ENOENT);
}, 30000);

test("openParent keeps `.`, `..` and a trailing slash of the tracee's own path", () => {
  mkdirSync(join(T, "p", "q"), { recursive: true });
  const out: Parent = { fd: -1, name: "" };
  const check = (path: string, raw: string | null, wantDir: string, wantName: string) => {
    expect(openParent(checked(path), raw, out)).toBe(0);
    expect({ dir: name(out.fd), name: out.name }).toEqual({ dir: wantDir, name: wantName });
  };
  check(join(T, "p", "q"), "p/q", join(T, "p"), "q");
  check(join(T, "p", "q"), "p/q/", join(T, "p"), "q/");
  check(join(T, "p", "q"), "p/q/.", join(T, "p", "q"), ".");
  check(join(T, "p"), "p/q/..", join(T, "p"), "..");
  check(join(T, "p", "q"), null, join(T, "p"), "q");
}, 30000);
