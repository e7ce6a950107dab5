/**
 * ffi/constants.ts per architecture: the open(2) flags that differ between x86_64 and
 * aarch64, and the code that decodes a tracee's flags (the engine's openRequest, the
 * emulator's legacyOpen) run with each architecture's table. The same number means
 * O_NOFOLLOW on aarch64 and O_LARGEFILE on x86_64, so the two must give different answers.
 * And the native values against the kernel's own headers, compiled here (test/c/abi.c):
 * on an aarch64 machine that checks aarch64's table too.
 */
import { describe, expect, test } from "bun:test";
import * as K from "../../ffi/constants";
import {
  NATIVE_ARCH, O_CREAT, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY, O_RDWR, O_TMPFILE, O_TMPFILE_BIT, openFlags,
  VALID_OPEN_FLAGS,
} from "../../ffi/constants";
import * as at from "../../ffi/at";
import { legacyOpen, opensToCreate } from "../../src/supervisor/emulate/open";
import { openRequest } from "../../src/supervisor/paths";
import { cc } from "../lib/cc";

const X86 = openFlags("x86_64"), ARM = openFlags("aarch64");

test("the native table is this process's architecture, and the exported names are its values", () => {
  expect(NATIVE_ARCH).toBe(process.arch === "arm64" ? "aarch64" : "x86_64");
  expect(openFlags()).toBe(openFlags(NATIVE_ARCH));
  expect([O_DIRECTORY, O_NOFOLLOW, O_TMPFILE]).toEqual([openFlags().DIRECTORY, openFlags().NOFOLLOW, openFlags().TMPFILE]);
  expect(at.O.DIRECTORY).toBe(O_DIRECTORY);
  expect(at.O.NOFOLLOW).toBe(O_NOFOLLOW);
});

test("ffi/constants.ts agrees with this machine's kernel headers (test/c/abi.c): flags, layouts, ioctls", () => {
  const lines = Bun.spawnSync([cc("abi")]).stdout.toString().trim().split("\n");
  expect(lines.length).toBeGreaterThan(50);
  const ours = (name: string): unknown => name.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], K);
  const differ = lines.map((l) => l.split(" ")).filter(([name, value]) => ours(name) !== Number(value));
  expect(differ).toEqual([]);
});

test("aarch64 swaps O_DIRECTORY/O_NOFOLLOW with O_DIRECT/O_LARGEFILE (asm/fcntl.h)", () => {
  expect(ARM).toEqual({ DIRECTORY: 0o40000, NOFOLLOW: 0o100000, DIRECT: 0o200000, LARGEFILE: 0o400000, TMPFILE: 0o20040000 });
  expect(X86).toEqual({ DIRECT: 0o40000, LARGEFILE: 0o100000, DIRECTORY: 0o200000, NOFOLLOW: 0o400000, TMPFILE: 0o20200000 });
  for (const o of [X86, ARM]) {
    // The four moved bits are the same four bits, all valid; O_TMPFILE is __O_TMPFILE | O_DIRECTORY.
    expect(o.DIRECT | o.LARGEFILE | o.DIRECTORY | o.NOFOLLOW).toBe(0o740000);
    expect(VALID_OPEN_FLAGS & 0o740000).toBe(0o740000);
    expect(o.TMPFILE).toBe(O_TMPFILE_BIT | o.DIRECTORY);
  }
});

describe("flag decoding with aarch64's constants gives aarch64's answers", () => {
  test("openRequest: 0o100000 is O_NOFOLLOW on aarch64 (no follow), O_LARGEFILE on x86_64 (follow)", () => {
    expect(openRequest(O_RDONLY | 0o100000, ARM).mode).toBe("nofollow");
    expect(openRequest(O_RDONLY | 0o100000, X86).mode).toBe("follow");
    // O_CREAT|O_NOFOLLOW never follows; O_CREAT alone may create through a dangling symlink.
    expect(openRequest(O_CREAT | 0o100000, ARM).mode).toBe("nofollow");
    expect(openRequest(O_CREAT | 0o100000, X86).mode).toBe("missing-ok");
    expect(openRequest(O_RDONLY | 0o400000, X86).mode).toBe("nofollow");
    expect(openRequest(O_RDONLY | 0o400000, ARM).mode).toBe("follow");
    // O_TMPFILE writes on both, whichever O_DIRECTORY bit comes with it.
    expect(openRequest(ARM.TMPFILE | O_RDWR, ARM).categories).toEqual(["write"]);
    expect(openRequest(X86.TMPFILE | O_RDWR, X86).categories).toEqual(["write"]);
  });

  test("legacyOpen canonicalizes O_PATH flags as build_open_how does on each architecture", () => {
    // O_PATH keeps O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC only: which bits those are depends on the arch.
    const asked = O_PATH | O_RDWR | O_CREAT | 0o40000 | 0o100000 | 0o200000 | 0o400000;
    expect(legacyOpen(asked, 0o644, ARM)).toEqual({ flags: O_PATH | ARM.DIRECTORY | ARM.NOFOLLOW, mode: 0 });
    expect(legacyOpen(asked, 0o644, X86)).toEqual({ flags: O_PATH | X86.DIRECTORY | X86.NOFOLLOW, mode: 0 });
    expect(legacyOpen(asked, 0o644, ARM).flags).toBe(O_PATH | 0o140000);
    expect(legacyOpen(asked, 0o644, X86).flags).toBe(O_PATH | 0o600000);
    // Without O_PATH, every valid bit passes, and a create keeps its mode.
    const tmp = legacyOpen(ARM.TMPFILE | O_RDWR, 0o100600, ARM);
    expect(tmp).toEqual({ flags: ARM.TMPFILE | O_RDWR, mode: 0o600 });
    expect(opensToCreate(tmp)).toBe(true);
  });
});
