import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { textToByteString } from "../../src/policy/bytes.ts";
import { compilePattern, killSlashes, normalizePattern, type MatchOptions } from "../../src/policy/pattern.ts";

const literal: MatchOptions = { caseSensitive: true, noWildcard: "literal" };
const prefix: MatchOptions = { caseSensitive: true, noWildcard: "prefix" };

describe("killSlashes", () => {
  test("collapses runs and drops a trailing slash, keeping a lone /", () => {
    expect(killSlashes("///foo///bar/")).toBe("/foo/bar");
    expect(killSlashes("/")).toBe("/");
    expect(killSlashes("///")).toBe("/");
    expect(killSlashes("/a/b")).toBe("/a/b");
  });
});

describe("normalizePattern", () => {
  test("prefix extends patterns without * or ?", () => {
    expect(normalizePattern("/dev/null", "prefix")).toBe("/dev/null/***");
    expect(normalizePattern("/tmp/", "prefix")).toBe("/tmp/***");
    expect(normalizePattern("/dev/[a-z]", "prefix")).toBe("/dev/[a-z]/***"); // 2.0.1 only looks for * and ?
    expect(normalizePattern("/dev/tty*", "prefix")).toBe("/dev/tty*");
    expect(normalizePattern("/a?", "prefix")).toBe("/a?");
  });
  test("literal leaves them alone, apart from slashes", () => {
    expect(normalizePattern("/dev//null/", "literal")).toBe("/dev/null");
  });
  test("is idempotent, so a normalized pattern can be stored and recompiled", () => {
    for (const p of ["/dev/null", "/tmp/***", "/a/*", "/"]) {
      for (const mode of ["literal", "prefix"] as const) {
        const once = normalizePattern(p, mode);
        expect(normalizePattern(once, mode)).toBe(once);
      }
    }
  });
});

describe("compilePattern", () => {
  test("dir/*** matches dir and everything below it", () => {
    const m = compilePattern("/tmp/***", literal);
    expect(m("/tmp")).toBe(true);
    expect(m("/tmp/a")).toBe(true);
    expect(m("/tmp/a/b/c")).toBe(true);
    expect(m("/tmpx")).toBe(false);
    expect(m("/")).toBe(false);
  });
  test("/*** matches everything", () => {
    const m = compilePattern("/***", literal);
    expect(m("/")).toBe(true);
    expect(m("/etc/passwd")).toBe(true);
  });
  test("no_wildcard literal: a plain path matches only itself", () => {
    const m = compilePattern("/dev/null", literal);
    expect(m("/dev/null")).toBe(true);
    expect(m("/dev/null/x")).toBe(false);
    expect(m("/dev/nullx")).toBe(false);
  });
  test("no_wildcard prefix: a plain path also matches below itself", () => {
    const m = compilePattern("/dev/null", prefix);
    expect(m("/dev/null")).toBe(true);
    expect(m("/dev/null/x")).toBe(true);
    expect(m("/dev/nullx")).toBe(false);
    const root = compilePattern("/", prefix);
    expect(root("/")).toBe(true);
    expect(root("/anything")).toBe(true);
  });
  test("no_wildcard prefix leaves wildcard patterns alone", () => {
    const m = compilePattern("/dev/tty*", prefix);
    expect(m("/dev/ttyS0")).toBe(true);
    expect(m("/dev/ttyS0/x")).toBe(false);
  });
  test("no_wildcard prefix still honours a class in a wildcard-free pattern", () => {
    const m = compilePattern("/dev/sd[ab]", prefix);
    expect(m("/dev/sda")).toBe(true);
    expect(m("/dev/sdb/x")).toBe(true);
    expect(m("/dev/sdc")).toBe(false);
  });
  test("runs of slashes in the pattern are collapsed", () => {
    expect(compilePattern("//tmp//x/", literal)("/tmp/x")).toBe(true);
  });
  test("case_sensitive false", () => {
    const m = compilePattern("/Home/User/***", { caseSensitive: false, noWildcard: "literal" });
    expect(m("/home/user")).toBe(true);
    expect(m("/HOME/USER/X")).toBe(true);
    expect(m("/home/users")).toBe(false);
    expect(compilePattern("/Home", literal)("/home")).toBe(false);
  });
  test("the paludis profile's patterns", () => {
    const rules = ["/dev/stdout", "/dev/fd/***", "/dev/tty*", "/dev/shm/***", "/proc/self/fd/***", "/tmp/***"].map((p) =>
      compilePattern(p, prefix),
    );
    const any = (path: string) => rules.some((m) => m(path));
    expect(any("/dev/stdout")).toBe(true);
    expect(any("/dev/fd/3")).toBe(true);
    expect(any("/dev/tty")).toBe(true);
    expect(any("/dev/ttyUSB0")).toBe(true);
    expect(any("/tmp")).toBe(true);
    expect(any("/tmp/build/x.o")).toBe(true);
    expect(any("/dev/sda")).toBe(false);
    expect(any("/etc/passwd")).toBe(false);
    expect(any("/tmpfoo")).toBe(false);
  });
  test("non-UTF-8 names, spaces and newlines, as byte strings", () => {
    const m = compilePattern("/tmp/caf\xe9*", literal);
    expect(m("/tmp/caf\xe9 au lait")).toBe(true);
    const utf8 = compilePattern(textToByteString("/home/josé/***"), literal);
    expect(utf8("/home/jos\xc3\xa9/x")).toBe(true);
    expect(utf8("/home/jos\xe9/x")).toBe(false);
    const nl = compilePattern("/tmp/a\nb/***", literal);
    expect(nl("/tmp/a\nb/c d")).toBe(true);
    expect(nl("/tmp/a")).toBe(false);
  });
  test("'name' patterns need not be absolute", () => {
    const m = compilePattern("org.freedesktop.*", literal, "name");
    expect(m("org.freedesktop.DBus")).toBe(true);
  });
});

describe("compilePattern errors", () => {
  const errors: [string, RegExp][] = [
    ["", /empty pattern/],
    ["tmp/***", /not absolute/],
    ["*.so", /not absolute/],
    ["?tmp", /not absolute/],
    ["/a\0b", /NUL/],
    ["/home/日本", /above U\+00FF.*textToByteString/],
    ["/tmp/[ab", /unterminated character class/],
    ["/tmp/[[:nope:]]", /unknown character class/],
    ["/tmp/x\\", /trailing backslash/],
  ];
  for (const [pattern, message] of errors) {
    test(JSON.stringify(pattern), () => {
      let err: unknown;
      try {
        compilePattern(pattern, literal);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).errno).toBe(22);
      expect((err as Error).message).toMatch(message);
    });
  }
  test("patterns that start with ** or an escaped slash are absolute enough", () => {
    expect(compilePattern("**.so", literal)("/usr/lib/x.so")).toBe(true);
    expect(compilePattern("\\/tmp", literal)("/tmp")).toBe(true);
  });
  test("a malformed pattern under no_wildcard:prefix reports the pattern as written", () => {
    expect(() => compilePattern("/tmp/[ab", prefix)).toThrow("`/tmp/[ab' (as `/tmp/[ab/***')");
  });
});
