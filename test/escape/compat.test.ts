/**
 * Issue #19, class 3 under -a x86: i386's utime, utimes and truncate64 take 32-bit time
 * structs and a length split in two registers. They were checked and then CONTINUEd (the
 * kernel read the path again); now they are emulated in their own layouts, and land exactly
 * where the kernel would have put them.
 */
import { afterAll, expect, test } from "bun:test";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cc, m32Unavailable } from "../lib/cc";
import { sydbox } from "../lib/sydbox";
import { arena, writeSandbox } from "./lib";

const why = process.arch !== "x64" ? "an x86_64 machine" : m32Unavailable();
const skipped = why ? ` (skipped: needs ${why})` : "";
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((f) => f()));

test.skipIf(why !== null)(`i386 utimes, utime and truncate64 are emulated with their 32-bit layouts, and denied where denied${skipped}`, async () => {
  const a = arena();
  cleanups.push(a.cleanup);
  for (const dir of [a.ok, a.no]) writeFileSync(join(dir, "f"), "hello-world\n");
  const run = (op: string, dir: string) => sydbox(["-a", "x86", ...writeSandbox(a.dir, true), "--", cc("arch32", ["-m32"]), op, join(dir, "f")]);
  const seen: Record<string, unknown> = {};
  for (const op of ["utimes", "utime", "truncate64"]) {
    seen[`${op} ok`] = (await run(op, a.ok)).stdout.trim();
    const st = statSync(join(a.ok, "f"));
    seen[`${op} stat`] = [st.size, st.atimeMs, st.mtimeMs];
    seen[`${op} no`] = (await run(op, a.no)).stdout.trim();
  }
  expect(seen).toEqual({
    "utimes ok": "ok", "utimes stat": [12, 1000000000.005, 2000000000], "utimes no": "EPERM",
    "utime ok": "ok", "utime stat": [12, 3000000000, 4000000000], "utime no": "EPERM",
    "truncate64 ok": "ok", "truncate64 stat": [5, 3000000000, expect.any(Number)], "truncate64 no": "EPERM",
  });
  expect(statSync(join(a.no, "f")).size).toBe(12);
}, 60000);
