/**
 * Class 5 of the sandbox-closing audit: writes the kernel makes for the process, or through
 * something it shares with the world outside. A crash writes a core file into the working
 * directory, even a denied one; a terminal shared with the invoker takes injected input that
 * runs after sydbox exits. Each is shown natively, then closed under dist/sydbox.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cc } from "../lib/cc";
import { DIST, sydbox } from "../lib/sydbox";
import { arena, writeSandbox } from "./lib";

const A = arena();
afterAll(A.cleanup);
const pattern = readFileSync("/proc/sys/kernel/core_pattern", "utf8").trim();
const coreToCwd = !pattern.startsWith("|") && !pattern.includes("/");
const notRoot = process.getuid?.() !== 0;
const hasScript = Bun.spawnSync(["sh", "-c", "command -v script"]).exitCode === 0;

test.skipIf(!coreToCwd)(`a crash writes no core file into a denied working directory (core_pattern '${pattern}' must name a file in the cwd)`, async () => {
  const h = cc("sidedoor");
  const raise = "ulimit -c unlimited 2>/dev/null; ";
  Bun.spawnSync(["sh", "-c", `${raise}cd ${A.no} && exec ${h} crash`]);
  const cores = () => Bun.spawnSync(["sh", "-c", `ls ${A.no} | grep -c '^core' || true`]).stdout.toString().trim();
  expect(cores()).not.toBe("0"); // natively: a core file appeared
  Bun.spawnSync(["sh", "-c", `rm -f ${A.no}/core*`]);
  await sydbox([...writeSandbox(A.dir, true), "--", "sh", "-c", `${raise}cd ${A.no} && exec ${h} crash`], { env: { ...process.env as Record<string, string> } });
  expect(cores()).toBe("0");
}, 30000);

test("RLIMIT_CORE is 0/0 in the sandbox, and raising it is refused; core/trust/core_dumps keeps the invoker's", async () => {
  // Refused by the kernel (hard limit 0) and, as root, in BPF too.
  const h = cc("sidedoor");
  expect((await sydbox(["--", h, "core-limit"])).stdout.trim()).toBe("0 0");
  expect((await sydbox(["--", h, "core-max"])).stdout.trim()).toBe("EPERM");
  const native = Bun.spawnSync([h, "core-limit"]).stdout.toString().trim();
  expect((await sydbox(["-m", "core/trust/core_dumps:1", "--", h, "core-limit"])).stdout.trim()).toBe(native);
}, 30000);

const canRaise = Bun.spawnSync(["sh", "-c", "ulimit -c 0 && ulimit -Hc unlimited 2>/dev/null && echo raised"]).stdout.toString().trim() === "raised";

test.skipIf(notRoot)("as root, RLIMIT_CORE changes are refused in BPF, not only by the kernel: even lowering it is EPERM (root)", async () => {
  const h = cc("sidedoor");
  expect(Bun.spawnSync([h, "core-zero"]).stdout.toString().trim()).toBe("ok");
  expect((await sydbox(["--", h, "core-zero"])).stdout.trim()).toBe("EPERM");
}, 30000);

test.skipIf(!canRaise)("a root process with CAP_SYS_RESOURCE raises RLIMIT_CORE from 0/0 natively, not under sydbox (needs CAP_SYS_RESOURCE)", async () => {
  expect(Bun.spawnSync(["sh", "-c", `ulimit -c 0; ${cc("sidedoor")} core-max`]).stdout.toString().trim()).toBe("ok");
  expect((await sydbox(["--", cc("sidedoor"), "core-max"])).stdout.trim()).toBe("EPERM");
}, 30000);

test("the command leads a session of its own; core/trust/terminal keeps it in sydbox's", async () => {
  const h = cc("sidedoor");
  expect((await sydbox(["--", h, "session"])).stdout.trim().split("\n")[0]).toBe("leader");
  expect((await sydbox(["-m", "core/trust/terminal:1", "--", h, "session"])).stdout.trim().split("\n")[0]).toBe("member");
}, 30000);

test.skipIf(!hasScript)("a terminal shared with the invoker: no /dev/tty and no TIOCSTI injection (needs script(1) for a pty)", async () => {
  const h = cc("sidedoor");
  const inPty = (cmd: string) => Bun.spawnSync(["script", "-qec", cmd, "/dev/null"], { stdin: "ignore" }).stdout.toString();
  // Natively, a process of the terminal's session opens it and pushes input into it.
  const nat = inPty(`${h} session; ${h} tiocsti`);
  expect(nat).toContain("tty");
  expect(nat).toMatch(/ok/);
  const boxed = inPty(`${DIST} -- ${h} session; ${DIST} -- ${h} tiocsti; ${DIST} -- ${h} tioclinux`);
  expect(boxed.split(/\r?\n/).filter(Boolean)).toEqual(["leader", "ENXIO", "EPERM", "EPERM"]);
  // With core/trust/terminal the terminal is the command's too, but injection stays refused.
  const trusted = inPty(`${DIST} -m core/trust/terminal:1 -- ${h} tiocsti`);
  expect(trusted.trim()).toBe("EPERM");
}, 30000);

test("^C still reaches the command, now through sydbox (SIGINT is passed on to its process group)", async () => {
  const p = Bun.spawn([DIST, "--", "sh", "-c", `trap 'echo int; exit 7' INT; echo up; while :; do sleep 0.05; done`], { stdout: "pipe", stderr: "pipe" });
  const reader = p.stdout.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  expect(first).toContain("up");
  p.kill("SIGINT");
  const status = await p.exited;
  let rest = "";
  for (;;) { const { value, done } = await reader.read(); if (done) break; rest += new TextDecoder().decode(value); }
  expect(rest).toContain("int");
  expect(status).toBe(7);
  expect(existsSync(join(A.dir, "nothing"))).toBe(false);
}, 30000);

test("^Z stops the command with sydbox, and fg (SIGCONT) continues both", async () => {
  // The command execs one sleep: a shell looping on children would sit in vfork (uninterruptible
  // until its stopped child runs again), natively as under sydbox, and never show as stopped.
  const p = Bun.spawn([DIST, "--", "sh", "-c", "echo $$; exec sleep 1000"], { stdout: "pipe", stderr: "pipe" });
  const reader = p.stdout.getReader();
  const pid = Number(new TextDecoder().decode((await reader.read()).value).trim());
  const state = (n: number) => readFileSync(`/proc/${n}/stat`, "utf8").replace(/^.*\) /, "")[0];
  const until = async (f: () => boolean) => { for (let i = 0; i < 200 && !f(); i++) await Bun.sleep(10); return f(); };
  try {
    p.kill("SIGTSTP");
    expect(await until(() => state(pid) === "T" && state(p.pid) === "T")).toBe(true);
    p.kill("SIGCONT");
    expect(await until(() => state(pid) !== "T" && state(p.pid) !== "T")).toBe(true);
  } finally {
    // A failed check must not hang the test on a stopped tree: continue it, then end it.
    p.kill("SIGCONT");
    p.kill("SIGTERM");
    await p.exited;
  }
}, 30000);
