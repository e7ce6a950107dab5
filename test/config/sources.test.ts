import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, Errno } from "../../src/errors.ts";
import { defaultConfig } from "../../src/config/schema.ts";
import { parseSyd2 } from "../../src/config/syd2.ts";
import { EMBEDDED_PROFILES } from "../../src/config/profiles.ts";
import { CONFIG_ORDER_HELP, RefusalError, loadConfig, loadPathspec, refuseIfUnconfined, sourcesOf, type SourceItem } from "../../src/config/sources.ts";

const dir = mkdtempSync(join(tmpdir(), "sydbox-sources-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const a = file("a.syd-2", "core/sandbox/write:deny\nallowlist/write+/a\n");
const b = file("b.syd-2", "core/sandbox/write:allow\nallowlist/write+/b\n");
const t = file("t.toml", 'version = 1\n[core.sandbox]\nwrite = "off"\n[rules]\nwrite = ["allow /t"]\n');
const c = (value: string): SourceItem => ({ kind: "config", value });
const m = (value: string): SourceItem => ({ kind: "magic", value });
const writes = (cfg: ReturnType<typeof loadConfig>) => cfg.lists.write.map((r) => r.pattern);

describe("precedence", () => {
  test("no sources: the defaults", () => {
    expect(loadConfig()).toEqual(defaultConfig());
  });

  test("-c and -m apply in command-line order, interleaved", () => {
    let cfg = loadConfig({ sources: [c(a), m("core/sandbox/write:bpf"), c(b), m("allowlist/write+/m")] });
    expect(cfg.core.sandbox.write).toBe("allow");
    expect(writes(cfg)).toEqual(["/a", "/b", "/m"]);
    cfg = loadConfig({ sources: [m("core/sandbox/write:bpf"), c(b), c(a), m("allowlist/write+/m")] });
    expect(cfg.core.sandbox.write).toBe("deny");
    expect(writes(cfg)).toEqual(["/b", "/a", "/m"]);
    cfg = loadConfig({ sources: [c(a), m("core/sandbox/write:bpf")] });
    expect(cfg.core.sandbox.write).toBe("bpf");
  });

  test("SYDBOX_CONFIG comes after every -c and -m", () => {
    const cfg = loadConfig({ sources: [m("allowlist/write+/m"), c(b)], env: t });
    expect(cfg.core.sandbox.write).toBe("off");
    expect(writes(cfg)).toEqual(["/m", "/b", "/t"]);
    expect(loadConfig({ env: "" })).toEqual(defaultConfig());
  });

  test("profile/configs/magics form: profile, then configs, then magics", () => {
    const cfg = loadConfig({ profile: "paludis", configs: [b], magics: ["core/sandbox/write:deny"], env: a });
    expect(writes(cfg).slice(-2)).toEqual(["/b", "/a"]);
    expect(cfg.core.sandbox.write).toBe("deny"); // from env a, last
    expect(sourcesOf(["x"], ["y"])).toEqual([c("x"), m("y")]);
  });

  test("@profile and --profile", () => {
    const viaAt = loadConfig({ sources: [c("@paludis")] });
    expect(viaAt).toEqual(parseSyd2(EMBEDDED_PROFILES.paludis!["syd-2"], "p.syd-2"));
    expect(loadConfig({ profile: "paludis" })).toEqual(viaAt);
    expect(loadConfig({ sources: [c("@paludis.toml")] })).toEqual(viaAt);
  });

  test("base is not modified", () => {
    const base = defaultConfig();
    loadConfig({ base, sources: [m("allowlist/write+/x")] });
    expect(base).toEqual(defaultConfig());
  });

  test("-m takes decoded text and stores UTF-8 bytes", () => {
    const cfg = loadConfig({ sources: [m("allowlist/write+/tmp/é")] });
    expect(cfg.lists.write[0]!.pattern).toBe("/tmp/\u00c3\u00a9");
  });

  test("the help text documents the order", () => {
    expect(CONFIG_ORDER_HELP).toContain("SYDBOX_CONFIG");
    expect(CONFIG_ORDER_HELP).toContain("in the order they");
  });
});

describe("errors", () => {
  test("a bad -m names it", () => {
    expect(() => loadConfig({ sources: [m("core/sandbox/write:maybe")] })).toThrow("-m: invalid magic `core/sandbox/write:maybe'");
  });

  test("a wrong API name is refused before the file is read", () => {
    expect(() => loadConfig({ sources: [c(join(dir, "missing.syd-3"))] })).toThrow("API mismatch: 3 != 2");
    expect(() => loadConfig({ sources: [c(join(dir, "missing.conf"))] })).toThrow("no API information");
  });

  test("a missing file is ENOENT", () => {
    try {
      loadConfig({ sources: [c(join(dir, "missing.syd-2"))] });
      throw new Error("loaded");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).errno).toBe(Errno.ENOENT);
    }
  });

  test("errors in SYDBOX_CONFIG name the file and line", () => {
    const bad = file("bad.syd-2", "core/sandbox/write:deny\nbogus\n");
    expect(() => loadConfig({ env: bad })).toThrow(`invalid magic in file \`${bad}' on line 2`);
  });

  test("the whole config is validated at the end", () => {
    expect(() => loadConfig({ sources: [m("core/restrict/io_control:1")] })).toThrow("needs core/restrict/general > 0");
    expect(() => loadConfig({ sources: [m("core/restrict/io_control:1"), m("core/restrict/general:1")] })).not.toThrow();
  });

  test("loadPathspec reads TOML by extension", () => {
    expect(loadPathspec(defaultConfig(), t).core.sandbox.write).toBe("off");
  });
});

describe("refusal", () => {
  test("all sandboxes off and no restrict level: SydBox's refusal", () => {
    const cfg = loadConfig({ sources: ["exec", "read", "write", "network"].map((k) => m(`core/sandbox/${k}:off`)) });
    try {
      refuseIfUnconfined(cfg, "make");
      throw new Error("ran");
    } catch (e) {
      expect(e).toBeInstanceOf(RefusalError);
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as RefusalError).lines).toEqual(["All restrict and sandbox options are off.", "Refusing to run the program `make'."]);
      expect((e as RefusalError).program).toBe("make");
    }
  });

  test("defaults and paludis run", () => {
    expect(() => refuseIfUnconfined(loadConfig(), "make")).not.toThrow();
    expect(() => refuseIfUnconfined(loadConfig({ profile: "paludis" }), "make")).not.toThrow();
  });
});
