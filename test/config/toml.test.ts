import { describe, expect, test } from "bun:test";
import { Errno } from "../../src/errors.ts";
import { caught } from "./caught.ts";
import { applyMagic } from "../../src/config/magic.ts";
import { defaultConfig } from "../../src/config/schema.ts";
import { locate, parseToml, toToml } from "../../src/config/toml.ts";


describe("parseToml", () => {
  test("maps tables onto keys and keeps rule order", () => {
    const cfg = parseToml(
      `version = 1
[core.sandbox]
write = "deny"
network = "allow"
[core.restrict]
general = 1
io_control = true
[core.violation]
exit_code = -3
[core.match]
no_wildcard = "prefix"
[exec]
kill_if_match = ["/bin/sh"]
[filter]
network = ["LOCAL@53"]
[rules]
write = ["allow /tmp", "deny /tmp/secret", "allow /tmp/secret/public"]
connect = ["deny LOOPBACK@22"]
`,
      "p.toml",
    );
    const want = defaultConfig();
    for (const m of [
      "core/sandbox/write:deny", "core/sandbox/network:allow", "core/restrict/general:1", "core/restrict/io_control:true",
      "core/violation/exit_code:-3", "core/match/no_wildcard:prefix", "exec/kill_if_match+/bin/sh", "filter/network+LOCAL@53",
      "allowlist/write+/tmp", "denylist/write+/tmp/secret", "allowlist/write+/tmp/secret/public", "denylist/network/connect+LOOPBACK@22",
    ]) applyMagic(want, m);
    expect(cfg).toEqual(want);
  });

  test("[trace] is short for [core.trace] (core/trace/emulate)", () => {
    const cfg = parseToml("version = 1\n[trace]\nemulate = true\n", "p.toml");
    expect(cfg.core.trace.emulate).toBe(true);
    expect(parseToml("version = 1\n[core.trace]\nemulate = true\n", "p.toml")).toEqual(cfg);
    expect(caught(() => parseToml("version = 1\n[trace]\nemulat = true\n", "p.toml")).message).toMatch(/core\.trace\.emulat: unknown key \(did you mean core\.trace\.emulate\?\)/);
  });

  test("dotted keys and inline tables work too", () => {
    const cfg = parseToml(`version = 1\ncore.sandbox.exec = "deny"\ncore.trace = { emulate = true }\n`, "p.toml");
    expect(cfg.core.sandbox.exec).toBe("deny");
    expect(cfg.core.trace.emulate).toBe(true);
  });

  test("syntax errors give file, line and column", () => {
    const e = caught(() => parseToml(`version = 1\n[core.sandbox]\nwrite = \n`, "/p/x.toml"));
    expect(e.where).toMatchObject({ file: "/p/x.toml", line: 3 });
    expect(e.where?.column).toBeGreaterThan(0);
    expect(e.message).toStartWith("/p/x.toml:3:");
  });

  test("semantic errors locate the key", () => {
    const e = caught(() => parseToml(`version = 1\n\n[core.sandbox]\nexec = "off"\n  write = "maybe"\n`, "x.toml"));
    expect(e.where).toMatchObject({ file: "x.toml", line: 5, column: 3, key: "core.sandbox.write" });
    expect(e.message).toBe("x.toml:5:3: core.sandbox.write: core/sandbox/write must be one of off, bpf, deny, allow, not `maybe'");
  });

  test("errors in an array point at the element", () => {
    const e = caught(() => parseToml(`version = 1\n[rules]\nwrite = [\n  "allow /tmp",\n  "allow relative/path",\n]\n`, "x.toml"));
    expect(e.where).toMatchObject({ line: 5, column: 4, key: "rules.write" });
    const e2 = caught(() => parseToml(`version = 1\n[rules]\nbind = ["permit LOOPBACK@0"]\n`, "x.toml"));
    expect(e2.message).toContain('must be "allow PATTERN" or "deny PATTERN"');
    expect(e2.where?.line).toBe(3);
  });

  test("unknown keys are refused with a suggestion", () => {
    const e = caught(() => parseToml(`version = 1\n[core.sandbox]\nwirte = "deny"\n`, "x.toml"));
    expect(e.message).toBe("x.toml:3:1: core.sandbox.wirte: unknown key (did you mean core.sandbox.write?)");
    expect(caught(() => parseToml(`version = 1\n[sandbox]\nwrite = "deny"\n`, "x.toml")).message).toContain("unknown key");
    expect(caught(() => parseToml(`version = 1\n[allowlist]\nwrite = ["/tmp"]\n`, "x.toml")).message).toContain("unknown key");
  });

  test("types must match the schema", () => {
    for (const [doc, msg] of [
      [`[core.sandbox]\nwrite = true`, "must be a string"],
      [`[core.restrict]\ngeneral = "1"`, "must be an integer"],
      [`[core.restrict]\ngeneral = 1.5`, "must be an integer"],
      [`[core.violation]\nraise_fail = 1`, "must be true or false"],
      [`[core.trace]\nuse_toolong_hack = 1979-05-27`, "must be true or false, not a date/time"],
      [`[exec]\nkill_if_match = "/bin/sh"`, "must be an array of strings"],
      [`[rules]\nwrite = [1]`, "must be an array of strings"],
      [`core = 1`, "must be a table"],
      [`[core.restrict]\ngeneral = 7`, "from 0 to 3"],
    ] as const) {
      const e = caught(() => parseToml(`version = 1\n${doc}\n`, "x.toml"));
      expect([doc, e.message]).toEqual([doc, expect.stringContaining(msg)]);
    }
  });

  test("version is required and must be 1", () => {
    expect(caught(() => parseToml(`[core.sandbox]\nwrite = "deny"\n`, "x.toml")).message).toContain("missing `version = 1'");
    expect(caught(() => parseToml(`version = 2\n`, "x.toml")).message).toContain("unsupported profile format version 2");
  });

  test("errno of the underlying magic error is kept", () => {
    expect(caught(() => parseToml(`version = 1\n[rules]\nwrite = ["allow /a/[b"]\n`, "x.toml")).errno).toBe(Errno.EINVAL);
  });
});

describe("toToml", () => {
  test("round trips any config, including awkward bytes", () => {
    const cfg = defaultConfig();
    for (const m of [
      "core/sandbox/read:deny", "core/restrict/general:3", "core/restrict/shared_memory_writable:true", "core/violation/decision:killall",
      "core/match/case_sensitive:0", "exec/resume_if_match+/opt/*", "filter/read+/proc/***",
      "allowlist/read+/tmp/\"quoted\"\\back", "denylist/read+/tmp/\ttab\nnl\u0001\u007f\u00e9", "allowlist/network/bind+LOOPBACK6@0",
    ]) applyMagic(cfg, m);
    const text = toToml(cfg);
    expect(parseToml(text, "r.toml")).toEqual(cfg);
  });

  test("defaults round trip", () => {
    expect(parseToml(toToml(defaultConfig()), "r.toml")).toEqual(defaultConfig());
  });
});

describe("locate", () => {
  test("finds keys under headers, dotted keys and array elements", () => {
    const text = `version = 1\n[core]\nsandbox.write = "x"\n[rules]\nwrite = [\n  "a",\n  "allow /b",\n]\n`;
    expect(locate(text, "core.sandbox.write")).toEqual({ line: 3, column: 1 });
    expect(locate(text, "rules.write", "allow /b")).toEqual({ line: 7, column: 4 });
    expect(locate(text, "nope")).toEqual({ line: 1, column: 1 });
  });
});
