/**
 * The exact floor (bench/lib/floor.ts): the C yardstick loads sydbox's own exported
 * filter, so it must see exactly the notifications sydbox sees, and copy only what
 * sydbox must read.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePairs } from "../../bench/lib/buildrun";
import { filterSyscalls, floorArgs, pathsSpec, PALUDIS_ON } from "../../bench/lib/floor";
import { compileC, program, SYDBOX } from "../../bench/lib/prepare";
import { parseCsupStats, parseStats } from "../../bench/lib/sydstats";

test("the floor loads sydbox's filter and gets the same notifications, counted by syscall", async () => {
  await compileC();
  const dir = mkdtempSync(join(tmpdir(), "sydbox-floor-test-"));
  try {
    const f = await floorArgs(["--profile", "paludis"], dir);
    const cmd = [program("statbench"), "stat", "200"];
    const floor = Bun.spawnSync([program("csup"), ...f.args, "--stats", "--", ...cmd], { stderr: "pipe", stdout: "pipe" });
    expect(floor.exitCode).toBe(0);
    const syd = Bun.spawnSync([SYDBOX, "--profile", "paludis", "--stats", "--", ...cmd], { stderr: "pipe", stdout: "pipe" });
    expect(syd.exitCode).toBe(0);
    const fs = parseCsupStats(floor.stderr.toString(), f.names)!, ss = parseStats(syd.stderr.toString())!;
    // 200 stats of /etc/passwd, plus whatever the program's start makes: the same under both.
    expect(fs.bySyscall.get("newfstatat")).toBeGreaterThanOrEqual(200);
    expect(fs.bySyscall.get("newfstatat")).toBe(ss.bySyscall.get("newfstatat"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test("the floor copies a stat path's magic prefix and every write path, and leaves exec unread under paludis", () => {
  const pfc = ['# filter for syscall "newfstatat" (262)', '# filter for syscall "renameat" (264)', '# filter for syscall "execve" (59)', '# filter for syscall "kill" (62)', '# filter for syscall "connect" (42)'].join("\n");
  expect([...filterSyscalls(pfc).keys()]).toEqual(["newfstatat", "renameat", "execve", "kill", "connect"]);
  expect(pathsSpec(pfc, PALUDIS_ON)).toBe("262:1:12,264:1:0:3:0,42:1:28");
  expect(pathsSpec(pfc, [...PALUDIS_ON, "exec"])).toContain("59:0:0");
});

test("--pairs takes A:B items of known columns, A/A included, and names what it refuses", () => {
  expect(parsePairs("native:sydbox,native:native").map((p) => `${p.a.column}/${p.b.column}`)).toEqual(["native/sydbox", "native/native"]);
  expect(() => parsePairs("native:bogus")).toThrow("--pairs: expected A:B items");
  expect(() => parsePairs("native")).toThrow("--pairs");
});

test("parseCsupStats sums csup's per-number counts under the filter's names", () => {
  const s = parseCsupStats("csup: sync wake-up on\ncsup: stats: syscall 262: 10 (4.0 us each)\ncsup: stats: syscall 59: 2 (10.0 us each)\n", new Map([[262, "newfstatat"]]))!;
  expect(s.notifications).toBe(12);
  expect(s.bySyscall.get("newfstatat")).toBe(10);
  expect(s.bySyscall.get("nr 59")).toBe(2);
  expect(s.supervisorMs).toBeCloseTo(0.06);
  expect(parseCsupStats("nothing here", new Map())).toBeUndefined();
});
