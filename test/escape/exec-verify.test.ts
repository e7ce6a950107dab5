/**
 * Issue #19, class 3, execve: only the tracee can exec, so an allowed exec is CONTINUEd and
 * the kernel looks its path up again. A thread that rewrites the path buffer in between
 * (test/c/race.c `exec`: a vfork child execs while a thread of its parent flips the path
 * between DIR/ok/prog and DIR/no/prog) starts a denied program. Under
 * core/trace/emulate:false (SydBox 2's check-then-continue, documented racy) it wins; by
 * default the supervisor traces each allowed exec to its exec event and kills what is not
 * the checked program before its first instruction (src/supervisor/exec-verify.ts), and the
 * denied program never leaves its mark (DIR/ok/ran, created before anything else).
 *
 * Siblings: a symlink swapped on the path (binaries), and a dup2() over the descriptor of an
 * execveat(fd, "", AT_EMPTY_PATH). The other tests: an exec that fails goes on untraced, a non-leader thread's exec while the
 * leader sits in notified calls, signals arriving around failed execs are all delivered, and
 * with exec sandboxing off nothing is ever traced.
 */
import { afterEach, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cc } from "../lib/cc";
import { sydbox, sydboxCommand } from "../lib/sydbox";
import { arena } from "./lib";

/** How long the attack runs where it must hold, in seconds. */
const SECONDS = 5;
/** The budget of the attack against CONTINUE, which stops at its first win. */
const CONTINUE_BUDGET = 30;
const cleanups: Array<() => void> = [];
afterEach(() => { while (cleanups.length) cleanups.pop()!(); });

const BUILD = join(import.meta.dir, "..", ".build");
const scope = (() => { try { return Number(readFileSync("/proc/sys/kernel/yama/ptrace_scope", "utf8")); } catch { return 0; } })();
/** Why a sydbox (root or not) cannot seize its tree here: Yama's ptrace_scope 3, or 2 without root; else "". */
const noSeize = (root: boolean) => (scope >= 3 || (scope === 2 && !root) ? `Yama's ptrace_scope ${scope} forbids the supervisor's PTRACE_SEIZE` : "");
const seizeWhy = noSeize(process.getuid?.() === 0);
/** A test that needs exec verification to work (every exec under it fails closed otherwise). */
const vtest = (name: string, fn: () => unknown, timeout?: number) => test.skipIf(seizeWhy !== "")(`${name}${seizeWhy && ` (skipped: ${seizeWhy})`}`, fn as () => Promise<void>, timeout);
const raced = (out: string) => /^(bypass|held) (\d+)(?: (\d+))?$/m.exec(out);

/** Exec sandboxing only: the system, the test helpers and `dir`/ok allowed; `dir`/no denied (not reported). */
function execSandbox(dir: string, emulate = true, filtered = true): string[] {
  const lists = [`${dir}/ok/***`, "/usr/***", "/bin/***", `${BUILD}/***`].flatMap((p) => ["-m", `allowlist/exec+${p}`]);
  return ["-m", `core/trace/emulate:${emulate}`, "-m", "core/sandbox/write:off", "-m", "core/sandbox/exec:deny", ...lists, ...(filtered ? ["-m", `filter/exec+${dir}/no/***`] : [])];
}

type Kind = "script" | "binary";
/** An arena whose ok/prog and no/prog are a #! script or a binary (test/c/execv.c); no/prog creates ok/ran. */
function programs(ok: Kind, no: Kind) {
  const a = arena();
  cleanups.push(a.cleanup);
  const put = (kind: Kind, path: string, body: string) => {
    if (kind === "binary") copyFileSync(cc("execv"), path);
    else writeFileSync(path, `#!/bin/sh\n${body}`, { mode: 0o755 });
  };
  put(ok, join(a.ok, "prog"), "exit 0\n");
  put(no, join(a.no, "prog"), `: > ${a.ok}/ran\n`);
  return a;
}

/** race.c's `exec` (a path buffer flipped), or `execfd` (execveat of an fd that a thread dup2()s over). */
async function race(ok: Kind, no: Kind, emulate: boolean, seconds: number, kind: "exec" | "execfd" = "exec") {
  const a = programs(ok, no);
  const r = await sydbox([...execSandbox(a.dir, emulate), "--", cc("race"), kind, a.dir, String(seconds)], { timeoutMs: (seconds + 60) * 1000 });
  const m = raced(r.stdout);
  console.log(`${kind} race ${ok} -> ${no}, ${emulate ? "verified" : "CONTINUE"}: ${r.stdout.trim()}`);
  return { verdict: m?.[1], attempts: Number(m?.[2] ?? 0), done: Number(m?.[3] ?? 0), ran: existsSync(join(a.ok, "ran")), status: r.status };
}

test("natively, the exec races start the denied program (the attacks' target is real)", () => {
  for (const kind of ["exec", "execfd"]) {
    const a = programs(kind === "exec" ? "script" : "binary", "binary");
    const r = Bun.spawnSync([cc("race"), kind, a.dir, "5"]);
    expect({ kind, out: r.stdout.toString().split(" ")[0], ran: existsSync(join(a.ok, "ran")) }).toEqual({ kind, out: "bypass", ran: true });
  }
});

for (const [ok, no] of [["script", "script"], ["script", "binary"], ["binary", "binary"]] as const) {
  vtest(`exec race ${ok} -> ${no}: wins against CONTINUE (core/trace/emulate:false, documented racy)`, async () => {
    const r = await race(ok, no, false, CONTINUE_BUDGET);
    expect({ verdict: r.verdict, ran: r.ran }).toEqual({ verdict: "bypass", ran: true });
  }, (CONTINUE_BUDGET + 90) * 1000);

  vtest(`exec race ${ok} -> ${no}: never wins with post-exec verification, for ${SECONDS} seconds`, async () => {
    const r = await race(ok, no, true, SECONDS);
    expect({ verdict: r.verdict, ran: r.ran, status: r.status }).toEqual({ verdict: "held", ran: false, status: 0 });
    expect(r.attempts).toBeGreaterThan(500);
    expect(r.done).toBeGreaterThan(100); // allowed execs ran
  }, (SECONDS + 90) * 1000);
}

vtest("execveat(fd, \"\", AT_EMPTY_PATH) race, a thread dup2()ing a denied program onto the fd: wins against CONTINUE", async () => {
  const r = await race("binary", "binary", false, CONTINUE_BUDGET, "execfd");
  expect({ verdict: r.verdict, ran: r.ran }).toEqual({ verdict: "bypass", ran: true });
}, (CONTINUE_BUDGET + 90) * 1000);

vtest(`execveat(fd, "", AT_EMPTY_PATH) race: never wins with post-exec verification, for ${SECONDS} seconds`, async () => {
  const r = await race("binary", "binary", true, SECONDS, "execfd");
  expect({ verdict: r.verdict, ran: r.ran, status: r.status }).toEqual({ verdict: "held", ran: false, status: 0 });
  expect(r.attempts).toBeGreaterThan(500);
  expect(r.done).toBeGreaterThan(100);
}, (SECONDS + 90) * 1000);

/** The symlink race: DIR/ok/p flips between ok/a and ../no (outside the sandbox, as race.test.ts does). */
async function linkRace(emulate: boolean | "natively", seconds: number) {
  const a = programs("binary", "binary");
  mkdirSync(join(a.ok, "a"));
  copyFileSync(cc("execv"), join(a.ok, "a", "prog"));
  symlinkSync("a", join(a.ok, "p"));
  symlinkSync("../no", join(a.ok, "q"));
  const flip = Bun.spawn([cc("race"), "flip", a.dir, String(seconds + 5)], { stdout: "ignore", stderr: "inherit" });
  try {
    const argv = [cc("race"), "execlink", a.dir, String(seconds)];
    const r = emulate === "natively" ? { stdout: Bun.spawnSync(argv).stdout.toString(), status: 0 }
      : await sydbox([...execSandbox(a.dir, emulate), "--", ...argv], { timeoutMs: (seconds + 60) * 1000 });
    console.log(`exec symlink race, ${emulate === "natively" ? emulate : emulate ? "verified" : "CONTINUE"}: ${r.stdout.trim()}`);
    const m = raced(r.stdout);
    return { verdict: m?.[1], attempts: Number(m?.[2] ?? 0), done: Number(m?.[3] ?? 0), ran: existsSync(join(a.ok, "ran")), status: r.status };
  } finally {
    flip.kill();
    await flip.exited;
  }
}

vtest("exec symlink-swap race (binaries): wins natively, and against CONTINUE", async () => {
  const native = await linkRace("natively", 5);
  expect({ verdict: native.verdict, ran: native.ran }).toEqual({ verdict: "bypass", ran: true });
  const r = await linkRace(false, CONTINUE_BUDGET);
  expect({ verdict: r.verdict, ran: r.ran }).toEqual({ verdict: "bypass", ran: true });
}, (CONTINUE_BUDGET + 90) * 1000);

vtest(`exec symlink-swap race (binaries): never wins with post-exec verification, for ${SECONDS} seconds`, async () => {
  const r = await linkRace(true, SECONDS);
  expect({ verdict: r.verdict, ran: r.ran, status: r.status }).toEqual({ verdict: "held", ran: false, status: 0 });
  expect(r.attempts).toBeGreaterThan(500);
  expect(r.done).toBeGreaterThan(0); // allowed execs ran
}, (SECONDS + 90) * 1000);

vtest("a denied program named outright is still refused with EACCES before any trace", async () => {
  const a = programs("binary", "binary");
  const r = await sydbox([...execSandbox(a.dir), "--", cc("execv"), "failed", join(a.no, "prog")]);
  expect(r.stdout).toContain("failed EACCES");
  expect(r.stdout).toMatch(/^pid \d+ tracer 0$/m);
  expect(existsSync(join(a.ok, "ran"))).toBe(false);
});

vtest("an allowed exec that fails in the kernel (ENOEXEC) returns, and the process goes on untraced", async () => {
  const a = arena();
  cleanups.push(a.cleanup);
  writeFileSync(join(a.ok, "bad"), "\x01\x02 not a program\n", { mode: 0o755 });
  const r = await sydbox([...execSandbox(a.dir), "--", cc("execv"), "failed", join(a.ok, "bad")]);
  expect(r.stdout).toContain("failed ENOEXEC");
  expect(r.stdout).toMatch(/^pid \d+ tracer 0$/m);
  const missing = await sydbox([...execSandbox(a.dir), "--", cc("execv"), "failed", join(a.ok, "missing")]);
  expect(missing.stdout).toContain("failed ENOENT");
  expect(missing.stdout).toMatch(/^pid \d+ tracer 0$/m);
});

vtest("a non-leader thread execs while the leader loops on notified opens: the new image runs as the leader's pid, untraced", async () => {
  const a = arena();
  cleanups.push(a.cleanup);
  const args = [...execSandbox(a.dir), "-m", "core/sandbox/write:deny", "-m", `allowlist/write+${a.ok}/***`];
  const r = await sydbox([...args, "--", cc("execv"), "thread", cc("execv"), join(a.ok, "f")], { timeoutMs: 30_000 });
  const leader = /^leader (\d+)$/m.exec(r.stdout)?.[1];
  expect(leader).toBeDefined();
  expect(r.stdout).toContain(`pid ${leader} tracer 0`);
  expect(r.status).toBe(0);
});

vtest("real-time signals sent at a thread looping on failing allowed execs are all delivered", async () => {
  const a = arena();
  cleanups.push(a.cleanup);
  writeFileSync(join(a.ok, "bad"), "\x01\x02 not a program\n", { mode: 0o755 });
  const r = await sydbox([...execSandbox(a.dir), "--", cc("execv"), "signal", join(a.ok, "bad"), "300"], { timeoutMs: 60_000 });
  console.log(`signals around execs: ${r.stdout.trim()}`);
  expect(r.stdout).toMatch(/^signals 300 300 tries \d+$/m);
});

vtest("exec sandboxing traces each allowed exec (a watcher sees TracerPid set), and with it off (default, --profile paludis) nothing ever is", async () => {
  const a = arena();
  cleanups.push(a.cleanup);
  const on = await sydbox([...execSandbox(a.dir), "--", cc("execv"), "watch", cc("execv"), "300"], { timeoutMs: 60_000 });
  const off = await sydbox(["-m", "core/sandbox/write:off", "--", cc("execv"), "watch", cc("execv"), "300"], { timeoutMs: 60_000 });
  const paludis = await sydbox(["--profile", "paludis", "--", cc("execv"), "watch", cc("execv"), "300"], { timeoutMs: 60_000 });
  console.log(`TracerPid seen over 300 execs: exec:deny ${on.stdout.trim()}, exec:off ${off.stdout.trim()}, paludis ${paludis.stdout.trim()}`);
  expect(off.stdout).toContain("maxtracer 0\n");
  expect(off.status).toBe(0);
  expect(paludis.stdout).toContain("maxtracer 0\n");
  expect(on.status).toBe(0);
});

vtest("core/trust/ptrace: a process its parent traces (PTRACE_TRACEME) cannot be seized, and its exec is continued unverified; without the key TRACEME is refused and the exec verified", async () => {
  const a = arena();
  cleanups.push(a.cleanup);
  const trusted = await sydbox([...execSandbox(a.dir), "-m", "core/trust/ptrace:true", "--", cc("execv"), "traceme", cc("execv")], { timeoutMs: 30_000 });
  expect(trusted.stdout).toContain("traceme 0\n");
  expect(trusted.stdout).toMatch(/^pid \d+ tracer [1-9]\d*$/m); // its parent, not sydbox
  expect(trusted.status).toBe(0);
  const refused = await sydbox([...execSandbox(a.dir), "--", cc("execv"), "traceme", cc("execv")], { timeoutMs: 30_000 });
  expect(refused.stdout).toContain("traceme EPERM\n");
  expect(refused.stdout).toMatch(/^pid \d+ tracer 0$/m);
});

const asNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
const nobodyWhy = process.getuid?.() !== 0 ? "needs root to become nobody" : !Bun.which("setpriv") ? "needs setpriv" : noSeize(false);
test.skipIf(nobodyWhy !== "")(`under a non-root sydbox, a process that made itself undumpable cannot exec (its memory and its exec cannot be checked): EACCES and a report, never CONTINUE${nobodyWhy && ` (skipped: ${nobodyWhy})`}`, async () => {
  const a = arena();
  cleanups.push(a.cleanup);
  const p = Bun.spawnSync([...asNobody, ...sydboxCommand(), ...execSandbox(a.dir), "--", cc("execv"), "undumpable", cc("execv")], { timeout: 30_000 });
  expect(p.stdout.toString()).toBe("failed EACCES\n");
  expect(p.stderr.toString()).toContain("execve(?) (cannot be verified");
  // The same exec by a dumpable process goes through.
  const q = Bun.spawnSync([...asNobody, ...sydboxCommand(), ...execSandbox(a.dir), "--", cc("execv"), "failed", cc("execv")], { timeout: 30_000 });
  expect(q.stdout.toString()).toMatch(/^pid \d+ tracer 0$/m);
});

test.skipIf(nobodyWhy !== "")(`as nobody too (a non-root sydbox seizes its own tree): the exec race never wins${nobodyWhy && ` (skipped: ${nobodyWhy})`}`, async () => {
  const a = programs("script", "binary");
  chmodSync(a.dir, 0o755);
  chmodSync(a.ok, 0o777); // the denied program, run as nobody, would create ok/ran
  const p = Bun.spawn([...asNobody, ...sydboxCommand(), ...execSandbox(a.dir), "--", cc("race"), "exec", a.dir, "3"], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(p.stdout).text();
  await p.exited;
  console.log(`exec race as nobody, verified: ${out.trim()}`);
  const m = raced(out);
  expect({ verdict: m?.[1], ran: existsSync(join(a.ok, "ran")) }).toEqual({ verdict: "held", ran: false });
  expect(Number(m?.[3] ?? 0)).toBeGreaterThan(0); // allowed execs ran
}, 60_000);

vtest("a foiled exec is reported as an exec violation naming the program that would have run", async () => {
  const a = programs("script", "binary");
  const r = await sydbox([...execSandbox(a.dir, true, false), "--", cc("race"), "exec", a.dir, "2"], { timeoutMs: 60_000 });
  expect(r.stdout).toMatch(/^held /m);
  expect(r.stderr).toContain(`execve(\`${a.no}/prog')`);
  expect(existsSync(join(a.ok, "ran"))).toBe(false);
}, 90_000);

vtest("allowed #! scripts run as natively: an argument, env, nested interpreters, fexecve and execveat from a dirfd", async () => {
  const a = arena();
  cleanups.push(a.cleanup);
  const put = (name: string, text: string) => writeFileSync(join(a.ok, name), text, { mode: 0o755 });
  put("s1", "#!/bin/sh\necho s1 \"$@\"\n");
  put("s2", "#! /bin/sh -e  \necho s2 \"$@\"\n");
  put("s3", "#!/usr/bin/env sh\necho s3 \"$@\"\n");
  put("s4", `#!${a.ok}/s1 x\n`);
  put("s5", `#!${a.ok}/s4\n`);
  const script = `cd ${a.ok} && ./s1 a; ./s2 b; ./s3 c; ${a.ok}/s4 d; ./s5 e; ${cc("execv")} fexec ${a.ok}/s1; ${cc("execv")} fexec ${a.ok} s2`;
  const native = Bun.spawnSync(["sh", "-c", script]).stdout.toString();
  expect(native.split("\n").length).toBe(8);
  const r = await sydbox([...execSandbox(a.dir), "--", "sh", "-c", script], { timeoutMs: 30_000 });
  expect(r.stdout).toBe(native);
  expect(r.stderr).not.toContain("Access Violation");
});

vtest("#! lines of every shape the kernel parses (whitespace, tabs, no newline, past 256 bytes, a NUL) are read as it reads them: allowed scripts run as natively", async () => {
  const a = arena();
  cleanups.push(a.cleanup);
  const lines = [
    "#!/bin/echo\n", "#!/bin/echo a\n", "#!/bin/echo a b  \n", "#! \t/bin/echo\t x \t\n", "#!/bin/echo",
    `#!/bin/echo ${"x".repeat(300)}\n`, `#!  /bin/echo ${"y ".repeat(200)}`, "#!/bin/echo a\0b\n", "#!/bin/echo\r\n",
  ];
  lines.forEach((l, i) => writeFileSync(join(a.ok, `e${i}`), l, { mode: 0o755 }));
  const script = lines.map((_, i) => `./e${i} arg${i}; echo "rc $?"`).join("; ");
  const native = Bun.spawnSync(["sh", "-c", script], { cwd: a.ok, stderr: "pipe" }).stdout.toString();
  expect(native).toContain(`${"x".repeat(200)}`);
  const r = await sydbox([...execSandbox(a.dir), "--", "sh", "-c", script], { cwd: a.ok, timeoutMs: 30_000 });
  expect(r.stdout).toBe(native);
  expect(r.stderr).not.toContain("Access Violation");
});
