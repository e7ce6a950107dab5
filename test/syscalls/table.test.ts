/**
 * Facts the table holds per row beyond paths and categories: the magic stat calls' result
 * buffer and layout per architecture (src/supervisor/fakestat.ts writes them), and the
 * socket calls' numbers and argument counts under i386's socketcall(2)
 * (src/supervisor/syscall-index.ts demultiplexes with them).
 */
import { expect, test } from "bun:test";
import { AUDIT_ARCH } from "../../ffi/constants";
import { layoutFor } from "../../src/supervisor/fakestat";
import { SYSCALLS, type SyscallRow } from "../../src/syscalls/table";

const row = (name: string): SyscallRow => SYSCALLS.find((r) => r.name === name)!;

test("row names are unique", () => {
  expect(new Set(SYSCALLS.map((r) => r.name)).size).toBe(SYSCALLS.length);
});

test("the magic stat calls, and only they, say where their result goes", () => {
  expect(SYSCALLS.filter((r) => r.stat).map((r) => r.name)).toEqual(SYSCALLS.filter((r) => r.category === "magic").map((r) => r.name));
  for (const r of SYSCALLS.filter((r) => r.stat)) {
    // The buffer is an argument of its own, never the path or the dirfd.
    expect({ name: r.name, clash: r.paths!.some((p) => p.path === r.stat!.buf || p.dirfd === r.stat!.buf) }).toEqual({ name: r.name, clash: false });
  }
  expect(["stat", "lstat", "stat64", "lstat64", "newfstatat", "statx"].map((n) => row(n).stat!.buf)).toEqual([1, 1, 1, 1, 2, 4]);
});

test("layouts: x86_64's struct stat, aarch64's generic one, statx on both, nothing for i386", () => {
  const on = (audit: number) => Object.fromEntries(SYSCALLS.filter((r) => r.stat).map((r) => [r.name, layoutFor(r, audit)]));
  expect(on(AUDIT_ARCH.X86_64)).toEqual({ stat: "stat-x86_64", lstat: "stat-x86_64", stat64: null, lstat64: null, newfstatat: "stat-x86_64", statx: "statx" });
  expect(on(AUDIT_ARCH.AARCH64)).toEqual({ stat: null, lstat: null, stat64: null, lstat64: null, newfstatat: "stat-generic", statx: "statx" });
  expect(Object.values(on(AUDIT_ARCH.I386)).every((l) => l === null)).toBe(true);
});

test("socketcall numbers (include/uapi/linux/net.h) and argument words of the checked socket calls", () => {
  const sc = Object.fromEntries(SYSCALLS.filter((r) => r.socketcall).map((r) => [r.name, [r.socketcall!.call, r.socketcall!.words]]));
  expect(sc).toEqual({ bind: [2, 3], connect: [3, 3], sendto: [11, 6], sendmsg: [16, 3], sendmmsg: [20, 4] });
  // Every argument the row reads is among the words socketcall passes.
  for (const r of SYSCALLS.filter((r) => r.socketcall)) {
    const a = r.addr!;
    const used = a.kind === "sockaddr" ? [a.addr, a.len, a.send?.buf ?? 0, a.send?.len ?? 0, a.send?.flags ?? 0]
      : a.kind === "msghdr" ? [a.msg, a.send.flags] : [a.vec, a.vlen, a.send.flags];
    expect({ name: r.name, fits: Math.max(...used) < r.socketcall!.words }).toEqual({ name: r.name, fits: true });
  }
});
