import { describe, expect, test } from "bun:test";
import { ConfigError, Errno } from "../../src/errors.ts";
import {
  applyMagic, castMagicPath, formatCommand, magicCommandFromPath, parseBoolean, parseMagic,
} from "../../src/config/magic.ts";
import { SCHEMA, defaultConfig, getField, type KeyDef } from "../../src/config/schema.ts";
import type { Config } from "../../src/config/types.ts";

function errnoOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).errno;
  }
  return undefined;
}

const query = (cfg: Config, key: string) => {
  const r = applyMagic(cfg, `${key}?`);
  if (r.kind !== "query") throw new Error("not a query");
  return r.value;
};

describe("set and query, every scalar key", () => {
  const scalars = SCHEMA.filter((d) => d.type === "bool" || d.type === "int" || d.type === "enum");

  for (const def of scalars) {
    test(def.key, () => {
      const cfg = defaultConfig();
      const values = def.type === "bool" ? [true, false] : def.type === "int" ? [def.range![0], def.range![1], 0] : def.values!;
      for (const v of values) {
        expect(applyMagic(cfg, `${def.key}:${v}`)).toEqual({ kind: "ok" });
        expect(getField(cfg, def)).toBe(v);
        if (def.query) expect(query(cfg, def.key)).toBe(def.query(v));
        else expect(errnoOf(() => applyMagic(cfg, `${def.key}?`))).toBe(Errno.EINVAL);
      }
      // A wrong value changes nothing and is EINVAL.
      const before = structuredClone(cfg);
      expect(errnoOf(() => applyMagic(cfg, `${def.key}:bogus`))).toBe(Errno.EINVAL);
      expect(errnoOf(() => applyMagic(cfg, `${def.key}:`))).toBe(Errno.EINVAL);
      expect(cfg).toEqual(before);
      // Scalars take neither + nor -.
      expect(errnoOf(() => applyMagic(cfg, `${def.key}+x`))).toBe(Errno.EINVAL);
      expect(errnoOf(() => applyMagic(cfg, `${def.key}-x`))).toBe(Errno.EINVAL);
    });
  }

  test("sandbox queries are true unless off", () => {
    const cfg = defaultConfig();
    expect(query(cfg, "core/sandbox/exec")).toBe(false);
    expect(query(cfg, "core/sandbox/write")).toBe(true); // bpf
    for (const mode of ["bpf", "deny", "allow"]) {
      applyMagic(cfg, `core/sandbox/read:${mode}`);
      expect(query(cfg, "core/sandbox/read")).toBe(true);
    }
  });

  test("restrict/general answers general > 0 and takes 0-3 only", () => {
    const cfg = defaultConfig();
    expect(query(cfg, "core/restrict/general")).toBe(false);
    applyMagic(cfg, "core/restrict/general:2");
    expect(query(cfg, "core/restrict/general")).toBe(true);
    expect(errnoOf(() => applyMagic(cfg, "core/restrict/general:4"))).toBe(Errno.EINVAL);
    expect(errnoOf(() => applyMagic(cfg, "core/restrict/general:-1"))).toBe(Errno.EINVAL);
  });

  test("exit_code takes any int32, not junk", () => {
    const cfg = defaultConfig();
    applyMagic(cfg, "core/violation/exit_code:-1");
    applyMagic(cfg, "core/violation/exit_code:+42");
    expect(cfg.core.violation.exit_code).toBe(42);
    for (const bad of ["1.5", "0x10", "12abc", "2147483648", " 1"]) {
      expect(errnoOf(() => applyMagic(cfg, `core/violation/exit_code:${bad}`))).toBe(Errno.EINVAL);
    }
  });
});

describe("booleans", () => {
  test("accept 1/0, t/f, true/false in any case", () => {
    for (const s of ["1", "t", "T", "true", "TRUE", "True", "tRuE"]) expect(parseBoolean(s)).toBe(true);
    for (const s of ["0", "f", "F", "false", "FALSE", "False"]) expect(parseBoolean(s)).toBe(false);
    for (const s of ["", "yes", "no", "on", "off", "2", "truee", " true"]) expect(parseBoolean(s)).toBeUndefined();
  });

  test("through a key", () => {
    const cfg = defaultConfig();
    applyMagic(cfg, "core/violation/raise_fail:T");
    expect(cfg.core.violation.raise_fail).toBe(true);
    applyMagic(cfg, "core/violation/raise_fail:False");
    expect(cfg.core.violation.raise_fail).toBe(false);
    expect(errnoOf(() => applyMagic(cfg, "core/violation/raise_fail:yes"))).toBe(Errno.EINVAL);
  });
});

describe("append and remove", () => {
  const lists = SCHEMA.filter((d) => d.type === "list");
  const sample = (def: KeyDef) => (def.entry === "address" ? ["LOOPBACK@0", "unix:/run/x", "inet6:::1@80"] : ["/tmp/***", "/a/b", "/dev/tty*"]);
  const entries = (cfg: Config, def: KeyDef) =>
    (getField(cfg, def) as Array<string | { action: string; pattern: string }>).map((e) =>
      typeof e === "string" ? e : `${e.action} ${e.pattern}`,
    );
  const tag = (def: KeyDef, p: string) => (def.action ? `${def.action} ${p}` : p);

  for (const def of lists) {
    test(def.key, () => {
      const cfg = defaultConfig();
      const [a, b, c] = sample(def);
      for (const p of [a!, b!, a!, c!]) expect(applyMagic(cfg, `${def.key}+${p}`)).toEqual({ kind: "ok" });
      expect(entries(cfg, def)).toEqual([a, b, a, c].map((p) => tag(def, p!)));
      // Remove unlinks the earliest equal entry, once per call.
      applyMagic(cfg, `${def.key}-${a}`);
      expect(entries(cfg, def)).toEqual([b, a, c].map((p) => tag(def, p!)));
      applyMagic(cfg, `${def.key}-${a}`);
      applyMagic(cfg, `${def.key}-${a}`); // absent: still ok
      expect(entries(cfg, def)).toEqual([b, c].map((p) => tag(def, p!)));
      // Lists cannot be set or queried; an empty pattern is EINVAL.
      expect(errnoOf(() => applyMagic(cfg, `${def.key}:${a}`))).toBe(Errno.EINVAL);
      expect(errnoOf(() => applyMagic(cfg, `${def.key}?`))).toBe(Errno.EINVAL);
      expect(errnoOf(() => applyMagic(cfg, `${def.key}+`))).toBe(Errno.EINVAL);
      expect(errnoOf(() => applyMagic(cfg, `${def.key}-`))).toBe(Errno.EINVAL);
    });
  }

  test("allow and deny entries of a category interleave in one list, in order", () => {
    const cfg = defaultConfig();
    applyMagic(cfg, "allowlist/write+/tmp/***");
    applyMagic(cfg, "denylist/write+/tmp/secret");
    applyMagic(cfg, "allowlist/write+/tmp/secret/ok");
    expect(cfg.lists.write).toEqual([
      { action: "allow", pattern: "/tmp/***" },
      { action: "deny", pattern: "/tmp/secret" },
      { action: "allow", pattern: "/tmp/secret/ok" },
    ]);
    // Removing from the allowlist leaves an equal denylist entry alone.
    applyMagic(cfg, "denylist/write+/tmp/***");
    applyMagic(cfg, "allowlist/write-/tmp/***");
    expect(cfg.lists.write.map((r) => `${r.action} ${r.pattern}`)).toEqual(["deny /tmp/secret", "allow /tmp/secret/ok", "deny /tmp/***"]);
  });

  test("path removal compares SydBox's normal form", () => {
    const cfg = defaultConfig();
    applyMagic(cfg, "core/match/no_wildcard:prefix");
    applyMagic(cfg, "allowlist/write+/var/tmp");
    applyMagic(cfg, "allowlist/write-/var//tmp/***");
    expect(cfg.lists.write).toEqual([]);
  });

  test("patterns are stored as written", () => {
    const cfg = defaultConfig();
    applyMagic(cfg, "core/match/no_wildcard:prefix");
    applyMagic(cfg, "allowlist/write+/dev/stdout");
    applyMagic(cfg, "allowlist/network/bind+LOOPBACK@1024-65535");
    expect(cfg.lists.write).toEqual([{ action: "allow", pattern: "/dev/stdout" }]);
    expect(cfg.lists.bind).toEqual([{ action: "allow", pattern: "LOOPBACK@1024-65535" }]);
  });

  test("bad patterns and addresses are refused at add time", () => {
    const cfg = defaultConfig();
    expect(errnoOf(() => applyMagic(cfg, "allowlist/write+tmp/***"))).toBe(Errno.EINVAL);
    expect(errnoOf(() => applyMagic(cfg, "allowlist/read+/a/[b"))).toBe(Errno.EINVAL);
    expect(errnoOf(() => applyMagic(cfg, "allowlist/network/bind+inet:1.2.3.4"))).toBe(Errno.EINVAL);
    expect(errnoOf(() => applyMagic(cfg, "allowlist/network/connect+bogus:/x"))).toBe(Errno.EINVAL);
    expect(errnoOf(() => applyMagic(cfg, "filter/network+inet:300.0.0.1@80"))).toBe(Errno.EINVAL);
    expect(cfg).toEqual(defaultConfig());
  });
});

describe("errors", () => {
  const cfg = defaultConfig();
  test("unknown key: EINVAL with a suggestion", () => {
    try {
      applyMagic(cfg, "core/sandbox/wirte:deny");
      throw new Error("accepted");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).errno).toBe(Errno.EINVAL);
      expect((e as Error).message).toContain("did you mean core/sandbox/write?");
    }
  });

  test("bad type, value and operator are EINVAL", () => {
    for (const m of [
      "core/sandbox:deny", // a section
      "core:x",
      "core/sandbox/write", // no operator
      "core/sandbox/write=deny", // not an operator
      "core/sandbox/write/:deny",
      "core/sandbox/write:Deny", // values are case-sensitive
      "core/violation/decision?", // not queryable, like 2.0.1
      "core/sandbox/write!x",
      "2:x",
      "1:x",
      "whitelist/write", // an API-1 name is a key like its API-2 name: it needs an operator
      "nosuch/key+x",
    ]) {
      expect([m, errnoOf(() => applyMagic(cfg, m))]).toEqual([m, Errno.EINVAL]);
    }
  });

  test("2.0.1 keys we do not support are ENOTSUP", () => {
    expect(errnoOf(() => applyMagic(cfg, "core/restrict/id_change:true"))).toBe(Errno.ENOTSUP);
    expect(errnoOf(() => applyMagic(cfg, "core/trace/memory_access:0"))).toBe(Errno.ENOTSUP);
  });

  test("cmd/exec outside the magic stat is EPERM", () => {
    expect(errnoOf(() => applyMagic(cfg, "cmd/exec!/bin/true"))).toBe(Errno.EPERM);
  });

  test("errors carry the key", () => {
    try {
      applyMagic(cfg, "core/sandbox/write:nope");
    } catch (e) {
      expect((e as ConfigError).where?.key).toBe("core/sandbox/write");
    }
  });
});

describe("magic stat", () => {
  test("which paths are magic", () => {
    expect(magicCommandFromPath("/dev/sydbox")).toBe("");
    expect(magicCommandFromPath("/dev/sydbox/2")).toBe("2");
    expect(magicCommandFromPath("/dev/sydbox/core/sandbox/write?")).toBe("core/sandbox/write?");
    expect(magicCommandFromPath("/dev/sydboxFOO")).toBeNull();
    expect(magicCommandFromPath("/dev/null")).toBeNull();
  });

  test("/dev/sydbox, /dev/sydbox/2 and /dev/sydbox/1 succeed (API 2, and API 1 for Paludis's wrapper)", () => {
    const cfg = defaultConfig();
    expect(castMagicPath(cfg, "/dev/sydbox")).toEqual({ kind: "ok" });
    expect(castMagicPath(cfg, "/dev/sydbox/2")).toEqual({ kind: "ok" });
    expect(castMagicPath(cfg, "/dev/sydbox/1")).toEqual({ kind: "ok" });
    expect(errnoOf(() => castMagicPath(cfg, "/dev/sydbox/3"))).toBe(Errno.EINVAL);
    expect(castMagicPath(cfg, "/etc/passwd")).toBeNull();
  });

  test("esandbox commands", () => {
    const cfg = defaultConfig();
    expect(castMagicPath(cfg, "/dev/sydbox/core/sandbox/write:deny")).toEqual({ kind: "ok" });
    expect(castMagicPath(cfg, "/dev/sydbox/core/sandbox/write?")).toEqual({ kind: "query", value: true });
    castMagicPath(cfg, "/dev/sydbox/core/sandbox/write:off");
    expect(castMagicPath(cfg, "/dev/sydbox/core/sandbox/write?")).toEqual({ kind: "query", value: false });
    castMagicPath(cfg, "/dev/sydbox/allowlist/write+/var/tmp/build/***");
    expect(cfg.lists.write).toEqual([{ action: "allow", pattern: "/var/tmp/build/***" }]);
    castMagicPath(cfg, "/dev/sydbox/core/trace/magic_lock:exec");
    expect(cfg.core.trace.magic_lock).toBe("exec");
  });

  test("cmd/exec splits its argument on \\037", () => {
    const cfg = defaultConfig();
    const path = `/dev/sydbox/${formatCommand(["/bin/echo", "a b", "", "c"]).slice(0)}`;
    expect(castMagicPath(cfg, path)).toEqual({ kind: "command", argv: ["/bin/echo", "a b", "", "c"] });
    expect(errnoOf(() => castMagicPath(cfg, "/dev/sydbox/cmd/exec!"))).toBe(Errno.EINVAL);
  });
});

describe("parseMagic", () => {
  test("splits key, operator and value; the value keeps every character", () => {
    expect(parseMagic("allowlist/write+/a:b?c+d-e!f")).toEqual({ key: "allowlist/write", op: "+", value: "/a:b?c+d-e!f" });
    expect(parseMagic("/dev/sydbox/core/sandbox/exec?")).toEqual({ key: "core/sandbox/exec", op: "?", value: "" });
    expect(parseMagic("/dev/sydbox")).toEqual({ key: "", op: null, value: "" });
  });
});
