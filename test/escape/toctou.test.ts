/**
 * Issue #19, class 3: check, then CONTINUE. A call whose decision rests on tracee memory
 * (a path, a struct, a flags word) must not be CONTINUEd: the kernel reads that memory
 * again, after a second thread has rewritten it.
 *
 * - setxattr: the path flips between an allowed and a denied file. Under CONTINUE
 *   (core/trace/emulate:false, SydBox 2's way, documented racy) the attack wins; emulated
 *   (the object pinned, name and value copied once) it never does, and the supervisor
 *   survives it (an earlier copy of the value crashed Bun under this race).
 * - openat2: open_how.flags flip between O_RDONLY and O_WRONLY|O_CREAT on a denied path.
 *   With read sandboxing off a read-only open needed no look, and the call was CONTINUEd on
 *   the strength of flags read from memory: the race won even with emulation (seen on the
 *   code before this fix: `bypass` within about 2000 attempts). Now openat2 is always looked
 *   at and emulated from the copied struct, and refused with ENOSYS without emulation.
 */
import { afterEach, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cc } from "../lib/cc";
import { sydbox } from "../lib/sydbox";
import { arena, writeSandbox } from "./lib";

/** How long the attack runs where it must hold, in seconds. */
const SECONDS = 5;
/** The budget of the attack against CONTINUE, which stops at its first win. */
const CONTINUE_BUDGET = 30;
const cleanups: Array<() => void> = [];
afterEach(() => { while (cleanups.length) cleanups.pop()!(); });

const raced = (out: string) => /^(bypass|held) (\d+)(?: (\d+))?$/m.exec(out);
const hasRaceXattr = (file: string) => Bun.spawnSync([cc("fdcalls"), "show", file]).stdout.toString().includes("user.race");

async function attack(kind: "xattr" | "openat2", emulate: boolean, seconds = emulate ? SECONDS : CONTINUE_BUDGET) {
  const a = arena();
  cleanups.push(a.cleanup);
  writeFileSync(join(a.ok, "f"), "x\n");
  writeFileSync(join(a.no, "f"), "x\n");
  const r = await sydbox([...writeSandbox(a.dir, emulate), "--", cc("race"), kind, a.dir, String(seconds)], { timeoutMs: (seconds + 60) * 1000 });
  const m = raced(r.stdout);
  console.log(`${kind} race, ${emulate ? "emulation" : "CONTINUE"}: ${r.stdout.trim()}`);
  const escaped = kind === "xattr" ? hasRaceXattr(join(a.no, "f")) : existsSync(join(a.no, "race"));
  return { verdict: m?.[1], done: Number(m?.[3] ?? 0), escaped, status: r.status };
}

test("natively, setxattr sets user.race on the denied file (the attack's target is real)", () => {
  const a = arena();
  cleanups.push(a.cleanup);
  writeFileSync(join(a.no, "f"), "x\n");
  writeFileSync(join(a.ok, "f"), "x\n");
  const r = Bun.spawnSync([cc("race"), "xattr", a.dir, "5"]);
  expect(r.stdout.toString()).toStartWith("bypass");
  expect(hasRaceXattr(join(a.no, "f"))).toBe(true);
});

test("setxattr path race: wins against CONTINUE (core/trace/emulate:false, documented racy)", async () => {
  const r = await attack("xattr", false);
  expect({ verdict: r.verdict, escaped: r.escaped }).toEqual({ verdict: "bypass", escaped: true });
}, (CONTINUE_BUDGET + 90) * 1000);

test(`setxattr path race: never wins with emulation, for ${SECONDS} seconds`, async () => {
  const r = await attack("xattr", true);
  expect({ verdict: r.verdict, escaped: r.escaped, status: r.status }).toEqual({ verdict: "held", escaped: false, status: 0 });
  expect(r.done).toBeGreaterThan(100); // allowed setxattrs succeeded
}, (SECONDS + 90) * 1000);

test(`openat2 open_how race: never wins with emulation, for ${SECONDS} seconds`, async () => {
  const r = await attack("openat2", true);
  expect({ verdict: r.verdict, escaped: r.escaped, status: r.status }).toEqual({ verdict: "held", escaped: false, status: 0 });
}, (SECONDS + 90) * 1000);

test("openat2 without emulation: ENOSYS, nothing created (libc callers fall back to openat)", async () => {
  const a = arena();
  cleanups.push(a.cleanup);
  const r = await sydbox([...writeSandbox(a.dir, false), "--", cc("escape"), "resolve", a.dir]);
  expect(r.stdout).toContain("in-root-dotdot ENOSYS");
  const race = await attack("openat2", false, SECONDS);
  expect({ verdict: race.verdict, done: race.done, escaped: race.escaped }).toEqual({ verdict: "held", done: 0, escaped: false });
}, (SECONDS + 90) * 1000);

// execve under exec sandboxing: test/escape/exec-verify.test.ts.
