/**
 * API 1 beside API 2 (issue #18): SydBox 1's key names and API-1-only keys are
 * accepted wherever a magic command is, and written configurations speak API 2.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Errno } from "../../src/errors.ts";
import { applyMagic, castMagicPath } from "../../src/config/magic.ts";
import { configConvert, configShow, sameConfig } from "../../src/config/commands.ts";
import { defaultConfig, lookupKey, SCHEMA } from "../../src/config/schema.ts";
import { loadConfig } from "../../src/config/sources.ts";
import { parseSyd2 } from "../../src/config/syd2.ts";
import { caught } from "./caught.ts";

const dir = mkdtempSync(join(tmpdir(), "sydbox-api1-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each API-1 name and the API-2 command it must equal. */
const RENAMED: [string, string][] = [
  ["whitelist/write+/a/***", "allowlist/write+/a/***"],
  ["whitelist/read+/a", "allowlist/read+/a"],
  ["whitelist/exec+/bin/x", "allowlist/exec+/bin/x"],
  ["whitelist/network/bind+LOOPBACK@0", "allowlist/network/bind+LOOPBACK@0"],
  ["whitelist/network/connect+unix:/run/x", "allowlist/network/connect+unix:/run/x"],
  ["blacklist/write+/a/b", "denylist/write+/a/b"],
  ["blacklist/read+/a/b", "denylist/read+/a/b"],
  ["blacklist/exec+/bin/y", "denylist/exec+/bin/y"],
  ["blacklist/network/bind+inet:0.0.0.0@80", "denylist/network/bind+inet:0.0.0.0@80"],
  ["blacklist/network/connect+inet:1.2.3.4@80", "denylist/network/connect+inet:1.2.3.4@80"],
  ["core/whitelist/per_process_directories:false", "core/allowlist/per_process_directories:false"],
  ["core/whitelist/successful_bind:0", "core/allowlist/successful_bind:0"],
  ["core/whitelist/unsupported_socket_families:f", "core/allowlist/unsupported_socket_families:f"],
];

describe("API-1 names", () => {
  test("each has the effect of its API-2 name", () => {
    for (const [old, now] of RENAMED) {
      const a = defaultConfig(), b = defaultConfig();
      applyMagic(a, old);
      applyMagic(b, now);
      expect([old, sameConfig(a, b)]).toEqual([old, true]);
      expect([old, sameConfig(a, defaultConfig())]).toEqual([old, false]);
    }
  });

  test("remove (-) and query (?) work under either name", () => {
    const cfg = defaultConfig();
    applyMagic(cfg, "allowlist/write+/x/***");
    applyMagic(cfg, "whitelist/write-/x/***");
    expect(cfg.lists.write).toEqual([]);
    expect(applyMagic(cfg, "core/whitelist/successful_bind?")).toEqual({ kind: "query", value: true });
  });

  test("through the magic stat, -m and a .syd-1 file", () => {
    const cfg = defaultConfig();
    expect(castMagicPath(cfg, "/dev/sydbox/whitelist/write+/m/***")).toEqual({ kind: "ok" });
    expect(cfg.lists.write).toEqual([{ action: "allow", pattern: "/m/***" }]);
    expect(loadConfig({ sources: [{ kind: "magic", value: "blacklist/write+/n" }] }).lists.write).toEqual([{ action: "deny", pattern: "/n" }]);
    const file = join(dir, "old.syd-1");
    writeFileSync(file, "core/sandbox/write:deny\nwhitelist/write+/o/***\ncore/trace/exit_wait_all:false\n");
    const fromFile = loadConfig({ sources: [{ kind: "config", value: file }] });
    expect(fromFile.lists.write).toEqual([{ action: "allow", pattern: "/o/***" }]);
    expect(fromFile.core.trace.exit_wait_all).toBe(false);
  });

  test("a bad API-1 line names the file and line", () => {
    expect(() => parseSyd2("whitelist/write+/ok\nblacklist/write:x\n", "f.syd-1")).toThrow("invalid magic in file `f.syd-1' on line 2");
  });
});

describe("API-1-only keys", () => {
  const BOOLS = ["core/trace/exit_wait_all", "core/trace/exit_kill", "core/trace/follow_fork", "core/trace/use_seize",
    "core/trace/use_ptrace", "core/trace/use_seccomp", "core/restrict/file_control"];

  test("each is accepted, queryable, and documented", () => {
    for (const key of BOOLS) {
      const cfg = defaultConfig();
      applyMagic(cfg, `${key}:true`);
      expect([key, applyMagic(cfg, `${key}?`)]).toEqual([key, { kind: "query", value: true }]);
      applyMagic(cfg, `${key}:0`);
      expect([key, applyMagic(cfg, `${key}?`)]).toEqual([key, { kind: "query", value: false }]);
      expect(lookupKey(key)!.doc).toStartWith("API 1: ");
    }
    const cfg = defaultConfig();
    applyMagic(cfg, "core/trace/interrupt:everywhere");
    expect(cfg.core.trace.interrupt).toBe("everywhere");
    expect(applyMagic(cfg, "core/trace/interrupt?")).toEqual({ kind: "query", value: true });
    applyMagic(cfg, "core/trace/interrupt:never");
    expect(applyMagic(cfg, "core/trace/interrupt?")).toEqual({ kind: "query", value: false });
    expect(caught(() => applyMagic(cfg, "core/trace/interrupt:sometimes")).errno).toBe(Errno.EINVAL);
    for (const def of SCHEMA.filter((d) => d.api1)) expect(def.doc.length).toBeGreaterThan(40);
  });
});

describe("written configurations speak API 2", () => {
  test("config show and config convert print API-2 names only", () => {
    const file = join(dir, "names.syd-1");
    writeFileSync(file, RENAMED.map(([old]) => old).join("\n") + "\n");
    const shown = configShow({ sources: [{ kind: "config", value: file }] });
    expect(shown.exitCode).toBe(0);
    const converted = configConvert(file, "syd-2");
    expect(converted.exitCode).toBe(0);
    for (const text of [shown.stdout, converted.stdout, configConvert(file, "toml").stdout]) {
      expect(text).not.toMatch(/whitelist|blacklist/);
      // API-1-only keys at their defaults are left out.
      expect(text).not.toContain("follow_fork");
    }
    expect(converted.stdout).toContain("denylist/write+/a/b");
    expect(converted.stdout).toContain("core/allowlist/per_process_directories:false");
  });

  test("an API-1-only key set away from its default is kept", () => {
    const file = join(dir, "wait.syd-1");
    writeFileSync(file, "core/trace/exit_wait_all:false\n");
    for (const to of ["syd-2", "toml"] as const) {
      const r = configConvert(file, to);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain("exit_wait_all");
    }
  });
});
