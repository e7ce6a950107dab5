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

describe("core/restrict/general", () => {
  test("level 0: nothing is restricted", async () => {
    expect(await op([], "getcwd")).toBe("ok");
  }, 30000);

  test("level 1: getpid and read-only opens allowed; pipe2 and write opens refused", async () => {
    expect(await op(level(1), "getpid")).toBe("ok");
    expect(await op(level(1), "fionread")).toBe("ok"); // opens /etc/passwd read-only
    expect(await op(level(1), "pipe2")).toBe("EPERM");
    expect(await op(level(1), "create", join(dir, "l1"))).toBe("EPERM");
  }, 30000);

  test("level 2: pipe2 allowed; chmod and write opens refused", async () => {
    expect(await op(level(2), "pipe2")).toBe("ok");
    expect(await op(level(2), "chmod", file)).toBe("EPERM");
    expect(await op(level(2), "create", join(dir, "l2"))).toBe("EPERM");
  }, 30000);

  test("level 3: chmod and write opens allowed; getcwd (in no level) refused", async () => {
    expect(await op(level(3), "chmod", file)).toBe("ok");
    expect(await op(level(3), "create", join(dir, "l3"))).toBe("ok");
    expect(await op(level(3), "getcwd")).toBe("EPERM");
  }, 30000);
});

describe("io_control, memory_map, shared_memory_writable", () => {
  test("io_control: TIOCSTI refused, FIONREAD allowed; without it the kernel answers TIOCSTI itself", async () => {
    const io = [...level(1), "core/restrict/io_control:1"];
    expect(await op(io, "tiocsti")).toBe("EPERM");
    expect(await op(io, "fionread")).toBe("ok");
    expect(await op(level(1), "tiocsti")).toBe("ENOTTY");
  }, 30000);

  test("memory_map: W+X mmap and mprotect refused, shared writable file mapping refused, RW private allowed", async () => {
    const mm = [...level(3), "core/restrict/memory_map:1"];
    expect(await op(mm, "mmap-wx")).toBe("EPERM");
    expect(await op(mm, "mprotect-wx")).toBe("EPERM");
    expect(await op(mm, "mmap-shared-file", file)).toBe("EPERM");
    expect(await op(mm, "mmap-rw")).toBe("ok");
    expect(await op(mm, "mmap-shared-anon")).toBe("ok");
    expect(await op(level(3), "mmap-wx")).toBe("ok");
  }, 30000);

  test("shared_memory_writable: every writable shared mapping refused, private ones allowed", async () => {
    const shm = [...level(3), "core/restrict/shared_memory_writable:1"];
    expect(await op(shm, "mmap-shared-anon")).toBe("EPERM");
    expect(await op(shm, "mmap-shared-file", file)).toBe("EPERM");
    expect(await op(shm, "mmap-rw")).toBe("ok");
  }, 30000);

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
