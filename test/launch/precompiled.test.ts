/**
 * The filters compiled when the executable was built (src/launch/precompiled.ts): the
 * programs it holds are exactly what libseccomp compiles now for the same spec, and a spec
 * that differs in anything gets another key, so it is compiled at start instead.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { loadLibc } from "../../ffi/libc";
import { loadSeccomp } from "../../ffi/seccomp";
import { loadConfig } from "../../src/config/sources";
import { buildFilter } from "../../src/launch/filter";
import { filterInputs } from "../../src/launch/filter-inputs";
import { precompiledKey } from "../../src/launch/precompiled";
import { compileWholeFilter } from "../../src/launch/seccomp-context";
import { DIST, sydboxCommand } from "../lib/sydbox";

const sc = loadSeccomp();
const specOf = (profile?: string, rootful = process.geteuid?.() === 0) =>
  buildFilter({ ...filterInputs(loadConfig({ profile })), rootful }, sc.seccomp_arch_native());

async function exported(args: string[]): Promise<Buffer> {
  const p = Bun.spawn([...sydboxCommand(), ...args, "--export", "bpf"], { stdout: "pipe", stderr: "inherit" });
  const out = Buffer.from(await new Response(p.stdout).arrayBuffer());
  expect(await p.exited).toBe(0);
  return out;
}

test("--export bpf of the precompiled runs (no options, --profile paludis) is what libseccomp compiles now, and the executable holds it", async () => {
  const binary = sydboxCommand()[0] === DIST ? readFileSync(DIST) : null;
  for (const profile of [undefined, "paludis"]) {
    const now = Buffer.from(compileWholeFilter(loadLibc(), sc, specOf(profile)));
    expect(await exported(profile ? ["--profile", profile] : [])).toEqual(now);
    // Stored by build.ts as base64 in the bundle: absent, every start would compile it.
    if (binary) expect(binary.includes(now.toString("base64"))).toBe(true);
  }
});

test("a spec that differs in anything gets another key", () => {
  const keys = new Set([
    precompiledKey(sc, specOf(undefined, false)), precompiledKey(sc, specOf(undefined, true)),
    precompiledKey(sc, specOf("paludis", false)), precompiledKey(sc, specOf("paludis", true)),
  ]);
  expect(keys.size).toBe(4);
  const spec = specOf("paludis");
  const before = precompiledKey(sc, spec);
  spec.refusals.rules.pop();
  expect(precompiledKey(sc, spec)).not.toBe(before);
});
