/**
 * The signal guard (src/supervisor/signals.ts, the `signal` rows of the syscall
 * table, the kernel-side refusals of launch/filter.ts): nothing sandboxed can
 * stop or kill the reaper (the eldest's parent) or sydbox, by any thread id,
 * group or fd, while signals between sandboxed processes still work. Each call
 * is one raw syscall of test/c/sig.c inside the sandbox, with signal 0 where a
 * broken guard would otherwise stop or kill something (the check is on the
 * target, whatever the signal); the SIGSTOP and SIGKILL cases read the reaper's state.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cc } from "../lib/cc";
import { alive } from "../lib/family";
import { sydbox, sydboxCommand, waitForFile, withTempDir } from "../lib/sydbox";

const ALLOW = ["-m", "core/sandbox/write:allow"];
const SIG = () => cc("sig");

/** Runs `sig ...args` under sydbox; its printed results, one a line. */
async function sig(args: string[], opts: string[] = []): Promise<{ out: string[]; stderr: string; status: number }> {
  const r = await sydbox([...ALLOW, ...opts, "--", SIG(), ...args], { timeoutMs: 30000 });
  return { out: r.stdout.trim().split("\n"), stderr: r.stderr, status: r.status };
}

describe("the reaper", () => {
  for (const signal of ["STOP", "KILL"]) {
    test(`sh's kill -${signal} $PPID is EPERM, reported, and the reaper runs on`, async () => {
      // The CONT (refused too) lets a broken guard's run end instead of hanging.
      const r = await sydbox([...ALLOW, "--", "sh", "-c", `kill -${signal} $PPID; echo rc=$?; cut -d' ' -f3 /proc/$PPID/stat; kill -CONT $PPID 2>/dev/null; exit 0`]);
      expect(r.stdout.split("\n").slice(0, 2)).toEqual(["rc=1", "S"]);
      expect(r.stderr).toContain("Operation not permitted");
      expect(r.stderr).toContain("Access Violation!");
      expect(r.stderr).toMatch(/kill\(\d+\)/);
      expect(r.status).toBe(0);
    }, 60000);
  }

  test("tgkill, tkill, kill and the sigqueues aimed at a non-main thread of the reaper are EPERM", async () => {
    const runs = await Promise.all([
      sig(["tgkill", "reaper", "thread", "0"]),
      sig(["tkill", "thread", "0"]),
      sig(["kill", "thread", "0"]),
      sig(["sigqueue", "thread", "0"]),
      sig(["tgsigqueue", "reaper", "thread", "0"]),
    ]);
    expect(runs.map((r) => r.out[0])).toEqual(["EPERM", "EPERM", "EPERM", "EPERM", "EPERM"]);
    expect(runs.map((r) => r.status)).toEqual([0, 0, 0, 0, 0]);
  }, 60000);

  test("kill(-1) and kill(-reaper's group) are EPERM; kill(0) and a missing pid are the kernel's", async () => {
    // Signal 0 only: were the guard broken, kill(-1) must not reach anything.
    const runs = await Promise.all([
      sig(["kill", "-1", "0"]), sig(["kill", "-reaper", "0"]), sig(["kill", "0", "0"]), sig(["kill", "2147483647", "0"]),
    ]);
    expect(runs.map((r) => r.out[0])).toEqual(["EPERM", "EPERM", "ok", "ESRCH"]);
  }, 60000);

  test("no sandboxed process can join the reaper's process group", async () => {
    expect((await sig(["setpgid", "reaper"])).out).toEqual(["EPERM"]);
  }, 60000);

  test("F_SETOWN to the reaper or its group is EPERM; to the caller itself it works", async () => {
    const runs = await Promise.all([sig(["setown", "reaper"]), sig(["setown", "-reaper"]), sig(["setown", "thread"]), sig(["setown", "self"])]);
    expect(runs.map((r) => r.out[0])).toEqual(["EPERM", "EPERM", "EPERM", "ok"]);
  }, 60000);

  test("F_SETOWN_EX, FIOSETOWN and SIOCSPGRP (a pid in memory) are refused whatever the target", async () => {
    const runs = await Promise.all([sig(["setownex", "self"]), sig(["fiosetown", "self"]), sig(["siocspgrp", "self"])]);
    expect(runs.map((r) => r.out[0])).toEqual(["EPERM", "EPERM", "EPERM"]);
  }, 60000);
});

describe("sydbox", () => {
  test("kill, tgkill and sigqueue aimed at sydbox are EPERM", async () => {
    const runs = await Promise.all([sig(["kill", "sydbox", "0"]), sig(["tgkill", "sydbox", "sydbox", "0"]), sig(["sigqueue", "sydbox", "0"])]);
    expect(runs.map((r) => r.out[0])).toEqual(["EPERM", "EPERM", "EPERM"]);
  }, 60000);

  test("core/restrict/general:1 (no reaper): sydbox, the command's parent, is still protected", async () => {
    const r = await sig(["kill", "reaper", "0"], ["-m", "core/restrict/general:1"]);
    expect(r.out).toEqual(["EPERM"]);
  }, 60000);

  test("-b (no supervisor): the kill family stays in the kernel", async () => {
    const r = await sydbox(["-b", "--", "sh", "-c", "kill -0 $$ && echo ok"]);
    expect(r.stdout.trim()).toBe("ok");
  }, 60000);
});

describe("between sandboxed processes", () => {
  test("kill still works: a child killed with SIGTERM reports 143", async () => {
    const r = await sydbox([...ALLOW, "--", "sh", "-c", "sleep 30 & kill -TERM $!; wait $!; echo $?"]);
    expect(r.stdout.trim()).toBe("143");
    expect(r.stderr).not.toContain("Access Violation!");
  }, 60000);

  test("pidfd_send_signal is EPERM, and allowed with core/trust/pidfd:true", async () => {
    const script = `sleep 30 & ${SIG()} pidfd $! 15; kill $! 2>/dev/null; wait $!; echo $?`;
    const denied = await sydbox([...ALLOW, "--", "sh", "-c", script]);
    const trusted = await sydbox([...ALLOW, "-m", "core/trust/pidfd:true", "--", "sh", "-c", script]);
    expect(denied.stdout.split("\n").slice(0, 2)).toEqual(["EPERM", "143"]);
    expect(trusted.stdout.split("\n").slice(0, 2)).toEqual(["ok", "143"]);
  }, 60000);
});

// Only what this test started is killed, by pid.
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) if (alive(pid)) try { process.kill(pid, "SIGKILL"); } catch {}
});

// Paludis runs builds unprivileged: the attack is also made as nobody.
const root = process.getuid?.() === 0;
if (!root) console.log("signals.test.ts: not root, so the attack is made as this user only");
const AS = [{ who: "this user", prefix: [] as string[] }, { who: "nobody", prefix: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] }];
for (const { who, prefix } of AS) test.skipIf(prefix.length > 0 && !root)(`the attack (${who}): a sandboxed process tries to STOP the reaper, kills sydbox's group: a second later nothing sandboxed runs`, async () => {
  await withTempDir("sydbox-sig-", async (dir) => {
    chmodSync(dir, 0o777);
    const file = join(dir, "attack");
    // setsid(1): sydbox leads a process group of its own, which the attacker kills.
    const p = Bun.spawn([...prefix, "setsid", ...sydboxCommand(), ...ALLOW, "--", SIG(), "attack", file], { stdout: "ignore", stderr: "pipe" });
    started.push(p.pid);
    const written = await waitForFile(file, 30000);
    // Created empty: the report follows the attempt to stop the reaper.
    for (let i = 0; i < 3000 && written && !readFileSync(file, "utf8").endsWith("\n"); i++) await Bun.sleep(10);
    expect(written).toBe(true);
    const [pid, reaper, stop] = readFileSync(file, "utf8").trim().split(" ");
    started.push(Number(pid), Number(reaper));
    expect(stop).toBe("EPERM");
    await p.exited;
    expect(p.signalCode).toBe("SIGKILL"); // the attacker's kill of sydbox's group went through
    await Bun.sleep(1000);
    expect({ attacker: alive(Number(pid)), reaper: alive(Number(reaper)) }).toEqual({ attacker: false, reaper: false });
  });
}, 60000);
