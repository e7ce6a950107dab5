import { describe, expect, test } from "bun:test";
import { ConfigError, Errno } from "../../src/errors.ts";
import { caught } from "./caught.ts";
import { applyMagic } from "../../src/config/magic.ts";
import { defaultConfig } from "../../src/config/schema.ts";
import { checkSyd2Name, parseSyd2, toSyd2 } from "../../src/config/syd2.ts";


describe("file names", () => {
  test("API 2 names are accepted", () => {
    for (const n of ["a.syd-2", "/etc/sydbox/my.profile.syd-2", "-"]) expect(() => checkSyd2Name(n)).not.toThrow();
  });

  test("API 1 names are accepted too (.syd-1 files load as API 1)", () => {
    expect(() => checkSyd2Name("/etc/sydbox/old.syd-1")).not.toThrow();
  });

  test("other API numbers are an API mismatch", () => {
    expect(caught(() => checkSyd2Name("foo.syd-0")).message).toBe("config file name `foo.syd-0' API mismatch: 0 != 2 (sydbox reads .syd-2 and .syd-1 files)");
    expect(caught(() => checkSyd2Name("/x/foo.syd-3")).message).toBe("config file name `/x/foo.syd-3' API mismatch: 3 != 2 (sydbox reads .syd-2 and .syd-1 files)");
  });

  test("names without API information are refused", () => {
    for (const n of ["foo", "foo.conf", "foo.syd-", "foo.syd-x", "dir.syd-2/foo"]) {
      const e = caught(() => checkSyd2Name(n));
      expect(e.message).toBe(`no API information in file name \`${n}', current API is 2`);
      expect(e.where?.file).toBe(n);
    }
  });

  test("parseSyd2 checks the name unless told not to", () => {
    expect(() => parseSyd2("", "x.syd-3")).toThrow("API mismatch");
    expect(() => parseSyd2("", "x.syd-3", defaultConfig(), { checkName: false })).not.toThrow();
  });
});

describe("parsing", () => {
  test("comments and blank lines are skipped; commands apply in order", () => {
    const cfg = parseSyd2(
      ["# a comment", "", "   ", "core/sandbox/write:deny", "#allowlist/write+/nope", "allowlist/write+/tmp/***", "denylist/write+/tmp/x", "allowlist/write-/tmp/***", "core/sandbox/write:allow\r", ""].join("\n"),
      "t.syd-2",
    );
    expect(cfg.core.sandbox.write).toBe("allow");
    expect(cfg.lists.write).toEqual([{ action: "deny", pattern: "/tmp/x" }]);
  });

  test("applies on top of a given config", () => {
    const base = defaultConfig();
    applyMagic(base, "allowlist/read+/a");
    const cfg = parseSyd2("allowlist/read+/b\n", "t.syd-2", base);
    expect(cfg).toBe(base);
    expect(cfg.lists.read.map((r) => r.pattern)).toEqual(["/a", "/b"]);
  });

  test("errors name the file, the line number and the text", () => {
    const e = caught(() => parseSyd2("# ok\ncore/sandbox/write:deny\n\ncore/sandbox/wirte:deny\n", "/etc/x.syd-2"));
    expect(e.message).toBe("invalid magic in file `/etc/x.syd-2' on line 4: `core/sandbox/wirte:deny': unknown key `core/sandbox/wirte' (did you mean core/sandbox/write?)");
    expect(e.where).toMatchObject({ file: "/etc/x.syd-2", line: 4 });
    expect(e.errno).toBe(Errno.EINVAL);
  });

  test("a line is not trimmed: leading blanks make it invalid, as in 2.0.1", () => {
    expect(caught(() => parseSyd2(" core/sandbox/write:deny", "t.syd-2")).where?.line).toBe(1);
  });

  test("onError collects every bad line", () => {
    const lines: number[] = [];
    parseSyd2("bad1\ncore/sandbox/write:deny\nbad2:x\ncore/restrict/id_change:1\n", "t.syd-2", defaultConfig(), { onError: (e) => lines.push(e.where!.line!) });
    expect(lines).toEqual([1, 3, 4]);
  });

  test("errno of the underlying error is kept", () => {
    expect(caught(() => parseSyd2("core/restrict/id_change:1", "t.syd-2")).errno).toBe(Errno.ENOTSUP);
    expect(caught(() => parseSyd2("cmd/exec!/bin/sh", "t.syd-2")).errno).toBe(Errno.EPERM);
  });
});

describe("toSyd2", () => {
  test("round trips a config with every kind of entry", () => {
    const cfg = defaultConfig();
    for (const m of [
      "core/sandbox/exec:deny", "core/restrict/general:2", "core/restrict/io_control:true", "core/violation/exit_code:7",
      "core/trace/magic_lock:exec", "core/trace/emulate:true", "core/match/case_sensitive:false", "core/match/no_wildcard:prefix",
      "exec/kill_if_match+/bin/sh", "exec/resume_if_match+/usr/bin/*", "filter/write+/var/cache/fc", "filter/network+LOCAL@53",
      "allowlist/write+/tmp", "denylist/write+/tmp/x", "allowlist/write+/tmp/x/y", "allowlist/exec+/usr/***",
      "denylist/read+/etc/shadow", "allowlist/network/bind+LOOPBACK@0", "denylist/network/connect+inet:10.0.0.0/8@1-65535",
      "allowlist/network/connect+unix:/run/a b#c", "allowlist/read+/weird/\u00ff#x",
    ]) applyMagic(cfg, m);
    const text = toSyd2(cfg);
    expect(parseSyd2(text, "r.syd-2")).toEqual(cfg);
    expect(text).toContain("denylist/write+/tmp/x\nallowlist/write+/tmp/x/y");
  });

  test("a pattern with a line break cannot be written", () => {
    const cfg = defaultConfig();
    applyMagic(cfg, "allowlist/write+/a\nb");
    expect(() => toSyd2(cfg)).toThrow(ConfigError);
  });
});
