/** The build bench's detection of whether dist/sydbox implements core/trace/emulate. */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emulationImplemented } from "../../bench/lib/buildrun";

function withBundle(text: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), "sydbox-emu-"));
  try {
    writeFileSync(join(dir, "bin"), `\x7fELF\0\0${text}\0future emulateUserGesture`);
    return emulationImplemented(join(dir, "bin"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a bundle with only the schema entry does not implement emulation", () => {
  expect(withBundle(`S("core/trace/emulate",!1,"emulate allowed path calls in the supervisor")`)).toBe(false);
});

test("a bundle that reads the key, minified or destructured, does", () => {
  expect(withBundle(`if(A.core.trace.emulate)return B(q)`)).toBe(true);
  expect(withBundle(`let{emulate:Z,magic_lock:Y}=A.trace`)).toBe(true);
  expect(withBundle(`let{magic_lock:Y,emulate:Z}=A.trace`)).toBe(true);
});
