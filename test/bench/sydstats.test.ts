/**
 * The build bench reads sydbox's own stderr: the --stats summary and the
 * violation reports. These run real sandboxed commands so a change in sydbox's
 * output format breaks here rather than silently zeroing the bench's counts.
 */
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { addStats, parseStats, violationReports } from "../../bench/lib/sydstats";
import { sydbox, withTempDir } from "../lib/sydbox";

test("parseStats reads counts from a clean run, violationReports finds none", async () => {
  const r = await sydbox(["-m", "core/sandbox/write:deny", "--stats", "--", "sh", "-c", "for i in 1 2 3; do test -e /; done; echo ok"]);
  expect(r.status).toBe(0);
  const s = parseStats(r.stderr);
  expect(s).toBeDefined();
  expect(s!.violations).toBe(0);
  expect(s!.notifications).toBeGreaterThan(0);
  expect(s!.supervisorMs).toBeGreaterThanOrEqual(0);
  // Every named count is part of the total (the total may hold unknown syscalls too).
  expect([...s!.bySyscall.values()].reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(s!.notifications);
  expect(s!.bySyscall.get("execve")).toBeGreaterThanOrEqual(1);
  expect(violationReports(r.stderr)).toEqual([]);
});

test("a denied write shows in the stats and as one report with its path", () => withTempDir("sydbox-sydstats-", async (dir) => {
  const target = join(dir, "denied");
  const r = await sydbox(["-m", "core/sandbox/write:deny", "--stats", "--", "sh", "-c", `echo x > ${target}; echo done`]);
  expect(existsSync(target)).toBe(false);
  expect(r.stdout).toBe("done\n");
  expect(parseStats(r.stderr)!.violations).toBe(1);
  const reports = violationReports(r.stderr);
  expect(reports.length).toBe(1);
  expect(reports[0]).toContain(target);
  expect(reports[0]).toMatch(/proc: \S+\[\d+\]/);
}));

test("--stats charges every notification's supervisor CPU time to its syscall", async () => {
  const r = await sydbox(["-m", "core/sandbox/write:allow", "--stats", "--", "sh", "-c", "for i in $(seq 200); do test -e /; done; : > /dev/null"]);
  expect(r.status).toBe(0);
  const total = /supervisor time ([\d.]+) ms/.exec(r.stderr);
  const lines = [...r.stderr.matchAll(/^sydbox: stats: (\w+) (\d+) \(([\d.]+) us each\)$/gm)];
  expect(total).not.toBeNull();
  expect(lines.map((m) => m[1])).toContain("newfstatat");
  // The rows' times add up to the total (each is rounded to 0.1 us per call).
  const sum = lines.reduce((a, m) => a + Number(m[2]) * Number(m[3]) / 1e3, 0);
  expect(Math.abs(sum - Number(total![1]))).toBeLessThan(0.1 + lines.reduce((a, m) => a + Number(m[2]) * 0.05e-3, 0));
  expect(Number(total![1])).toBeGreaterThan(0);
});

test("no stats line gives undefined; addStats sums by syscall", () => {
  expect(parseStats("make: *** [all] Error 2\n")).toBeUndefined();
  const a = parseStats("sydbox: stats: 3 notifications, 0 violations, supervisor time 1.5 ms (0.5 us each), sync wake-up on\nsydbox: stats: openat 2 (0.6 us each)\nsydbox: stats: execve 1 (0.3 us each)\n")!;
  const b = parseStats("sydbox: stats: 2 notifications, 1 violations, supervisor time 0.5 ms (0.2 us each), sync wake-up on\nsydbox: stats: openat 2\n")!;
  const sum = addStats([a, b]);
  expect(sum.notifications).toBe(5);
  expect(sum.violations).toBe(1);
  expect(sum.supervisorMs).toBe(2);
  expect(Object.fromEntries(sum.bySyscall)).toEqual({ openat: 4, execve: 1 });
});
