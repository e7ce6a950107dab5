/** The build bench's columns: which run, in which order, with which emulation setting. */
import { expect, test } from "bun:test";
import { ALL_COLUMNS, columns } from "../../bench/lib/buildrun";

test("every column runs by default, in run order, and the emulate column always turns emulation on", () => {
  const all = columns(ALL_COLUMNS);
  expect(all.map((c) => c.column)).toEqual(["native", "sydbox", "emulate"]);
  const argv = (i: number) => all[i].wrap("/tmp/b", ["make"]);
  expect(argv(0)).toEqual(["make"]);
  expect(argv(1)).toContain("core/trace/emulate:false");
  expect(argv(2)).toContain("core/trace/emulate:true");
  expect(argv(2).slice(-2)).toEqual(["--", "make"]);
});

test("--columns picks a subset, kept in run order", () => {
  expect(columns(["emulate", "native"]).map((c) => c.column)).toEqual(["native", "emulate"]);
  expect(columns(["sydbox"]).map((c) => c.column)).toEqual(["sydbox"]);
});
