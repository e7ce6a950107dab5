/**
 * Class 4 of the sandbox-closing audit, root-only side doors decided in BPF from registers:
 * device nodes, process accounting and mounts change files behind the path checks. Each is
 * shown working natively as root, then refused under dist/sydbox (EPERM), judged on the
 * file system; core/trust/* lets each back in.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cc } from "../lib/cc";
import { sydbox } from "../lib/sydbox";
import { arena, writeSandbox } from "./lib";

const A = arena();
afterAll(A.cleanup);
const notRoot = process.getuid?.() !== 0;
const sysc = () => cc("sysc");
const run = (args: string[]) => Bun.spawnSync(args).stdout.toString().trim();
/** A loop device minor nobody uses: creating its node touches no device. */
const BLK = ["0060600", String((7 << 8) | 250)], CHR = ["0020600", String((1 << 8) | 3)];

test.skipIf(notRoot)("mknod of a block or character device in an allowed directory is refused (root)", async () => {
  for (const [kind, [mode, dev]] of [["block", BLK], ["char", CHR]] as const) {
    const nat = join(A.ok, `${kind}-native`), box = join(A.ok, `${kind}-boxed`);
    expect(run([sysc(), "mknodat", "cwd", nat, mode, dev])).toBe("ok");
    expect(kind === "block" ? statSync(nat).isBlockDevice() : statSync(nat).isCharacterDevice()).toBe(true);
    const r = await sydbox([...writeSandbox(A.dir, true), "--", sysc(), "mknodat", "cwd", box, mode, dev]);
    expect({ kind, out: r.stdout.trim() }).toEqual({ kind, out: "EPERM" });
    expect(existsSync(box)).toBe(false);
    const trusted = await sydbox([...writeSandbox(A.dir, true), "-m", "core/trust/devices:1", "--", sysc(), "mknodat", "cwd", box, mode, dev]);
    expect({ kind, out: trusted.stdout.trim() }).toEqual({ kind, out: "ok" });
  }
  // Other file types still go through the write check: a FIFO in the allowed directory is made.
  const fifo = join(A.ok, "fifo");
  expect((await sydbox([...writeSandbox(A.dir, true), "--", sysc(), "mknodat", "cwd", fifo, "0010600", "0"])).stdout.trim()).toBe("ok");
  expect(statSync(fifo).isFIFO()).toBe(true);
}, 60000);

test.skipIf(notRoot)("acct cannot make the kernel append records to a denied file (root)", async () => {
  const nat = join(A.no, "acct-native"), box = join(A.no, "acct-boxed");
  writeFileSync(nat, "");
  writeFileSync(box, "");
  expect(run([cc("sidedoor"), "acct", nat])).toBe("ok");
  expect(statSync(nat).size).toBeGreaterThan(0);
  const r = await sydbox([...writeSandbox(A.dir, true), "--", cc("sidedoor"), "acct", box]);
  expect(r.stdout.trim()).toBe("EPERM");
  expect(statSync(box).size).toBe(0);
}, 30000);

const canMount = !notRoot && (() => {
  const d = join(A.dir, "probe-a"), e = join(A.dir, "probe-b");
  mkdirSync(d);
  mkdirSync(e);
  if (Bun.spawnSync(["mount", "--bind", d, e]).exitCode !== 0) return false;
  Bun.spawnSync(["umount", e]);
  return true;
})();

test.skipIf(!canMount)("mount(2) cannot bind a denied directory over an allowed one (root with CAP_SYS_ADMIN)", async () => {
  const target = join(A.ok, "m");
  mkdirSync(target);
  // Natively: the bind makes a write to ok/m/f land in no/f.
  expect(run([sysc(), "mount", A.no, target, "none", "4096"])).toBe("ok"); // MS_BIND
  writeFileSync(join(target, "f-native"), "x");
  Bun.spawnSync(["umount", target]);
  expect(existsSync(join(A.no, "f-native"))).toBe(true);
  const r = await sydbox([...writeSandbox(A.dir, true), "--", "sh", "-c", `${sysc()} mount ${A.no} ${target} none 4096; echo x > ${target}/f-boxed`]);
  expect(r.stdout.trim()).toBe("EPERM");
  expect(existsSync(join(A.no, "f-boxed"))).toBe(false);
  expect(existsSync(join(target, "f-boxed"))).toBe(true); // the write went where the path said
  // umount is refused too: it would uncover what lies under a mount of the host.
  expect((await sydbox(["--", sysc(), "umount2", "/proc", "0"])).stdout.trim()).toBe("EPERM");
}, 30000);

test("the other root-only side doors are refused in the kernel, without running them natively", async () => {
  // Not tried natively: each would change the host (swap, clock, kernel, hostname, log).
  const h = cc("sidedoor");
  const calls = process.arch === "x64"
    ? { swapoff: 168, settimeofday: 164, reboot: 169, sethostname: 170, init_module: 175, syslog: 103, bpf: 321, kexec_load: 246, iopl: 172 }
    : { swapoff: 225, settimeofday: 170, reboot: 142, sethostname: 161, init_module: 105, syslog: 116, bpf: 280, kexec_load: 104 };
  for (const [name, nr] of Object.entries(calls)) {
    const r = await sydbox(["--", h, "nr", String(nr)]);
    expect({ name, out: r.stdout.trim() }).toEqual({ name, out: "EPERM" });
  }
}, 60000);
