/**
 * Where SydBox 2.0.1's own test suite disagrees with its manual, we follow the
 * suite (issue #18): core/violation/exit_code:0 and raise_safe. And SydBox 1's
 * core/trace/exit_wait_all:false: exit with the eldest, the rest killed.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DIST, labels, runArgv, testDir } from "./lib";

const dir = testDir("exit");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DENY = ["-m", "core/sandbox/write:deny"];

describe("core/violation/exit_code:0", () => {
  const run = (status: number) => runArgv([DIST, ...DENY, "-m", "core/violation/exit_code:0", "--", "/bin/sh", "-c", `true > '${dir}/x' 2>/dev/null; exit ${status}`]);
  test("after a violation: exactly 128 when the command's status is below 128", async () => {
    expect((await run(0)).status).toBe(128);
    expect((await run(3)).status).toBe(128);
    expect((await run(127)).status).toBe(128);
  });
  test("a status of 128 or more is kept", async () => {
    expect((await run(128)).status).toBe(128);
    expect((await run(200)).status).toBe(200);
  });
  test("no violation: the command's status", async () => {
    expect((await runArgv([DIST, ...DENY, "-m", "core/violation/exit_code:0", "--", "/bin/sh", "-c", "exit 3"])).status).toBe(3);
  });
});

describe("core/violation/raise_safe", () => {
  test("1: mkdir of an existing directory is reported, and fails with EEXIST, not EPERM", async () => {
    const d = join(dir, "existing");
    mkdirSync(d, { recursive: true });
    const r = await runArgv([DIST, ...DENY, "-m", "core/violation/raise_safe:1", "--", "/bin/sh", "-c", `mkdir '${d}'`]);
    expect(r.stderr).toContain("File exists");
    expect(r.stderr).toContain(`sydbox: mkdir(\`${d}')`);
    expect(r.stderr).toContain("Access Violation");
  });
  test("0 (the default): the same denial is silent, with the same errno", async () => {
    const d = join(dir, "existing");
    mkdirSync(d, { recursive: true });
    const r = await runArgv([DIST, ...DENY, "--", "/bin/sh", "-c", `mkdir '${d}'`]);
    expect(r.stderr).toContain("File exists");
    expect(r.stderr).not.toContain("Access Violation");
  });
});

describe("core/trace/exit_wait_all", () => {
  // The background process would write its marker after 5 s; it must be gone when sydbox is.
  const script = (marker: string, pre = "") => `${pre}( sleep 5; echo late > '${marker}' ) & echo "bg=$!"; exit 3`;
  const gone = (pid: number) => !existsSync(`/proc/${pid}`) || /\) Z /.test(require("node:fs").readFileSync(`/proc/${pid}/stat`, "utf8"));

  for (const [name, args, pre] of [
    ["false (-m)", ["-m", "core/trace/exit_wait_all:false"], ""],
    ["false at run time (esandbox wait_eldest)", [], "[ -e /dev/sydbox/core/trace/exit_wait_all:false ] || exit 9; "],
    ["false under core/restrict (sydbox is the reaper)", ["-m", "core/trace/exit_wait_all:false", "-m", "core/restrict/general:3"], ""],
  ] as [string, string[], string][]) {
    test(`${name}: sydbox exits with the eldest, and the rest is killed`, async () => {
      const marker = join(dir, `late-${name.length}`);
      const loop = name.includes("restrict") ? "while :; do :; done" : "sleep 5"; // no clock under restrict
      const r = await runArgv([DIST, "-m", "core/sandbox/write:allow", ...args, "--", "/bin/sh", "-c", script(marker, pre).replace("sleep 5", loop)]);
      expect(r.status).toBe(3);
      const bg = Number(labels(r.stdout).get("bg"));
      expect(bg).toBeGreaterThan(0);
      expect(gone(bg)).toBe(true); // gone (or a zombie) by the time sydbox has exited
      expect(existsSync(marker)).toBe(false);
    }, 30000);
  }

  test("true (the default): sydbox waits for every process", async () => {
    const marker = join(dir, "late-all");
    const r = await runArgv([DIST, "-m", "core/sandbox/write:allow", "--", "/bin/sh", "-c", `( sleep 1; echo late > '${marker}' ) & exit 3`]);
    expect(r.status).toBe(3);
    expect(existsSync(marker)).toBe(true);
  });
});

test("exit_wait_all is global: the last process to set it decides, whatever its own state", async () => {
  const marker = join(dir, "late-global");
  // A child forked first (its own state says true) says wait_all after the parent said
  // wait_eldest: the run waits.
  const script = `( sleep 0.5; [ -e /dev/sydbox/core/trace/exit_wait_all:true ] || exit 8 ) & b=$!
[ -e /dev/sydbox/core/trace/exit_wait_all:false ] || exit 9
wait $b || exit 7
( sleep 1; echo late > '${marker}' ) & exit 3`;
  const r = await runArgv([DIST, "-m", "core/sandbox/write:allow", "--", "/bin/sh", "-c", script]);
  expect(r.status).toBe(3);
  expect(existsSync(marker)).toBe(true);
});
