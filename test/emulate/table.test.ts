/**
 * Emulation is chosen by the syscall table: a row's `emulate` names the implementation
 * (src/supervisor/emulate/calls.ts) and the arguments it reads. These checks keep the two
 * in step: every kind a row names is implemented, every implementation is some row's, and
 * every row gives the arguments its kind reads (a missing one would make the call read a
 * wrong register, not fail). What the emulated calls do is test/emulate/oracle.test.ts's.
 */
import { expect, test } from "bun:test";
import { EMULATIONS } from "../../src/supervisor/emulate/calls";
import { emulates } from "../../src/supervisor/emulate";
import { SYSCALLS } from "../../src/syscalls/table";

const emulated = SYSCALLS.filter((r) => r.emulate !== undefined);

test("every emulation kind a row names has an implementation", () => {
  const missing = emulated.filter((r) => !Object.hasOwn(EMULATIONS, r.emulate!.kind)).map((r) => r.name);
  expect(missing).toEqual([]);
});

test("every implementation is reached by some row", () => {
  const used = new Set(emulated.map((r) => r.emulate!.kind));
  expect(Object.keys(EMULATIONS).filter((k) => !used.has(k as never))).toEqual([]);
});

test("only path calls are emulated here, and each row gives the arguments its kind reads", () => {
  // Kinds that take no operand: the paths are all they act on (their flags are optional).
  const noOperand = new Set(["unlink", "rmdir", "rename", "link"]);
  const wrong: string[] = [];
  for (const r of emulated) {
    const e = r.emulate!;
    if (r.paths === undefined) wrong.push(`${r.name}: no path argument`);
    // openat2's flags and mode are in its struct; the other opens take their flags from refine.
    const wantsOperand = e.kind === "open" ? r.refine?.kind !== "openHow" : !noOperand.has(e.kind);
    if (wantsOperand !== (e.arg !== undefined)) wrong.push(`${r.name}: operand ${e.arg}`);
    if (e.kind === "open" && r.refine === undefined) wrong.push(`${r.name}: an open without refine`);
    // Indices past the last path argument, where the ABI puts the operand and the flags.
    const last = Math.max(...(r.paths ?? []).map((p) => p.path));
    if (e.kind !== "symlink" && e.arg !== undefined && e.arg <= last) wrong.push(`${r.name}: operand ${e.arg} is a path`);
    if (e.flags !== undefined && e.flags <= last) wrong.push(`${r.name}: flags ${e.flags} is a path`);
  }
  expect(wrong).toEqual([]);
});

test("every emulated row is emulated for every architecture (i386's 32-bit layouts are read as such)", () => {
  for (const r of emulated) expect({ name: r.name, emulated: emulates(r) }).toEqual({ name: r.name, emulated: true });
});
