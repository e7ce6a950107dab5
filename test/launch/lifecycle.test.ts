/**
 * The launch and supervision core against real sandboxed processes: exit
 * statuses, stdio, environment, failures to exec, process trees, daemons, and
 * what happens when sydbox itself dies.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cc } from "../lib/cc";
import { DIST, statsCounts, sydbox, sydboxCommand, waitForFile, withTempDir } from "../lib/sydbox";

// Writes allowed but notified: the core is exercised without policy in the way.
const ALLOW = ["-m", "core/sandbox/write:allow"];

describe("exit status", () => {
  for (const code of [0, 1, 42]) {
    test(`exit ${code} passes through`, async () => {
      expect((await sydbox([...ALLOW, "--", "sh", "-c", `exit ${code}`])).status).toBe(code);
    });
  }
  test("SIGSEGV gives 139", async () => {
    expect((await sydbox([...ALLOW, "--", "sh", "-c", "kill -SEGV $$"])).status).toBe(139);
  });
  test("SIGKILL gives 137", async () => {
    expect((await sydbox([...ALLOW, "--", "sh", "-c", "kill -KILL $$"])).status).toBe(137);
  });
});

test("stdin, stdout and stderr pass through", async () => {
  const r = await sydbox([...ALLOW, "--", "sh", "-c", "read line; echo out:$line; echo err:$line >&2"], { stdin: "hello\n" });
  expect(r.stdout).toBe("out:hello\n");
  expect(r.stderr).toBe("err:hello\n");
  expect(r.status).toBe(0);
});

test("-E sets and removes variables; SYDBOX_* are set", async () => {
  const env = { ...process.env, SYDBOX_TEST_REMOVE: "x" } as Record<string, string>;
  const r = await sydbox([...ALLOW, "-E", "FOO=bar=baz", "-E", "SYDBOX_TEST_REMOVE", "--", "env"], { env });
  const vars = Object.fromEntries(r.stdout.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  expect(vars.FOO).toBe("bar=baz");
  expect(vars.SYDBOX_TEST_REMOVE).toBeUndefined();
  expect(vars.SYDBOX_API_VERSION).toBe("2");
  expect(vars.SYDBOX_ACTIVE).toBeTruthy();
  expect(vars.SYDBOX).toBeTruthy();
  expect(vars.SYDBOX_VERSION).toMatch(/^\d+\.\d+\.\d+/);
});

test("a missing command exits 127 with the shell's message", async () => {
  const r = await sydbox([...ALLOW, "--", "sydbox-no-such-command"]);
  expect(r.status).toBe(127);
  expect(r.stderr).toContain("sydbox: sydbox-no-such-command: command not found");
});

test("a command that is not executable exits 126", async () => {
  const r = await sydbox([...ALLOW, "--", "/etc/passwd"]);
  expect(r.status).toBe(126);
  expect(r.stderr).toContain("sydbox: /etc/passwd: Permission denied");
});

test("commands are found by PATH and by a path of any bytes; a directory is not run", async () => {
  await withTempDir("sydbox-cmd-", async (dir) => {
    const { chmodSync, mkdirSync } = await import("node:fs");
    const prog = join(dir, "prög ü");
    writeFileSync(prog, "#!/bin/sh\necho ran \"$0\"\n");
    chmodSync(prog, 0o755);
    const byPath = await sydbox([...ALLOW, "--", prog]);
    expect(byPath.stdout).toBe(`ran ${prog}\n`);
    expect(byPath.status).toBe(0);
    const env = { ...process.env, PATH: `/nonexistent:${dir}` } as Record<string, string>;
    const byName = await sydbox([...ALLOW, "--", "prög ü"], { env });
    expect(byName.stdout).toBe(`ran ${prog}\n`);
    mkdirSync(join(dir, "sub"));
    const sub = await sydbox([...ALLOW, "--", join(dir, "sub")]);
    expect(sub.status).toBe(126);
    expect(sub.stderr).toContain("Permission denied");
  });
});

test("the command gets default signal dispositions and an empty mask", async () => {
  // Bun ignores SIGPIPE and SIGXFSZ; that must not leak into the command.
  const r = await sydbox([...ALLOW, "--", "sh", "-c", "grep -E '^(SigIgn|SigBlk)' /proc/self/status"]);
  expect(r.stdout).toContain("SigBlk:\t0000000000000000");
  // sh itself ignores nothing at start; a leaked SIG_IGN would show as a set bit.
  expect(r.stdout).toContain("SigIgn:\t0000000000000000");
});

test("the command gets the invoker's RLIMIT_NOFILE, not Bun's raised one", async () => {
  // A shell (or Paludis) forks and execs sydbox; Bun raises the soft limit before
  // our code runs, and the child stage restores the invoker's (see src/launch/rlimit.ts).
  const cmd = [...sydboxCommand(), ...ALLOW, "--", "sh", "-c", "ulimit -Sn"].map((a) => `'${a}'`).join(" ");
  const p = Bun.spawnSync(["bash", "-c", `ulimit -Sn 512; ${cmd}; true`]);
  expect(p.stdout.toString().trim()).toBe("512");
});

test("a 200-process tree with threads is fully supervised", async () => {
  const tree = cc("tree");
  const r = await sydbox(["--stats", ...ALLOW, "--", tree, "200"]);
  expect(r.status).toBe(0);
  // Every process and every thread made one notified mknodat.
  expect(statsCounts(r.stderr).mknodat).toBe(400);
});

test("a background grandchild outliving the eldest is waited for", () => withTempDir("sydbox-daemon-", async (dir) => {
  const t0 = performance.now();
  const r = await sydbox([...ALLOW, "--", "sh", "-c", `(sleep 1; echo late > ${dir}/late) >/dev/null 2>&1 & exit 7`]);
  expect(r.status).toBe(7);
  expect(performance.now() - t0).toBeGreaterThan(900);
  expect(readFileSync(join(dir, "late"), "utf8")).toBe("late\n");
}));

test("SIGTERM sent to sydbox is forwarded to the eldest", () => withTempDir("sydbox-term-", async (dir) => {
  // Signal only once the command runs (a fixed sleep raced sydbox's start on a loaded machine).
  const marker = join(dir, "running");
  const p = Bun.spawn([...sydboxCommand(), ...ALLOW, "--", "sh", "-c", `: > ${marker}; exec sleep 30`], { stdout: "ignore", stderr: "pipe" });
  expect(await waitForFile(marker)).toBe(true);
  process.kill(p.pid, "SIGTERM");
  await p.exited;
  expect(p.exitCode).toBe(143);
}));

test("a SIGKILLed sydbox takes its eldest child down with it", () => withTempDir("sydbox-kill-", async (dir) => {
  const pidfile = join(dir, "pid");
  const p = Bun.spawn([...sydboxCommand(), ...ALLOW, "--", "sh", "-c", `echo $$ > ${pidfile}; exec sleep 30`], { stdout: "ignore", stderr: "ignore" });
  await waitForFile(pidfile, 5_000);
  const eldest = Number(readFileSync(pidfile, "utf8"));
  expect(existsSync(`/proc/${eldest}`)).toBe(true);
  process.kill(p.pid, "SIGKILL");
  await p.exited;
  let alive = true;
  for (let i = 0; i < 40 && alive; i++) {
    await Bun.sleep(25);
    // A zombie awaiting its reaper is dead for our purposes.
    alive = existsSync(`/proc/${eldest}`) && !readFileSync(`/proc/${eldest}/stat`, "utf8").includes(") Z ");
  }
  expect(alive).toBe(false);
}));

describe("command line", () => {
  test("--test passes on this machine", async () => {
    const r = await sydbox(["--test"]);
    expect(r.stdout).toContain("seccomp user notification: OK");
    expect(r.stdout).toContain("pidfd_open and pidfd_getfd: OK");
    expect(r.stdout).toContain("fail-closed (/proc/PID/task/TID/children): OK");
    expect(r.status).toBe(0);
  });
  test("an unknown option is an error with exit 1", async () => {
    const r = await sydbox(["--no-such-option", "--", "true"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown option");
  });
  test("no command is an error with exit 1", async () => {
    const r = await sydbox([]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("No command given.");
  });
  test("-h prints usage with examples and exits 0", async () => {
    const r = await sydbox(["-h"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: sydbox");
    expect(r.stdout).toContain("Examples:");
  });
  test("-v prints the version", async () => {
    const r = await sydbox(["-v"]);
    expect(r.status).toBe(0);
    // The name, the version and the APIs (test/paludis/cli.test.ts holds it to Paludis's probes).
    expect(r.stdout.trim()).toMatch(/^sydbox \d+\.\d+\.\d+ \(SydBox magic API 2, also API 1\)$/);
  });
});

test("the compiled dist/sydbox runs -- true", async () => {
  if (!existsSync(DIST)) throw new Error("dist/sydbox is missing: run `bun run build.ts` (npm test does) first");
  const p = Bun.spawnSync([DIST, ...ALLOW, "--", "sh", "-c", "echo compiled; exit 5"]);
  expect(p.stdout.toString()).toBe("compiled\n");
  expect(p.exitCode).toBe(5);
  expect(Bun.spawnSync([DIST, "--", "true"]).exitCode).toBe(0);
});

test("the compiled dist/sydbox takes nothing from .env or bunfig.toml in its working directory", async () => {
  // A build runs sydbox in the package's own tree: a .env there must not set SYDBOX_CONFIG
  // (or anything else) in sydbox's or the command's environment, nor bunfig.toml preload code.
  if (!existsSync(DIST)) throw new Error("dist/sydbox is missing: run `bun run build.ts` (npm test does) first");
  await withTempDir("sydbox-dotenv-", async (dir) => {
    writeFileSync(join(dir, "open.syd-2"), "core/sandbox/write:allow\n");
    writeFileSync(join(dir, ".env"), `SYDBOX_CONFIG=${join(dir, "open.syd-2")}\nSYDBOX_DOTENV_PROBE=loaded\n`);
    writeFileSync(join(dir, "bunfig.toml"), `preload = ["./preload.js"]\n`);
    writeFileSync(join(dir, "preload.js"), `require("node:fs").writeFileSync(${JSON.stringify(join(dir, "preloaded"))}, "")\n`);
    const p = Bun.spawnSync([DIST, "--", "sh", "-c", `env; echo x > ${join(dir, "written")}`], { cwd: dir, env: { PATH: process.env.PATH! } });
    expect(p.stdout.toString()).toContain("PATH="); // the command ran
    expect(p.stdout.toString()).not.toContain("SYDBOX_DOTENV_PROBE");
    expect(p.stdout.toString()).not.toContain("SYDBOX_CONFIG");
    // Without the injected config the default write sandbox (deny) holds.
    expect(existsSync(join(dir, "written"))).toBe(false);
    expect(existsSync(join(dir, "preloaded"))).toBe(false);
  });
});
