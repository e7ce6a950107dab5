/**
 * Paludis's probes of the binary (issue #18): `sydbox --version` exits 0, names
 * this program and its APIs, and never matches Paludis's syd-3 probe; the
 * binary started as `sydfmt` is `sydbox fmt`.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { DIST, runArgv, testDir } from "./lib";

const dir = testDir("cli");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const VERSION_LINE = `sydbox ${pkg.version} (SydBox magic API 2, also API 1)\n`;

describe("the version probe", () => {
  test("--version and -v: exit 0, name, version, API 2 and API 1", async () => {
    for (const flag of ["--version", "-v"]) {
      const r = await runArgv([DIST, flag]);
      expect([flag, r.status, r.stdout]).toEqual([flag, 0, VERSION_LINE]);
    }
  });

  test("Paludis's syd-3 probe does not match, its syd-3-only probe fails", async () => {
    // paludis/util/process.cc's probes, run the way it runs them.
    const grep = await runArgv(["/bin/sh", "-c", `${DIST} --version | grep -q 'syd.* 3\\.'`]);
    expect(grep.status).toBe(1);
    const p = await runArgv([DIST, "-ppaludis", "-pimmutable", "true"]);
    expect(p.status).not.toBe(0);
  });

  test("the version is not 3.x and package.json and src/version.ts agree", async () => {
    const { VERSION } = await import("../../src/version.ts");
    expect(VERSION).toBe(pkg.version);
    expect(pkg.version).not.toMatch(/^3\./);
  });
});

describe("sydfmt", () => {
  const sydfmt = join(dir, "sydfmt");
  symlinkSync(DIST, sydfmt);

  test("started under the name sydfmt, the binary is `sydbox fmt`", async () => {
    const r = await runArgv([sydfmt, "exec", "--", "touch", "/x y", "z"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("/dev/sydbox/cmd/exec!touch\x1f/x y\x1fz\n");
    // As Paludis's API-1 esandbox exec calls it: found on PATH by that name.
    const viaPath = await runArgv(["/bin/sh", "-c", "sydfmt exec -- true"], { PATH: `${dir}:/usr/bin:/bin` });
    expect(viaPath.stdout).toBe("/dev/sydbox/cmd/exec!true\n");
  });

  test("sydfmt --version, sydfmt -v, sydbox fmt -v/--version: the version, exit 0", async () => {
    for (const argv of [[sydfmt, "--version"], [sydfmt, "-v"], [DIST, "fmt", "-v"], [DIST, "fmt", "--version"]]) {
      const r = await runArgv(argv);
      expect([argv.slice(1).join(" "), r.status, r.stdout]).toEqual([argv.slice(1).join(" "), 0, VERSION_LINE]);
    }
  });

  test("under any other name it is sydbox", async () => {
    const other = join(dir, "sydbox-link");
    symlinkSync(DIST, other);
    const r = await runArgv([other, "exec", "--", "true"]);
    expect(r.status).not.toBe(0); // `exec` is a command to run, not a subcommand: there is no such program
    expect((await runArgv([other, "fmt", "exec", "--", "true"])).stdout).toBe("/dev/sydbox/cmd/exec!true\n");
  });
});
