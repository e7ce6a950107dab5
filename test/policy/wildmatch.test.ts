import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { compileWildmatch } from "../../src/policy/wildmatch.ts";
import { referenceWildmatch } from "./wildmatch-reference.ts";

const cs = (pattern: string, opts: { subtree?: boolean } = {}) => compileWildmatch(pattern, { caseSensitive: true, ...opts });
const ci = (pattern: string) => compileWildmatch(pattern, { caseSensitive: false });

/** [pattern, text, matches] — each also checked against the transcribed wildmatch.c. */
const cases: [string, string, boolean][] = [
  // literals and ?
  ["foo", "foo", true],
  ["foo", "bar", false],
  ["foo", "fooo", false],
  ["???", "foo", true],
  ["??", "foo", false],
  ["/a?c", "/abc", true],
  ["/a?c", "/a/c", false], // ? never matches /
  // * stays within a component
  ["*", "foo", true],
  ["f*", "foo", true],
  ["*f", "foo", false],
  ["*foo*", "foo", true],
  ["*ob*a*r*", "foobar", true],
  ["*ab", "aaaaaaabababab", true],
  ["/a/*", "/a/", true], // * matches the empty string
  ["/a/*", "/a/b/c", false],
  ["foo*bar", "foo/baz/bar", false],
  ["/dev/tty*", "/dev/tty", true],
  ["/dev/tty*", "/dev/ttyS0", true],
  ["/dev/tty*", "/dev/tty/x", false],
  ["/a/*/c", "/a/b/c", true],
  ["/a/*/c", "/a/b/x/c", false],
  // ** crosses /, anywhere, also inside a component
  ["foo**bar", "foo/baz/bar", true],
  ["/usr/**.so", "/usr/lib/libc.so", true],
  ["/usr/**.so", "/usr/libc.so", true],
  ["/usr/**.so", "/usr/lib/libc.so.6", false],
  ["/usr/**", "/usr/", true],
  ["/usr/**", "/usr", false],
  ["/usr/**/lib", "/usr/lib", false],
  ["/usr/**/lib", "/usr/x/y/lib", true],
  ["**", "/anything/at/all", true],
  ["/a/***", "/a/b/c", true], // three stars inside wildmatch are just **
  ["**/foo", "/x/foo", true],
  ["*/foo", "/x/foo", false],
  // escapes
  ["foo\\*", "foo*", true],
  ["foo\\*bar", "foobar", false],
  ["f\\\\oo", "f\\oo", true],
  ["\\[a]", "[a]", true],
  ["/a\\?", "/a?", true],
  ["/a\\?", "/ab", false],
  // classes
  ["*[al]?", "ball", true],
  ["[ten]", "ten", false],
  ["**[!te]", "ten", true],
  ["**[!ten]", "ten", false],
  ["t[a-g]n", "ten", true],
  ["t[!a-g]n", "ten", false],
  ["t[!a-g]n", "ton", true],
  ["t[^a-g]n", "ton", true],
  ["a[]]b", "a]b", true],
  ["a[]-]b", "a-b", true],
  ["a[]-]b", "a]b", true],
  ["a[]-]b", "aab", false],
  ["a[]a-]b", "aab", true],
  ["]", "]", true],
  ["[!]-]", "]", false],
  ["[!]-]", "a", true],
  ["a[-z]", "a-", true], // leading - is literal
  ["a[z-]", "a-", true], // trailing - is literal
  ["[a-c-e]", "-", true], // - after a range is literal
  ["[a-c-e]", "d", false],
  ["[z-a]", "m", false], // reversed range is empty
  ["[\\]]", "]", true],
  ["[\\-a]", "-", true],
  ["[a-\\z]", "m", true],
  ["a[/]b", "a/b", false], // a class never matches /
  ["a[!x]b", "a/b", false],
  // POSIX classes
  ["[[:alpha:]][[:digit:]][[:upper:]]", "a1B", true],
  ["[[:digit:][:upper:][:space:]]", "A", true],
  ["[[:digit:][:upper:][:space:]]", "a", false],
  ["[[:digit:][:upper:][:space:]]", "1", true],
  ["[[:digit:][:upper:][:space:]]", " ", true],
  ["[[:digit:][:punct:][:space:]]", ".", true],
  ["[[:xdigit:]]", "5", true],
  ["[[:xdigit:]]", "f", true],
  ["[[:xdigit:]]", "D", true],
  ["[[:xdigit:]]", "g", false],
  ["[[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:graph:][:lower:][:print:][:punct:][:space:][:upper:][:xdigit:]]", "5", true],
  ["[[:cntrl:]]", "\x01", true],
  ["[[:blank:]]", "\t", true],
  ["[[:lower:]]", "A", false],
  ["[[:alpha:]]", "\xe9", false], // C locale: bytes above 0x7F are not letters
  ["[a-c[:digit:]x-z]", "5", true],
  ["[a-c[:digit:]x-z]", "b", true],
  ["[a-c[:digit:]x-z]", "y", true],
  ["[a-c[:digit:]x-z]", "q", false],
  ["[[:digit:]-z]", "-", true], // - after a [:class:] is literal
  ["[[:a]", ":", true], // no ":]": a plain set with [ : a
  ["[[:a]", "[", true],
  ["[[:]", "[", true],
  // byte strings: any byte but NUL, spaces, newlines, non-UTF-8
  ["/tmp/a b*", "/tmp/a b c", true],
  ["/tmp/*", "/tmp/line1\nline2", true],
  ["/tmp/**", "/tmp/x\n/y", true],
  ["/tmp/\xff*", "/tmp/\xff\xfe", true],
  ["/tmp/?", "/tmp/\xc3", true],
  ["/tmp/[\x80-\xff]", "/tmp/\xe9", true],
  ["/tmp/[!\x80-\xff]", "/tmp/\xe9", false],
  ["/a.b", "/axb", false], // regex metacharacters are literal
  ["/a+(b)|c$^", "/a+(b)|c$^", true],
];

describe("compileWildmatch: rsync semantics", () => {
  for (const [pattern, text, expected] of cases) {
    test(`${JSON.stringify(pattern)} ${expected ? "matches" : "does not match"} ${JSON.stringify(text)}`, () => {
      expect(cs(pattern)(text)).toBe(expected);
      expect(referenceWildmatch(pattern, text)).toBe(expected);
    });
  }
});

describe("compileWildmatch: subtree (the compiled form of dir/***)", () => {
  test("matches the directory itself and everything below, not siblings", () => {
    const m = cs("/var/tmp", { subtree: true });
    expect(m("/var/tmp")).toBe(true);
    expect(m("/var/tmp/")).toBe(true);
    expect(m("/var/tmp/a/b")).toBe(true);
    expect(m("/var/tmpfoo")).toBe(false);
    expect(m("/var")).toBe(false);
  });
  test("works with wildcards in the directory part", () => {
    const m = cs("/home/*/.cache", { subtree: true });
    expect(m("/home/u/.cache")).toBe(true);
    expect(m("/home/u/.cache/x/y")).toBe(true);
    expect(m("/home/u/v/.cache")).toBe(false);
    expect(m("/home/u/.cachex")).toBe(false);
  });
  test("an empty directory part is the root subtree", () => {
    const m = cs("", { subtree: true });
    expect(m("/")).toBe(true);
    expect(m("/etc/passwd")).toBe(true);
  });
});

describe("compileWildmatch: case-insensitive", () => {
  test("folds ASCII letters in pattern and text", () => {
    expect(ci("/Foo/BAR")("/foo/bar")).toBe(true);
    expect(ci("/foo/bar")("/FOO/Bar")).toBe(true);
    expect(ci("/foo/*.TXT")("/FOO/a.txt")).toBe(true);
    expect(ci("/foo/b?r")("/FOO/BXR")).toBe(true);
    expect(ci("/foo/**")("/FOO/X/Y")).toBe(true);
    expect(ci("/dev/TTY*")("/dev/ttyS0")).toBe(true);
    expect(ci("/dev/TTY*")("/dev/ttyS0/x")).toBe(false);
  });
  test("folds classes and ranges, and negation applies after folding", () => {
    expect(ci("/[a-c]")("/B")).toBe(true);
    expect(ci("/[A-C]")("/b")).toBe(true);
    expect(ci("/[!a]")("/A")).toBe(false);
    expect(ci("/[[:upper:]]")("/q")).toBe(true);
  });
  test("does not fold bytes above 0x7F (they are UTF-8 pieces, not letters)", () => {
    expect(ci("/\xe9")("/\xc9")).toBe(false);
    expect(ci("/[\xe9]")("/\xc9")).toBe(false);
    expect(ci("/\xe9")("/\xe9")).toBe(true);
  });
  test("case-sensitive matching does not fold", () => {
    expect(cs("/Foo")("/foo")).toBe(false);
    expect(cs("/[A-C]")("/b")).toBe(false);
  });
  test("subtree fast path folds too", () => {
    const m = compileWildmatch("/VAR/tmp", { caseSensitive: false, subtree: true });
    expect(m("/var/TMP/x")).toBe(true);
    expect(m("/var/tmpx")).toBe(false);
  });
});

describe("compileWildmatch: malformed patterns throw ConfigError", () => {
  const malformed: [string, RegExp][] = [
    ["/a[bc", /unterminated character class/],
    ["/a[", /unterminated character class/],
    ["/a[!", /unterminated character class/],
    ["/a[\\", /unterminated character class/],
    ["/a[b-\\", /unterminated character class/],
    ["/[[:alpha:]", /unterminated character class/],
    ["/[[:alpha:", /unterminated character class/],
    ["/[[:foo:]]", /unknown character class `\[:foo:\]'/],
    ["/a\\", /trailing backslash/],
  ];
  for (const [pattern, message] of malformed) {
    test(JSON.stringify(pattern), () => {
      expect(() => cs(pattern)).toThrow(ConfigError);
      expect(() => cs(pattern)).toThrow(message);
      // wildmatch.c never matches these, so refusing them loses nothing.
      for (const text of ["/a", "/abc", "/a[bc", "/a\\", "/x", "/[[:foo:]]"]) expect(referenceWildmatch(pattern, text)).toBe(false);
    });
  }
  test("the error names the offset", () => {
    expect(() => cs("/abc/[x")).toThrow(/at offset 5/);
  });
});

describe("compileWildmatch: no catastrophic backtracking", () => {
  // A RegExp translation takes seconds on these at 200 bytes and does not finish at
  // 4000; wildmatch.c's pruning keeps them polynomial. Finishing is the assertion:
  // the timeout is generous so a loaded machine cannot fail a correct matcher.
  for (const pattern of ["/**a**a**a**a**b", "/*a*a*a*a*a*b", "/**/**/**/**/x"]) {
    test(pattern, () => {
      const m = cs(pattern);
      expect(m("/" + "a".repeat(4000))).toBe(false);
      expect(m("/" + "a/".repeat(2000))).toBe(false);
    }, 20_000);
  }
});

describe("compileWildmatch agrees with wildmatch.c on generated inputs", () => {
  // A small alphabet that exercises every construct; a fixed-seed PRNG keeps runs reproducible.
  let seed = 0x5eed;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const patternAtoms = ["a", "b", "/", "*", "**", "?", "[ab]", "[!a]", "[a-b]", "[]a]", "\\*", "[[:alpha:]]", "[/]", "-", "***"];
  const textAtoms = ["a", "b", "/", "*", "-", "]", "c"];
  const gen = (atoms: string[], max: number) => {
    let s = "";
    const n = rand(max + 1);
    for (let i = 0; i < n; i++) s += atoms[rand(atoms.length)];
    return s;
  };
  test("5000 random pattern/text pairs", () => {
    let checked = 0;
    for (let i = 0; i < 500; i++) {
      const pattern = gen(patternAtoms, 6);
      const m = cs(pattern);
      for (let j = 0; j < 10; j++) {
        const text = gen(textAtoms, 8);
        const want = referenceWildmatch(pattern, text);
        if (m(text) !== want) throw new Error(`pattern ${JSON.stringify(pattern)} text ${JSON.stringify(text)}: want ${want}`);
        checked++;
      }
    }
    expect(checked).toBe(5000);
  });
  test("subtree is exactly `pattern` or `pattern/**`", () => {
    for (let i = 0; i < 300; i++) {
      const pattern = gen(patternAtoms, 5);
      const m = cs(pattern, { subtree: true });
      for (let j = 0; j < 10; j++) {
        const text = gen(textAtoms, 8);
        const want = referenceWildmatch(pattern, text) || referenceWildmatch(pattern + "/**", text);
        if (m(text) !== want) throw new Error(`subtree ${JSON.stringify(pattern)} text ${JSON.stringify(text)}: want ${want}`);
      }
    }
  });
  test("case-insensitive equals wildmatch.c on ASCII-lower-cased pattern and text", () => {
    const lowerAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const upperAtoms = [...patternAtoms, "A", "B", "[B]", "[!B]"];
    const upperText = [...textAtoms, "A", "B", "C"];
    for (let i = 0; i < 300; i++) {
      const pattern = gen(upperAtoms, 5);
      const m = ci(pattern);
      for (let j = 0; j < 10; j++) {
        const text = gen(upperText, 8);
        const want = referenceWildmatch(lowerAscii(pattern), lowerAscii(text));
        if (m(text) !== want) throw new Error(`ci ${JSON.stringify(pattern)} text ${JSON.stringify(text)}: want ${want}`);
      }
    }
  });
});
