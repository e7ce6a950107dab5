/**
 * Attacks on the supervisor are refused in the kernel with EPERM, and each
 * core/trust key relaxes its group.
 */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cc, m32Unavailable } from "../lib/cc";
import { sydbox, sydboxCommand, withTempDir } from "../lib/sydbox";

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

/**
 * The namespace guard (src/launch/namespaces.ts): test/c/ns.c makes each call that
 * would change what paths mean, each in a child of its own, and prints its errno.
 */
describe("core/trust/namespaces", () => {
  const ENOSYS = 38;
  const root = process.getuid?.() === 0;
  const GUARDED = ["chroot", "pivot_root", "setns", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "unshare_user", "unshare_mnt", "unshare_net", "unshare_time", "clone_user", "clone_pid"];
  // unshare(CLONE_FILES), clone without namespace flags, pthread_create + posix_spawn (glibc tries clone3 first).
  const ORDINARY = ["unshare_files", "clone_plain", "threads"];
  const nativeRun = (cmd: string[]) => parse(Bun.spawnSync(cmd).stdout.toString());
  const native = nativeRun([cc("ns"), "all"]);
  if (!root) console.log("protect.test.ts: not root, so natively chroot, setns, the mount API and most namespaces fail with EPERM too; only unshare_user and clone_user show the guard's refusal is sydbox's");
  if (native.unshare_user !== 0) console.log(`protect.test.ts: unshare(CLONE_NEWUSER) fails natively here (errno ${native.unshare_user}): user namespaces are not available, so trusting them is shown only as matching the native errno`);

  function expectGuarded(got: Record<string, number>) {
    for (const name of GUARDED) expect({ name, errno: got[name] }).toEqual({ name, errno: EPERM });
    expect(got.clone3).toBe(ENOSYS);
    for (const name of ORDINARY) expect({ name, errno: got[name] }).toEqual({ name, errno: 0 });
  }

  test("chroot, pivot_root, setns, the new mount API and new namespaces get EPERM, clone3 ENOSYS; threads and processes still start", async () => {
    const r = await sydbox(["--", cc("ns"), "all"]);
    expect(r.status).toBe(0);
    expectGuarded(parse(r.stdout));
  });

  test.skipIf(!root)("as root, natively none of them is EPERM: the refusals are sydbox's", () => {
    for (const name of [...GUARDED, "clone3", ...ORDINARY]) expect({ name, native: native[name] === EPERM }).toEqual({ name, native: false });
  });

  test("with core/trust/namespaces:true the kernel decides: every call ends as it does natively", async () => {
    const r = await sydbox(["-m", "core/trust/namespaces:true", "--", cc("ns"), "all"]);
    expect(r.status).toBe(0);
    expect(parse(r.stdout)).toEqual(native);
  });

  const m32 = process.arch === "x64" ? m32Unavailable() : "not an x86_64 machine";
  test.skipIf(m32 !== null)(`with -a x86, an i386 program is guarded the same way (clone's flags are its first argument there too)${m32 ? ` (skipped: ${m32})` : ""}`, async () => {
    const r = await sydbox(["-a", "x86", "--", cc("ns", ["-m32"]), "all"]);
    expect(r.status).toBe(0);
    expectGuarded(parse(r.stdout));
  }, 30000);

  test("a shell pipeline runs", async () => {
    const r = await sydbox(["--", "sh", "-c", "echo abc | cat | wc -c"]);
    expect({ status: r.status, out: r.stdout.trim() }).toEqual({ status: 0, out: "4" });
  });

  // unshare(1) maps the uid itself; natively it needs user namespaces (as nobody: unprivileged ones).
  const asNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
  const unshareR = ["unshare", "-U", "-r", "-m", "true"];
  const nativeUnshare = Bun.spawnSync(unshareR, { stderr: "pipe" }).exitCode === 0;
  const nativeNobody = root && Bun.spawnSync([...asNobody, ...unshareR], { stderr: "pipe" }).exitCode === 0;
  const noUnshare = nativeUnshare ? "" : " (skipped: it fails natively here, so its refusal under sydbox would prove nothing)";
  const noNobody = nativeNobody ? "" : ` (skipped: ${root ? "unprivileged user namespaces (or setpriv) are not available natively" : "needs root to become nobody"})`;
  for (const emulate of [true, false]) {
    test.skipIf(!nativeUnshare)(`\`unshare -U -r -m true\` runs natively and fails with EPERM under sydbox (emulate:${emulate})${noUnshare}`, async () => {
      const r = await sydbox(["-m", `core/trace/emulate:${emulate}`, "--", ...unshareR]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("unshare failed: Operation not permitted");
    });
  }
  test.skipIf(!nativeNobody)(`as nobody too: an unprivileged sandbox cannot make a user namespace${noNobody}`, async () => {
    const p = Bun.spawn([...asNobody, ...sydboxCommand(), "--", ...unshareR], { stdout: "pipe", stderr: "pipe" });
    const stderr = await new Response(p.stderr).text();
    expect(await p.exited).not.toBe(0);
    expect(stderr).toContain("unshare failed: Operation not permitted");
  });

  test.skipIf(!root)("as root, chroot(1) is refused, so a write checked in sydbox's view never runs in another root; trusted, it runs", async () => {
    await withTempDir("sydbox-chroot-", async (dir) => {
      const write = ["-m", "core/trace/emulate:false", "-m", "core/sandbox/write:deny", "-m", `allowlist/write+${dir}/***`];
      const r = await sydbox([...write, "--", "chroot", "/", "sh", "-c", `echo hi > ${dir}/x`]);
      expect(r.status).toBe(125);
      expect(r.stderr).toContain("cannot change root directory to '/': Operation not permitted");
      expect(existsSync(join(dir, "x"))).toBe(false);
      const t = await sydbox([...write, "-m", "core/trust/namespaces:true", "--", "chroot", "/", "sh", "-c", `echo hi > ${dir}/x`]);
      expect(t.status).toBe(0);
      expect(existsSync(join(dir, "x"))).toBe(true);
    });
  });
});
