import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, Errno } from "../../src/errors.ts";
import { EMBEDDED_PROFILES, findProfile } from "../../src/config/profiles.ts";
import { parseSyd2 } from "../../src/config/syd2.ts";
import { parseToml } from "../../src/config/toml.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { withTempDir } from "../lib/sydbox";

const REFERENCE = "/work/shared/reference/paludis.syd-2";

describe("embedded profiles", () => {
  test("paludis, default and firefox are embedded in both formats", () => {
    expect(Object.keys(EMBEDDED_PROFILES).sort()).toEqual(["default", "firefox", "paludis"]);
  });

  for (const name of Object.keys(EMBEDDED_PROFILES)) {
    test(`${name}: the .syd-2 and .toml forms are the same valid config`, () => {
      const p = EMBEDDED_PROFILES[name]!;
      const a = parseSyd2(p["syd-2"], `${name}.syd-2`);
      const b = parseToml(p.toml, `${name}.toml`);
      expect(b).toEqual(a);
      expect(() => validateConfig(a)).not.toThrow();
    });

    test(`${name}: embedded text is the file in profiles/`, () => {
      for (const ext of ["syd-2", "toml"] as const) {
        expect(EMBEDDED_PROFILES[name]![ext]).toBe(readFileSync(join(import.meta.dir, `../../profiles/${name}.${ext}`), "utf8"));
      }
    });
  }

  test("paludis behaves exactly like the reference paludis.syd-2", () => {
    const reference = parseSyd2(readFileSync(REFERENCE, "latin1"), REFERENCE);
    expect(parseSyd2(EMBEDDED_PROFILES.paludis!["syd-2"], "paludis.syd-2")).toEqual(reference);
  });

  test("paludis is our own file, not a copy", () => {
    expect(EMBEDDED_PROFILES.paludis!["syd-2"]).not.toBe(readFileSync(REFERENCE, "utf8"));
  });
});

describe("findProfile", () => {
  const dir = mkdtempSync(join(tmpdir(), "sydbox-profiles-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "paludis.syd-2"), "core/sandbox/write:off\n");
  writeFileSync(join(dir, "site.syd-2"), "core/sandbox/exec:deny\n");
  writeFileSync(join(dir, "site.toml"), "version = 1\n");
  writeFileSync(join(dir, "only.toml"), "version = 1\n");

  test("embedded profiles win over the system directory", () => {
    const p = findProfile("paludis", dir);
    expect(p.origin).toBe("embedded:paludis.syd-2");
    expect(p.format).toBe("syd-2");
  });

  test("then NAME.syd-2, then NAME.toml in the system directory", () => {
    expect(findProfile("site", dir)).toMatchObject({ format: "syd-2", origin: join(dir, "site.syd-2"), text: "core/sandbox/exec:deny\n" });
    expect(findProfile("only", dir)).toMatchObject({ format: "toml", origin: join(dir, "only.toml") });
  });

  test("an explicit extension picks the format", () => {
    expect(findProfile("paludis.toml", dir).origin).toBe("embedded:paludis.toml");
    expect(findProfile("site.toml", dir).origin).toBe(join(dir, "site.toml"));
  });

  test("a missing profile is ENOENT naming every place tried", () => {
    try {
      findProfile("nosuch", dir);
      throw new Error("found");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).errno).toBe(Errno.ENOENT);
      expect((e as Error).message).toContain(join(dir, "nosuch.syd-2"));
      expect((e as Error).message).toContain(join(dir, "nosuch.toml"));
    }
  });

  test("names with a slash are refused", () => {
    expect(() => findProfile("../etc/passwd", dir)).toThrow("invalid profile name");
  });

  test("profiles are embedded in a compiled binary", () => withTempDir("sydbox-embed-", async (work) => {
    const entry = join(work, "entry.ts");
    writeFileSync(entry, `import { findProfile } from ${JSON.stringify(join(import.meta.dir, "../../src/config/profiles.ts"))};\nconst p = findProfile("paludis", "/nonexistent");\nconsole.log(p.origin + " " + p.text.length);\n`);
    const build = Bun.spawnSync([process.execPath, "build", "--compile", entry, "--outfile", join(work, "out")], { stderr: "pipe" });
    expect(build.exitCode).toBe(0);
    const run = Bun.spawnSync([join(work, "out")], { cwd: "/", stdout: "pipe" });
    expect(run.stdout.toString().trim()).toBe(`embedded:paludis.syd-2 ${EMBEDDED_PROFILES.paludis!["syd-2"].length}`);
  }));
});
