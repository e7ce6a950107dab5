/** bench/lib/args.ts: the bench entry points refuse what they do not take, before any long run. */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT } from "../lib/sydbox";

function bench(script: string, ...args: string[]) {
  const p = Bun.spawnSync([process.execPath, join(ROOT, "bench", script), ...args], { stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  return { status: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

test("an unknown option or a missing value is an error naming it, with the usage (exit 2)", () => {
  for (const script of ["build.ts", "run.ts"]) {
    const r = bench(script, "--bogus");
    expect({ script, status: r.status, first: r.stderr.split("\n")[0] }).toEqual({ script, status: 2, first: "bench: unknown option --bogus" });
    expect(r.stderr).toContain(`usage: bun run bench/${script}`);
    expect(bench(script, "--rounds").stderr.split("\n")[0]).toBe("bench: --rounds needs a value");
  }
});

test("--help prints the usage and runs nothing (exit 0)", () => {
  const r = bench("build.ts", "--rounds", "3", "--help");
  expect(r.status).toBe(0);
  expect(r.stdout).toContain("--columns LIST");
  expect(r.stdout).not.toContain("bench: wrote");
});
