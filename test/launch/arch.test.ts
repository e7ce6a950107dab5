/**
 * -a arch: i386 programs on x86_64 are filtered and checked like native ones
 * (32-bit pointers, socketcall, 32-bit msghdr and mmsghdr) with `-a x86`, and killed
 * (SIGSYS) without it. The helper is test/c/arch32.c built with `cc -m32`.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cc, m32Unavailable } from "../lib/cc";
import { statsCounts, sydbox } from "../lib/sydbox";

const isX86_64 = process.arch === "x64";
const m32 = isX86_64 ? m32Unavailable() : "not an x86_64 machine";
if (m32) console.warn(`skipping the i386 tests: ${m32}`);
const arch32 = () => cc("arch32", ["-m32"]);

const dir = mkdtempSync(join(tmpdir(), "sydbox-arch-"));
const allowed = join(dir, "ok");
mkdirSync(allowed);
const WRITE = ["-m", "core/sandbox/write:deny", "-m", `allowlist/write+${allowed}/***`];

test("an unknown -a name is an error listing the valid names", async () => {
  const r = await sydbox(["-a", "vax", "--", "true"]);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("unknown architecture `vax'");
  expect(r.stderr).toContain("native, x86_64, x86, x32, arm, aarch64, mips, mips64, ppc, ppc64, ppc64le, s390, s390x, parisc, parisc64, riscv64");
});

test.skipIf(!isX86_64)("-a of an architecture sydbox has no syscall table for (s390x) is a clear error, not a crash", async () => {
  const r = await sydbox(["-a", "s390x", "--", "true"]);
  expect(r.status).toBe(1);
  expect(r.stderr).toBe("sydbox: sydbox has syscall tables for x86_64, x86, x32 and aarch64 only; it cannot classify the calls of architecture 0x80000016\n");
});

test.skipIf(!isX86_64)("--export pfc -a x86 -a x32 filters the three x86 ABIs, socketcall included", async () => {
  const r = await sydbox(["--export", "pfc", "-a", "x86", "-a", "x32", "-m", "core/sandbox/network:deny"]);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain("# filter for arch x86_64 (3221225534)");
  expect(r.stdout).toContain("# filter for arch x86 (1073741827)");
  expect(r.stdout).toContain("# filter for arch x32 (3221225534)");
  expect(r.stdout).toContain('# filter for syscall "socketcall" (102)');
  expect(r.stdout).toContain("# invalid architecture action\naction KILL_PROCESS;");
});

describe.skipIf(m32 !== null)("i386 programs", () => {
  let server: Bun.TCPSocketListener | null = null;
  afterAll(() => server?.stop(true));

  test("without -a x86, their syscalls are killed (SIGSYS)", async () => {
    const r = await sydbox([...WRITE, "--", arch32(), "getpid"]);
    expect(r.status).toBe(128 + 31);
    expect(r.stdout).toBe("");
  }, 30000);

  test("with -a x86, a write inside the allowlist is allowed and one outside denied", async () => {
    const inside = await sydbox(["-a", "x86", "--stats", ...WRITE, "--", arch32(), "create", join(allowed, "f")]);
    expect(inside.stdout.trim()).toBe("ok");
    expect(existsSync(join(allowed, "f"))).toBe(true);
    expect(statsCounts(inside.stderr).open).toBe(1); // the i386 open reached the supervisor as open
    const outside = await sydbox(["-a", "x86", ...WRITE, "--", arch32(), "create", join(dir, "f")]);
    expect(outside.stdout.trim()).toBe("EPERM");
    expect(outside.stderr).toContain(`open(\`${join(dir, "f")}')`);
    expect(existsSync(join(dir, "f"))).toBe(false);
  }, 30000);

  test("with -a x86, core/restrict/memory_map refuses W+X mmap2 and the register-less old_mmap", async () => {
    const MM = ["-a", "x86", "-m", "core/sandbox/write:off", "-m", "core/restrict/general:3"];
    const run = async (magic: string[], op: string) => (await sydbox([...MM, ...magic, "--", arch32(), op])).stdout.trim();
    expect(await run([], "mmap2-wx")).toBe("ok");
    expect(await run(["-m", "core/restrict/memory_map:1"], "mmap2-wx")).toBe("EPERM");
    expect(await run(["-m", "core/restrict/memory_map:1"], "mmap2-rw")).toBe("ok");
    // old_mmap's arguments are in memory, out of BPF's reach: refused under the memory rules.
    expect(await run([], "old-mmap-rw")).toBe("ok");
    expect(await run(["-m", "core/restrict/memory_map:1"], "old-mmap-rw")).toBe("EPERM");
  }, 60000);

  test("with -a x86, socketcall connect and sendmsg are decoded and checked", async () => {
    const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    server = listener;
    const port = String(listener.port);
    const NET = ["-a", "x86", "-m", "core/sandbox/network:deny"];
    const denied = await sydbox([...NET, "--", arch32(), "connect-socketcall", "127.0.0.1", port]);
    expect(denied.stdout.trim()).toBe("ECONNREFUSED");
    expect(denied.stderr).toContain(`connect(inet:127.0.0.1@${port})`);
    const ok = await sydbox([...NET, "-m", `allowlist/network/connect+inet:127.0.0.1@${port}`, "--stats", "--", arch32(), "connect-socketcall", "127.0.0.1", port]);
    expect(ok.stdout.trim()).toBe("ok");
    expect(statsCounts(ok.stderr).connect).toBe(1);
    // sendmsg's msghdr is the 32-bit layout: its msg_name must be found and checked.
    const msg = await sydbox([...NET, "--", arch32(), "sendmsg-socketcall", "127.0.0.1", "9"]);
    expect(msg.stdout.trim()).toBe("ECONNREFUSED");
    expect(msg.stderr).toContain("sendmsg(inet:127.0.0.1@9)");
    const msgOk = await sydbox([...NET, "-m", "allowlist/network/connect+inet:127.0.0.1@9", "--", arch32(), "sendmsg-socketcall", "127.0.0.1", "9"]);
    expect(msgOk.stdout.trim()).toBe("ok");
  }, 60000);

  test("with -a x86, sendmmsg (direct and through socketcall) is decoded in the 32-bit mmsghdr layout", async () => {
    // Entry 0 names port 10 (allowed), entry 1 port 9: only the 32-byte stride finds entry 1.
    const NET = ["-a", "x86", "-m", "core/sandbox/network:deny", "-m", "allowlist/network/connect+inet:127.0.0.1@10"];
    for (const op of ["sendmmsg", "sendmmsg-socketcall"]) {
      const denied = await sydbox([...NET, "--", arch32(), op, "127.0.0.1", "9"]);
      expect({ op, out: denied.stdout.trim() }).toEqual({ op, out: "ECONNREFUSED" });
      expect(denied.stderr).toContain("sendmmsg(inet:127.0.0.1@9)");
      const ok = await sydbox([...NET, "-m", "allowlist/network/connect+inet:127.0.0.1@9", "--stats", "--", arch32(), op, "127.0.0.1", "9"]);
      expect({ op, out: ok.stdout.trim() }).toEqual({ op, out: "ok" });
      expect(statsCounts(ok.stderr).sendmmsg).toBe(1);
    }
  }, 60000);
});

describe.skipIf(!isX86_64)("x32 calls (syscall number | 0x40000000, 32-bit structs)", () => {
  // The kernel here may lack CONFIG_X86_X32_ABI: an allowed call then fails ENOSYS, after the
  // filter and the supervisor have seen it, which is what these tests look at.
  const x32 = () => cc("arch32");
  const passed = (out: string) => out === "ok" || out === "ENOSYS";

  test("without -a x32 they are killed (SIGSYS)", async () => {
    const r = await sydbox([...WRITE, "--", x32(), "x32-create", join(allowed, "x")]);
    expect(r.status).toBe(128 + 31);
  }, 30000);

  test("with -a x32, openat is checked against the allowlist", async () => {
    const inside = await sydbox(["-a", "x32", "--stats", ...WRITE, "--", x32(), "x32-create", join(allowed, "x")]);
    expect(passed(inside.stdout.trim())).toBe(true);
    expect(statsCounts(inside.stderr).openat).toBe(1);
    const outside = await sydbox(["-a", "x32", ...WRITE, "--", x32(), "x32-create", join(dir, "x")]);
    expect(outside.stdout.trim()).toBe("EPERM");
    expect(outside.stderr).toContain(`openat(\`${join(dir, "x")}')`);
  }, 30000);

  test("with -a x32, sendmsg's 32-bit msghdr is decoded", async () => {
    const NET = ["-a", "x32", "-m", "core/sandbox/network:deny"];
    const denied = await sydbox([...NET, "--", x32(), "x32-sendmsg", "127.0.0.1", "9"]);
    expect(denied.stdout.trim()).toBe("ECONNREFUSED");
    expect(denied.stderr).toContain("sendmsg(inet:127.0.0.1@9)");
    const ok = await sydbox([...NET, "-m", "allowlist/network/connect+inet:127.0.0.1@9", "--", x32(), "x32-sendmsg", "127.0.0.1", "9"]);
    expect(passed(ok.stdout.trim())).toBe(true);
  }, 30000);

  test("with -a x32, sendmmsg's 32-bit mmsghdr vector is decoded", async () => {
    // Entry 0 names port 10 (allowed), entry 1 port 9: only the 32-byte stride finds entry 1.
    const NET = ["-a", "x32", "-m", "core/sandbox/network:deny", "-m", "allowlist/network/connect+inet:127.0.0.1@10"];
    const denied = await sydbox([...NET, "--", x32(), "x32-sendmmsg", "127.0.0.1", "9"]);
    expect(denied.stdout.trim()).toBe("ECONNREFUSED");
    expect(denied.stderr).toContain("sendmmsg(inet:127.0.0.1@9)");
    const ok = await sydbox([...NET, "-m", "allowlist/network/connect+inet:127.0.0.1@9", "--stats", "--", x32(), "x32-sendmmsg", "127.0.0.1", "9"]);
    expect(passed(ok.stdout.trim())).toBe(true);
    expect(statsCounts(ok.stderr).sendmmsg).toBe(1);
  }, 30000);
});
