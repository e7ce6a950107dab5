/**
 * Attacks on the supervisor are refused in the kernel with EPERM, and each
 * core/trust key relaxes its group.
 */
import { expect, test } from "bun:test";
import { cc } from "../lib/cc";
import { sydbox } from "../lib/sydbox";

const EPERM = 1;

function parse(stdout: string): Record<string, number> {
  return Object.fromEntries(stdout.trim().split("\n").map((l) => { const [k, v] = l.split(" "); return [k, Number(v)]; }));
}

test("ptrace, process_vm_*, kcmp, io_uring, open_by_handle_at, userfaultfd and pidfd_getfd get EPERM", async () => {
  // The eldest's parent is sydbox itself: the supervisor is the target.
  const r = await sydbox(["-m", "core/sandbox/write:allow", "--", "sh", "-c", `exec ${cc("protect")} $PPID`]);
  expect(r.status).toBe(0);
  const got = parse(r.stdout);
  for (const name of ["ptrace", "process_vm_writev", "process_vm_readv", "kcmp", "io_uring_setup", "open_by_handle_at", "userfaultfd", "pidfd_getfd"]) {
    expect({ name, errno: got[name] }).toEqual({ name, errno: EPERM });
  }
});

test("core/trust keys relax each protection", async () => {
  const trust = ["ptrace", "io_uring", "open_by_handle", "userfaultfd", "pidfd"].flatMap((k) => ["-m", `core/trust/${k}:true`]);
  const r = await sydbox(["-m", "core/sandbox/write:allow", ...trust, "--", cc("protect"), "1"]);
  const got = parse(r.stdout);
  // Now the kernel decides: io_uring_setup with a bogus params pointer is not EPERM,
  // and process_vm_readv of pid 1's unmapped buffer fails with its own errno.
  expect(got.io_uring_setup).not.toBe(EPERM);
  expect(got.open_by_handle_at).not.toBe(EPERM);
  expect(got.userfaultfd).not.toBe(EPERM);
});
