/**
 * What emulation must keep of the tracee's own call: O_CLOEXEC on its fd and its status
 * flags (O_NONBLOCK, which the supervisor adds to its own open, is cleared again unless
 * asked for), the tracee's credentials for permission checks and new files' owners, and
 * no deadlock on FIFOs, whose opens block until the other end appears.
 */
import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { O_APPEND, O_CLOEXEC, O_CREAT, O_NONBLOCK, O_RDONLY, O_WRONLY } from "../../ffi/constants";
import { cc } from "../lib/cc";
import { sydbox } from "../lib/sydbox";

const T = mkdtempSync(join(tmpdir(), "sydbox-emu-sem-"));
afterAll(() => rmSync(T, { recursive: true, force: true }));
// A read deny rule makes reads checked (read:allow with none answers without looking), so emulated.
const EMU = ["-m", "core/trace/emulate:true", "-m", "core/sandbox/read:allow", "-m", "denylist/read+/nonexistent/***", "-m", "core/sandbox/write:deny", "-m", `allowlist/write+${T}/***`];

test("the tracee's fd keeps O_CLOEXEC or not, and its own status flags", async () => {
  const f = join(T, "flags");
  writeFileSync(f, "");
  const cases: Array<[number, string]> = [
    [O_RDONLY, "cloexec=0 nonblock=0 append=0 accmode=0"],
    [O_RDONLY | O_CLOEXEC, "cloexec=1 nonblock=0 append=0 accmode=0"],
    [O_WRONLY | O_APPEND | O_NONBLOCK, "cloexec=0 nonblock=1 append=1 accmode=1"],
    [O_WRONLY | O_CREAT | O_CLOEXEC, "cloexec=1 nonblock=0 append=0 accmode=1"],
  ];
  const script = cases.map(([flags]) => `${cc("fdflags")} ${f} ${flags} 644`).join("; ");
  const native = Bun.spawnSync(["sh", "-c", script]).stdout.toString().trim().split("\n");
  expect(native).toEqual(cases.map(([, want]) => want));
  const r = await sydbox([...EMU, "--", "sh", "-c", script]);
  expect(r.stdout.trim().split("\n")).toEqual(native);
}, 30000);

test("a FIFO's reader and writer meet without deadlocking the supervisor", async () => {
  const fifo = join(T, "fifo");
  Bun.spawnSync(["mkfifo", fifo]);
  // The reader's open succeeds at once (made non-blocking, then blocking again for its
  // reads); the writer's open, with no reader yet, is the kernel's to block.
  const r = await sydbox([...EMU, "--", "sh", "-c", `cat ${fifo} & sleep 0.2; echo through > ${fifo}; wait; (sleep 0.2; echo back > ${fifo}) & cat ${fifo}; wait`], { timeoutMs: 20000 });
  expect({ status: r.status, out: r.stdout }).toEqual({ status: 0, out: "through\nback\n" });
}, 30000);

test("a FIFO whose other end is opened outside the sandbox: the open waits for it, as in the kernel", async () => {
  const fifo = join(T, "outside-fifo");
  Bun.spawnSync(["mkfifo", fifo]);
  const writer = Bun.spawn(["sh", "-c", `sleep 0.5; echo from-outside > ${fifo}`], { stdout: "ignore" });
  const r = await sydbox([...EMU, "--", "cat", fifo], { timeoutMs: 20000 });
  await writer.exited;
  expect({ status: r.status, out: r.stdout }).toEqual({ status: 0, out: "from-outside\n" });
}, 30000);

test("/proc/self/fd/N of a pipe (a path-less object) is reopened through its magic link", async () => {
  const r = await sydbox([...EMU, "--", "sh", "-c", "echo through-the-pipe | cat /proc/self/fd/0"]);
  expect({ status: r.status, out: r.stdout }).toEqual({ status: 0, out: "through-the-pipe\n" });
}, 30000);

test("bind and connect with an unreadable or oversized address fail as in the kernel", async () => {
  const native = Bun.spawnSync([cc("escape"), "badaddr", T]).stdout.toString();
  expect(native).toBe("connect-unmapped EFAULT\nconnect-too-long EINVAL\nbind-unmapped EFAULT\n");
  const r = await sydbox(["-m", "core/trace/emulate:true", "-m", "core/sandbox/network:deny", "--", cc("escape"), "badaddr", T]);
  expect(r.stdout).toBe(native);
}, 30000);

const root = process.getuid?.() === 0;
test.skipIf(!root)(`creates and permission checks use the tracee's fsuid/fsgid, not the supervisor's${root ? "" : " (skipped: needs root, to run the tracee as another user)"}`, async () => {
  const shared = join(T, "shared"), closed = join(T, "closed");
  chmodSync(T, 0o755); // mkdtemp made it 0700: the other user must get through
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  mkdirSync(closed);
  chmodSync(closed, 0o755);
  // setpriv is util-linux: drop to 65534 inside the sandbox (root may; no_new_privs allows dropping).
  const as = (cmd: string) => `setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '${cmd}'`;
  const script = [
    as(`echo x > ${shared}/mine && mkdir ${shared}/mydir && echo created`),
    as(`echo x > ${closed}/no && echo wrote || echo denied`),
    as(`mkdir ${closed}/d && echo made || echo denied`),
  ].join("; ");
  const r = await sydbox([...EMU, "--", "sh", "-c", script]);
  expect(r.stdout.trim().split("\n")).toEqual(["created", "denied", "denied"]);
  for (const p of ["mine", "mydir"]) {
    const st = statSync(join(shared, p));
    expect({ p, uid: st.uid, gid: st.gid }).toEqual({ p, uid: 65534, gid: 65534 });
  }
}, 30000);

test.skipIf(!root)("a root tracee without CAP_DAC_OVERRIDE is refused what the kernel refuses it", async () => {
  const theirs = join(T, "theirs");
  chmodSync(T, 0o755);
  mkdirSync(theirs);
  chmodSync(theirs, 0o755);
  Bun.spawnSync(["chown", "65534:65534", theirs]);
  // Still uid 0, but the bounding set (so the effective set after exec) lacks the DAC overrides.
  const script = `setpriv --bounding-set=-dac_override,-dac_read_search sh -c 'echo x > ${theirs}/f && echo wrote || echo denied; mkdir ${theirs}/d && echo made || echo denied'`;
  expect(Bun.spawnSync(["sh", "-c", script]).stdout.toString()).toBe("denied\ndenied\n");
  const r = await sydbox([...EMU, "--", "sh", "-c", script]);
  expect(r.stdout).toBe("denied\ndenied\n");
}, 30000);
