import { describe, expect, test } from "bun:test";
import { SCHEMA, SECTIONS, defaultConfig, getField, lookupKey, suggest, UNSUPPORTED_KEYS } from "../../src/config/schema.ts";

/** Every API-v2 key, the API-1-only keys, and their documented defaults (lists default to empty). */
const EXPECTED: Record<string, unknown> = {
  "core/sandbox/exec": "off",
  "core/sandbox/read": "off",
  "core/sandbox/write": "bpf",
  "core/sandbox/network": "bpf",
  "core/restrict/general": 0,
  "core/restrict/io_control": false,
  "core/restrict/memory_map": false,
  "core/restrict/shared_memory_writable": false,
  "core/restrict/file_control": false,
  "core/allowlist/per_process_directories": true,
  "core/allowlist/successful_bind": true,
  "core/allowlist/unsupported_socket_families": true,
  "core/violation/decision": "deny",
  "core/violation/exit_code": -1,
  "core/violation/raise_fail": false,
  "core/violation/raise_safe": false,
  "core/trace/magic_lock": "off",
  "core/trace/use_toolong_hack": false,
  "core/trace/emulate": true,
  "core/trace/exit_wait_all": true,
  "core/trace/exit_kill": false,
  "core/trace/follow_fork": true,
  "core/trace/interrupt": "while_wait",
  "core/trace/use_seize": true,
  "core/trace/use_ptrace": false,
  "core/trace/use_seccomp": true,
  "core/trust/ptrace": false,
  "core/trust/io_uring": false,
  "core/trust/open_by_handle": false,
  "core/trust/userfaultfd": false,
  "core/trust/pidfd": false,
  "core/trust/namespaces": false,
  "core/trust/mount": false,
  "core/trust/devices": false,
  "core/trust/acct": false,
  "core/trust/core_dumps": false,
  "core/trust/terminal": false,
  "core/trust/fs_ioctl": false,
  "core/match/case_sensitive": true,
  "core/match/no_wildcard": "literal",
  "exec/kill_if_match": [],
  "exec/resume_if_match": [],
  "filter/exec": [],
  "filter/read": [],
  "filter/write": [],
  "filter/network": [],
  "allowlist/exec": [],
  "allowlist/read": [],
  "allowlist/write": [],
  "allowlist/network/bind": [],
  "allowlist/network/connect": [],
  "denylist/exec": [],
  "denylist/read": [],
  "denylist/write": [],
  "denylist/network/bind": [],
  "denylist/network/connect": [],
  "cmd/exec": undefined,
};

describe("schema", () => {
  test("holds exactly the API-v2 keys and the API-1-only keys", () => {
    expect(SCHEMA.map((d) => d.key).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test("defaultConfig holds every key's default", () => {
    const cfg = defaultConfig();
    for (const [key, value] of Object.entries(EXPECTED)) {
      if (key === "cmd/exec") continue;
      expect([key, getField(cfg, lookupKey(key)!)]).toEqual([key, value]);
    }
  });

  test("a default config holds the schema's fields and nothing else (the Config type is derived from the same entries)", () => {
    const leaves: string[] = [];
    const walk = (node: unknown, path: string[]) => {
      if (node !== null && typeof node === "object" && !Array.isArray(node)) for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
      else leaves.push(path.join("."));
    };
    walk(defaultConfig(), []);
    const fields = new Set(SCHEMA.filter((d) => d.field.length > 0).map((d) => d.field.join(".")));
    expect(leaves.sort()).toEqual([...fields].sort());
    // Bool keys sit at their own magic path.
    for (const d of SCHEMA) if (d.type === "bool") expect(d.field.join("/")).toBe(d.key);
  });

  test("allowlist and denylist of a category share one ordered list", () => {
    expect(lookupKey("allowlist/write")!.field).toEqual(lookupKey("denylist/write")!.field);
    expect(lookupKey("allowlist/network/bind")!.field).toEqual(["lists", "bind"]);
    expect(lookupKey("denylist/network/connect")!.action).toBe("deny");
  });

  test("a config is plain data: structuredClone and JSON keep it intact", () => {
    const cfg = defaultConfig();
    expect(structuredClone(cfg)).toEqual(cfg);
    expect(JSON.parse(JSON.stringify(cfg))).toEqual(cfg);
  });

  test("defaultConfig returns independent objects", () => {
    const a = defaultConfig();
    a.lists.write.push({ action: "allow", pattern: "/tmp" });
    expect(defaultConfig().lists.write).toEqual([]);
  });

  test("sections are the key prefixes", () => {
    for (const s of ["core", "core/sandbox", "allowlist", "allowlist/network", "denylist/network", "exec", "filter", "cmd"]) {
      expect(SECTIONS.has(s)).toBe(true);
    }
    expect(SECTIONS.has("core/sandbox/write")).toBe(false);
  });

  test("unsupported 2.0.1 keys are not in the schema", () => {
    for (const k of UNSUPPORTED_KEYS) expect(lookupKey(k)).toBeUndefined();
  });

  test("suggest finds near misses only", () => {
    expect(suggest("core/sandbox/wirte", SCHEMA.map((d) => d.key))).toBe("core/sandbox/write");
    expect(suggest("zzzzzzzz", SCHEMA.map((d) => d.key))).toBeUndefined();
  });
});
