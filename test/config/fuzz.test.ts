/**
 * Property test: whatever text reaches the parsers, the answer is a typed
 * ConfigError or a config whose every value is in its key's domain.
 */
import { expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { applyMagic } from "../../src/config/magic.ts";
import { EMBEDDED_PROFILES } from "../../src/config/profiles.ts";
import { SCHEMA, defaultConfig, getField } from "../../src/config/schema.ts";
import { parseSyd2, toSyd2 } from "../../src/config/syd2.ts";
import { parseToml, toToml } from "../../src/config/toml.ts";
import type { Config } from "../../src/config/types.ts";
import { validateConfig } from "../../src/config/validate.ts";

/** mulberry32: a seeded generator, so a failure reproduces. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = rng(0x5d2b0);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const int = (n: number) => Math.floor(random() * n);

const ALPHABET = "abcdefghijklmnopqrstuvwxyz/_:?+-!*[]{}.@#\\\"' \t\n\r0123456789=,\x00\x1f\x7f\u00e9\u00ff\u0100\u{1f600}";
const VALUES = ["true", "FALSE", "t", "0", "1", "2", "-1", "4", "99999999999", "off", "bpf", "deny", "allow", "kill", "noop", "exec", "on",
  "literal", "prefix", "/tmp/***", "/a/[b", "/a/[[:nope:]]", "rel/path", "**/x", "LOOPBACK@0", "LOCAL6@1-2", "inet:1.2.3.4/33@1",
  "inet6:::1@65536", "unix:/x", "unix-abstract:y", "inet:999.1.1.1@1", "@@", "", "\\", "/\x00", "/\u0100"];
const MAGIC_LINES = [...SCHEMA.flatMap((d) => d.ops.map((op) => `${d.key}${op}`)), "core/restrict/id_change:", "/dev/sydbox", "/dev/sydbox/2", "2", "1"];
const randomText = (n: number) => Array.from({ length: n }, () => pick([...ALPHABET])).join("");

function mutate(s: string): string {
  const chars = [...s];
  for (let k = int(4); k >= 0; k--) {
    const at = int(chars.length + 1);
    switch (int(4)) {
      case 0: chars.splice(at, 1); break;
      case 1: chars.splice(at, 0, pick([...ALPHABET])); break;
      case 2: chars[at] = pick([...ALPHABET]); break;
      default: chars.splice(at, 0, ...chars.slice(int(chars.length), int(chars.length) + int(8)));
    }
  }
  return chars.join("");
}

function magicLine(): string {
  switch (int(3)) {
    case 0: return randomText(int(40));
    case 1: return pick(MAGIC_LINES) + pick(VALUES);
    default: return mutate(pick(MAGIC_LINES) + pick(VALUES));
  }
}

function tomlDoc(): string {
  const base = pick(Object.values(EMBEDDED_PROFILES)).toml;
  switch (int(3)) {
    case 0: return mutate(base);
    case 1: return `version = 1\n[${pick(["core.sandbox", "core.restrict", "core.match", "rules", "exec", "filter", "core"])}]\n${pick(["write", "general", "no_wildcard", "bind", "kill_if_match", "x"])} = ${pick(['"deny"', "1", "true", '["allow /tmp"]', '["deny LOOPBACK@0"]', "[1]", "{}", "1979-05-27", '"' + pick(VALUES) + '"', '["allow ' + pick(VALUES) + '"]'])}\n`;
    default: return randomText(int(80));
  }
}

/** Every value in its key's domain: what "a valid config" means to the supervisor. */
function checkShape(cfg: Config): void {
  for (const def of SCHEMA) {
    if (def.type === "command") continue;
    const v = getField(cfg, def);
    if (def.type === "bool") expect(typeof v).toBe("boolean");
    else if (def.type === "int") expect(Number.isInteger(v) && (v as number) >= def.range![0] && (v as number) <= def.range![1]).toBe(true);
    else if (def.type === "enum") expect(def.values).toContain(v as string);
    else for (const e of v as unknown[]) expect(typeof e === "string" ? e.length > 0 : (e as { pattern: string }).pattern.length > 0).toBe(true);
  }
}

// No time assertion here (speed lives in bench/); the generous timeout only keeps
// a loaded CI machine from failing a correct run.
test("10,000 random or mutated lines and documents: a ConfigError or a valid config", () => {
  let ok = 0;
  let refused = 0;
  for (let i = 0; i < 10_000; i++) {
    const kind = i % 3;
    const input = kind === 0 ? magicLine() : kind === 1 ? Array.from({ length: 1 + int(6) }, magicLine).join("\n") : tomlDoc();
    try {
      const cfg = kind === 0 ? (() => { const c = defaultConfig(); applyMagic(c, input); return c; })()
        : kind === 1 ? parseSyd2(input, "fuzz.syd-2")
        : parseToml(input, "fuzz.toml");
      checkShape(cfg);
      validateConfig(cfg);
      // A config that loads also survives both serializers (every 10th, to stay fast).
      if (i % 10 === 0) {
        expect(parseToml(toToml(cfg), "rt.toml")).toEqual(cfg);
        try {
          expect(parseSyd2(toSyd2(cfg), "rt.syd-2")).toEqual(cfg);
        } catch (e) {
          if (!(e instanceof ConfigError) || !e.message.includes("line break")) throw e;
        }
      }
      ok++;
    } catch (e) {
      if (!(e instanceof ConfigError)) {
        throw new Error(`input ${i} ${JSON.stringify(input)} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
      expect(typeof e.errno).toBe("number");
      refused++;
    }
  }
  expect(ok).toBeGreaterThan(500);
  expect(refused).toBeGreaterThan(500);
}, 60_000);
