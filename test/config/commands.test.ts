import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configCheck, configConvert, configShow, sameConfig } from "../../src/config/commands.ts";
import { EMBEDDED_PROFILES } from "../../src/config/profiles.ts";
import { defaultConfig } from "../../src/config/schema.ts";
import { parseSyd2 } from "../../src/config/syd2.ts";
import { parseToml } from "../../src/config/toml.ts";

const REFERENCE = "/work/shared/reference/paludis.syd-2";
const dir = mkdtempSync(join(tmpdir(), "sydbox-commands-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text, "latin1");
  return p;
};

describe("config check", () => {
  test("good files: ok on stdout, exit 0", () => {
    const r = configCheck([REFERENCE, "@paludis", "@firefox.toml"]);
    expect(r).toEqual({ stdout: `${REFERENCE}: ok\n@paludis: ok\n@firefox.toml: ok\n`, stderr: "", exitCode: 0 });
  });

  test("every error is printed and the exit status is 1", () => {
    const bad = file("bad.syd-2", "core/sandbox/write:deny\nbogus\ncore/sandbox/read:maybe\n");
    const toml = file("bad.toml", 'version = 1\n[core.sandbox]\nwrite = "nope"\n');
    const r = configCheck([bad, REFERENCE, toml, join(dir, "x.syd-3")]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(`${REFERENCE}: ok\n`);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain(`file \`${bad}' on line 2`);
    expect(lines[1]).toContain(`file \`${bad}' on line 3`);
    expect(lines[2]).toStartWith(`${toml}:3:1: core.sandbox.write:`);
    expect(lines[3]).toContain("API mismatch");
  });

  test("whole-config rules are checked", () => {
    const r = configCheck([file("r.syd-2", "core/restrict/memory_map:true\n")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("needs core/restrict/general > 0");
  });
});

describe("config convert", () => {
  for (const name of Object.keys(EMBEDDED_PROFILES)) {
    for (const [from, to] of [["syd-2", "toml"], ["toml", "syd-2"]] as const) {
      test(`${name}.${from} -> ${to} -> ${from} keeps the effective config`, () => {
        const original = from === "toml" ? parseToml(EMBEDDED_PROFILES[name]!.toml, "o.toml") : parseSyd2(EMBEDDED_PROFILES[name]!["syd-2"], "o.syd-2");
        const there = configConvert(`@${name}.${from}`, to);
        expect(there.exitCode).toBe(0);
        const converted = file(`${name}-${from}.${to}`, there.stdout);
        expect(to === "toml" ? parseToml(there.stdout, converted) : parseSyd2(there.stdout, converted)).toEqual(original);
        const back = configConvert(converted, from);
        expect(back.exitCode).toBe(0);
        expect(from === "toml" ? parseToml(back.stdout, "b.toml") : parseSyd2(back.stdout, "b.syd-2")).toEqual(original);
      });
    }
  }

  test("bytes survive a round trip through files", () => {
    const src = file("bytes.syd-2", "allowlist/write+/tmp/\xe9\xff#x\ndenylist/write+/tmp/a b\n");
    const toml = configConvert(src, "toml");
    const back = configConvert(file("bytes.toml", toml.stdout), "syd-2");
    expect(parseSyd2(back.stdout, "b.syd-2")).toEqual(parseSyd2(readFileSync(src, "latin1"), src));
  });

  test("a pattern with a line break converts to TOML but not to .syd-2", () => {
    const toml = file("nl.toml", 'version = 1\n[rules]\nwrite = ["allow /a\\nb"]\n');
    const r = configConvert(toml, "syd-2");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("line break");
  });

  test("an invalid input is reported, exit 1", () => {
    const r = configConvert(file("i.syd-2", "nope\n"), "toml");
    expect(r).toMatchObject({ stdout: "", exitCode: 1 });
    expect(r.stderr).toContain("on line 1");
  });
});

describe("config show", () => {
  test("profile paludis shows the reference paludis.syd-2's effective config", () => {
    const r = configShow({ sources: [{ kind: "config", value: "@paludis" }] });
    expect(r.exitCode).toBe(0);
    const reference = parseSyd2(readFileSync(REFERENCE, "latin1"), REFERENCE);
    expect(sameConfig(parseToml(r.stdout, "show.toml"), reference)).toBe(true);
  });

  test("no sources show the defaults; errors exit 1", () => {
    expect(parseToml(configShow().stdout, "d.toml")).toEqual(defaultConfig());
    const r = configShow({ sources: [{ kind: "magic", value: "core/sandbox/write:x" }] });
    expect(r).toMatchObject({ stdout: "", exitCode: 1 });
    expect(r.stderr).toContain("-m: invalid magic");
  });

  test("sameConfig sees list order", () => {
    const a = parseSyd2("allowlist/write+/a\ndenylist/write+/a\n", "a.syd-2");
    const b = parseSyd2("denylist/write+/a\nallowlist/write+/a\n", "b.syd-2");
    expect(sameConfig(a, b)).toBe(false);
    expect(sameConfig(a, structuredClone(a))).toBe(true);
  });
});
