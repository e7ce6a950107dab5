/** The build bench's columns: which run, in which order, with which emulation setting. */
import { expect, test } from "bun:test";
import { ALL_COLUMNS, columns, DEFAULT_COLUMNS } from "../../bench/lib/buildrun";
import { compileC } from "../../bench/lib/prepare";

test("native, sydbox and emulate run by default, in run order, and the emulate column always turns emulation on", () => {
  const all = columns(DEFAULT_COLUMNS);
  expect(all.map((c) => c.column)).toEqual(["native", "sydbox", "emulate"]);
  const argv = (i: number) => all[i].wrap("/tmp/b", ["make"]);
  expect(argv(0)).toEqual(["make"]);
  expect(argv(1)).toContain("core/trace/emulate:false");
  expect(argv(2)).toContain("core/trace/emulate:true");
  expect(argv(2).slice(-2)).toEqual(["--", "make"]);
});

test("the C yardstick column runs the command under csup, which answers its stat and exec notifications", async () => {
  await compileC();
  const [csup] = columns(["csup"]);
  expect(ALL_COLUMNS).toContain("csup");
  expect(csup.sydbox).toBe(false);
  // A stat, an fstat (left in the kernel) and an exec: the command only finishes if csup answers.
  const p = Bun.spawnSync(csup.wrap("/tmp/b", ["sh", "-c", "test -e / && exec cat /proc/self/status"]));
  expect(p.exitCode).toBe(0);
  expect(p.stdout.toString()).toMatch(/^Seccomp:\s+2$/m);
  expect(p.stderr.toString()).toContain("csup: sync wake-up");
}, 60_000);

test("--columns picks a subset, kept in run order", () => {
  expect(columns(["emulate", "native"]).map((c) => c.column)).toEqual(["native", "emulate"]);
  expect(columns(["sydbox"]).map((c) => c.column)).toEqual(["sydbox"]);
});
