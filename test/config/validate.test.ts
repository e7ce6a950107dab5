import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { applyMagic } from "../../src/config/magic.ts";
import { defaultConfig } from "../../src/config/schema.ts";
import { confinesNothing, validateConfig } from "../../src/config/validate.ts";

describe("validateConfig", () => {
  test("defaults are valid", () => {
    expect(() => validateConfig(defaultConfig())).not.toThrow();
  });

  for (const knob of ["io_control", "memory_map", "shared_memory_writable"]) {
    test(`${knob} needs general > 0`, () => {
      const cfg = defaultConfig();
      applyMagic(cfg, `core/restrict/${knob}:true`);
      expect(() => validateConfig(cfg)).toThrow(ConfigError);
      expect(() => validateConfig(cfg)).toThrow("needs core/restrict/general > 0");
      applyMagic(cfg, "core/restrict/general:1");
      expect(() => validateConfig(cfg)).not.toThrow();
    });
  }

  test("the order of the commands does not matter, only the result", () => {
    const cfg = defaultConfig();
    applyMagic(cfg, "core/restrict/memory_map:true");
    applyMagic(cfg, "core/restrict/io_control:true");
    applyMagic(cfg, "core/restrict/general:3");
    expect(() => validateConfig(cfg)).not.toThrow();
    applyMagic(cfg, "core/restrict/general:0");
    expect(() => validateConfig(cfg)).toThrow("core/restrict/io_control, core/restrict/memory_map need core/restrict/general > 0");
  });
});

describe("confinesNothing", () => {
  test("defaults confine (write and network are bpf)", () => {
    expect(confinesNothing(defaultConfig())).toBe(false);
  });

  test("all modes off and general 0 confine nothing; any one of them confines", () => {
    const cfg = defaultConfig();
    for (const c of ["exec", "read", "write", "network"]) applyMagic(cfg, `core/sandbox/${c}:off`);
    expect(confinesNothing(cfg)).toBe(true);
    applyMagic(cfg, "core/restrict/general:1");
    expect(confinesNothing(cfg)).toBe(false);
    applyMagic(cfg, "core/restrict/general:0");
    applyMagic(cfg, "core/sandbox/read:allow");
    expect(confinesNothing(cfg)).toBe(false);
  });
});
