/**
 * core/restrict/*: the syscall allowlists of levels 1-3 and the ioctl and
 * memory rules, enforced by the second filter loaded just before execve.
 * Each check is one raw syscall of test/c/restrict.c.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cc } from "../lib/cc";
import { sydbox } from "../lib/sydbox";

const dir = mkdtempSync(join(tmpdir(), "sydbox-restrict-"));
const file = join(dir, "f");
writeFileSync(file, "x");

/** Runs `restrict OP ARG` under the given magic (write sandboxing off, so only the restriction decides). */
async function op(magic: string[], ...args: string[]): Promise<string> {
  const r = await sydbox(["-m", "core/sandbox/write:off", ...magic.flatMap((m) => ["-m", m]), "--", cc("restrict"), ...args]);
  if (r.status !== 0) throw new Error(`restrict ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

const level = (n: number) => [`core/restrict/general:${n}`];

/** Runs each `[args, expected output]` case under `magic`; a failure names its case. */
async function check(magic: string[], cases: Array<[string[], string]>): Promise<void> {
  for (const [args, want] of cases) expect({ args, got: await op(magic, ...args) }).toEqual({ args, got: want });
}

describe("core/restrict/general", () => {
  test("level 0: nothing is restricted", async () => {
    await check([], [
      [["getcwd"], "ok"],
    ]);
  }, 30000);

  test("level 1: getpid and read-only opens allowed; pipe2 and write opens refused", async () => {
    await check(level(1), [
      [["getpid"], "ok"],
      [["fionread"], "ok"], // opens /etc/passwd read-only
      [["pipe2"], "EPERM"],
      [["create", join(dir, "l1")], "EPERM"],
    ]);
  }, 30000);

  test("level 2: pipe2 allowed; chmod and write opens refused", async () => {
    await check(level(2), [
      [["pipe2"], "ok"],
      [["chmod", file], "EPERM"],
      [["create", join(dir, "l2")], "EPERM"],
    ]);
  }, 30000);

  test("level 3: chmod and write opens allowed; getcwd (in no level) refused", async () => {
    await check(level(3), [
      [["chmod", file], "ok"],
      [["create", join(dir, "l3")], "ok"],
      [["getcwd"], "EPERM"],
    ]);
  }, 30000);
});

/** Each boolean key: the level it is tried at, and [args, output] with the key on and with it off. */
const KEYS: Array<[string, string, number, Array<[string[], string, string]>]> = [
  ["io_control", "FIOGETOWN refused, FIONREAD allowed", 1, [
    [["fiogetown"], "EPERM", "ENOTTY"], // without the key the kernel itself answers: not a terminal
    [["tiocsti"], "EPERM", "EPERM"], // refused by the rules program in any case (src/launch/refusals.ts)
    [["fionread"], "ok", "ok"],
  ]],
  ["memory_map", "W+X mmap and mprotect refused, writable shared file mapping refused, others allowed", 3, [
    [["mmap-wx"], "EPERM", "ok"],
    [["mprotect-wx"], "EPERM", "ok"],
    [["mmap-shared-file", file], "EPERM", "ok"],
    [["mmap-rw"], "ok", "ok"],
    [["mmap-shared-anon"], "ok", "ok"],
  ]],
  ["shared_memory_writable", "every writable shared mapping refused, private ones allowed", 3, [
    [["mmap-shared-anon"], "EPERM", "ok"],
    [["mmap-shared-file", file], "EPERM", "ok"],
    [["mmap-rw"], "ok", "ok"],
  ]],
];

describe("io_control, memory_map, shared_memory_writable", () => {
  for (const [key, what, n, cases] of KEYS) {
    test(`${key}: ${what}`, async () => {
      await check([...level(n), `core/restrict/${key}:1`], cases.map(([args, on]) => [args, on]));
      await check(level(n), cases.map(([args, , off]) => [args, off]));
    }, 60000);
  }

  test("each needs core/restrict/general > 0: a config error that says so", async () => {
    for (const key of ["io_control", "memory_map", "shared_memory_writable"]) {
      const r = await sydbox(["-m", `core/restrict/${key}:1`, "--", "true"]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`core/restrict/${key} needs core/restrict/general > 0`);
    }
  }, 30000);
});

test("--export pfc prints the restriction filter after the main one", async () => {
  const r = await sydbox(["--export", "pfc", "-m", "core/restrict/general:1", "-m", "core/restrict/io_control:1", "-m", "core/restrict/memory_map:1"]);
  expect(r.status).toBe(0);
  const [main, restrict] = r.stdout.split("# core/restrict filter");
  expect(restrict).toBeDefined();
  expect(main).toContain("action ALLOW;"); // the main filter's default
  expect(restrict).toContain("action ERRNO(1);"); // the restriction's default: EPERM
  expect(restrict).toContain('filter for syscall "getpid"');
  expect(restrict).not.toContain('filter for syscall "pipe2"');
  expect(restrict).toContain('filter for syscall "ioctl"');
  expect(restrict).toContain("$a1.lo32 & 0xffffffff == 21531"); // FIONREAD = 0x541b
  expect(restrict).toContain('filter for syscall "mprotect"');
}, 30000);
