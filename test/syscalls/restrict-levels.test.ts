/**
 * The core/restrict/general levels as syscall data (the `restrict` field of classes.ts and
 * table.ts): known memberships of SydBox 2's levels, and each level containing the one below.
 */
import { expect, test } from "bun:test";
import { classOf } from "../../src/syscalls/classes";
import { restrictAllowlist } from "../../src/syscalls/restrict-levels";
import { SYSCALLS } from "../../src/syscalls/table";

const [L1, L2, L3] = ([1, 2, 3] as const).map((l) => new Set(restrictAllowlist(l)));

test("level 1 holds reading, exec and process exit, not fork or writes", () => {
  for (const name of ["read", "write", "close", "execve", "fstat", "stat", "exit_group", "rt_sigreturn", "brk"]) expect(L1.has(name)).toBe(true);
  for (const name of ["clone", "fork", "pipe", "unlink", "mkdir", "open", "openat", "socket", "ptrace"]) expect(L1.has(name)).toBe(false);
});

test("level 2 adds processes, pipes and sockets, not file-system writes", () => {
  for (const name of ["clone", "wait4", "pipe2", "connect", "bind", "unlink", "readlink", "uname"]) expect(L2.has(name)).toBe(true);
  for (const name of ["mkdir", "rename", "chmod", "open", "openat", "creat", "ptrace", "mount"]) expect(L2.has(name)).toBe(false);
});

test("level 3 adds the writes and every open; some calls are in no level", () => {
  for (const name of ["open", "openat", "creat", "mkdir", "rename", "chmod", "symlink", "setxattr"]) expect(L3.has(name)).toBe(true);
  for (const name of ["ptrace", "mount", "socket", "kill", "openat2", "ioctl", "mprotect"]) expect(L3.has(name)).toBe(false);
});

test("each level contains the one below, without duplicates", () => {
  for (const name of L1) expect(L2.has(name)).toBe(true);
  for (const name of L2) expect(L3.has(name)).toBe(true);
  expect(restrictAllowlist(3).length).toBe(L3.size);
});

test("a name with both a class and a row has its level in one place", () => {
  for (const row of SYSCALLS) if (row.restrict !== undefined) expect(classOf(row.name)?.restrict).toBeUndefined();
});
