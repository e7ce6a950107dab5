import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { compilePattern, DEFAULT_MATCH_OPTIONS } from "../../src/policy/pattern.ts";
import { addressRules, matchesAny, pathRuleOptions, pathRules, RuleSet, type Rule } from "../../src/policy/rules.ts";

const prefix = { caseSensitive: true, noWildcard: "prefix" } as const;

describe("RuleSet: last match wins", () => {
  test("no rule matches: undefined, so the sandbox mode decides", () => {
    const rs = pathRules(DEFAULT_MATCH_OPTIONS, [{ action: "allow", pattern: "/tmp/***" }]);
    expect(rs.decide("/etc/passwd")).toBeUndefined();
    expect(pathRules().decide("/tmp")).toBeUndefined();
  });
  test("a later deny overrides an earlier allow, and vice versa", () => {
    const rs = pathRules(DEFAULT_MATCH_OPTIONS, [
      { action: "allow", pattern: "/home/***" },
      { action: "deny", pattern: "/home/*/.ssh/***" },
      { action: "allow", pattern: "/home/u/.ssh/known_hosts" },
    ]);
    expect(rs.decide("/home/u/src/x.c")).toBe("allow");
    expect(rs.decide("/home/u/.ssh/id_rsa")).toBe("deny");
    expect(rs.decide("/home/u/.ssh/known_hosts")).toBe("allow");
    expect(rs.lookup("/home/u/.ssh/id_rsa")).toEqual({ action: "deny", pattern: "/home/*/.ssh/***" });
  });
  test("the order of the same two rules flips the answer", () => {
    const a: Rule = { action: "allow", pattern: "/x/***" };
    const d: Rule = { action: "deny", pattern: "/x/***" };
    expect(pathRules(DEFAULT_MATCH_OPTIONS, [a, d]).decide("/x/y")).toBe("deny");
    expect(pathRules(DEFAULT_MATCH_OPTIONS, [d, a]).decide("/x/y")).toBe("allow");
  });
});

describe("RuleSet: changes and the cache", () => {
  test("add invalidates cached decisions", () => {
    const rs = pathRules();
    expect(rs.decide("/tmp/a")).toBeUndefined(); // now cached as "no match"
    rs.add("allow", "/tmp/***");
    expect(rs.decide("/tmp/a")).toBe("allow");
    rs.add("deny", "/tmp/a");
    expect(rs.decide("/tmp/a")).toBe("deny");
  });
  test("remove invalidates cached decisions and removes the first equal rule", () => {
    const rs = pathRules(DEFAULT_MATCH_OPTIONS, [
      { action: "allow", pattern: "/tmp/***" },
      { action: "deny", pattern: "/tmp/***" },
      { action: "allow", pattern: "/tmp/***" },
    ]);
    expect(rs.decide("/tmp/a")).toBe("allow");
    expect(rs.remove("allow", "/tmp/***")).toBe(true);
    expect(rs.rules).toEqual([
      { action: "deny", pattern: "/tmp/***" },
      { action: "allow", pattern: "/tmp/***" },
    ]);
    expect(rs.decide("/tmp/a")).toBe("allow");
    expect(rs.remove("allow", "/tmp/***")).toBe(true);
    expect(rs.decide("/tmp/a")).toBe("deny");
    expect(rs.remove("allow", "/tmp/***")).toBe(false);
    expect(rs.remove("deny", "/nope")).toBe(false);
    expect(rs.size).toBe(1);
  });
  test("remove compares patterns as SydBox expanded them", () => {
    const rs = pathRules(prefix, [{ action: "allow", pattern: "/var/tmp/" }]);
    expect(rs.decide("/var/tmp/x")).toBe("allow");
    expect(rs.remove("allow", "//var/tmp")).toBe(true);
    expect(rs.decide("/var/tmp/x")).toBeUndefined();
  });
  test("replace and clear", () => {
    const rs = pathRules(DEFAULT_MATCH_OPTIONS, [{ action: "deny", pattern: "/a" }]);
    expect(rs.decide("/a")).toBe("deny");
    rs.replace([{ action: "allow", pattern: "/a" }]);
    expect(rs.decide("/a")).toBe("allow");
    rs.clear();
    expect(rs.decide("/a")).toBeUndefined();
    expect(rs.size).toBe(0);
  });
  test("a malformed pattern throws ConfigError and leaves the list unchanged", () => {
    const rs = pathRules(DEFAULT_MATCH_OPTIONS, [{ action: "allow", pattern: "/a" }]);
    expect(() => rs.add("deny", "/a[")).toThrow(ConfigError);
    expect(() => rs.replace([{ action: "deny", pattern: "/b" }, { action: "deny", pattern: "rel" }])).toThrow(ConfigError);
    expect(rs.rules).toEqual([{ action: "allow", pattern: "/a" }]);
    expect(rs.decide("/a")).toBe("allow");
    expect(() => pathRules(DEFAULT_MATCH_OPTIONS, [{ action: "allow", pattern: "" }])).toThrow(/empty pattern/);
  });
  test("the cache is bounded: recently used decisions survive, stale ones are recomputed", () => {
    let calls = 0;
    const rs = new RuleSet<string>(
      {
        compile: (p) => {
          const m = compilePattern(p, DEFAULT_MATCH_OPTIONS);
          return (s) => (calls++, m(s));
        },
        cacheKey: (s) => s,
        cacheSize: 4,
      },
      [{ action: "allow", pattern: "/a/***" }],
    );
    const decide = (p: string) => expect(rs.decide(p)).toBe("allow");
    decide("/a/1");
    decide("/a/2");
    decide("/a/1");
    decide("/a/2");
    expect(calls).toBe(2); // both cached
    decide("/a/3");
    decide("/a/1"); // still cached, and refreshed
    expect(calls).toBe(3);
    decide("/a/4");
    decide("/a/5");
    expect(calls).toBe(5);
    decide("/a/2"); // untouched for too long: dropped
    expect(calls).toBe(6);
    decide("/a/5");
    expect(calls).toBe(6);
  });
  test("without a cacheKey nothing is cached", () => {
    let calls = 0;
    const rs = new RuleSet<string>({ compile: () => (s) => (calls++, s === "/x") }, [{ action: "deny", pattern: "/x" }]);
    rs.decide("/x");
    rs.decide("/x");
    expect(calls).toBe(2);
  });
});

describe("RuleSet: clone (fork) and recompiled (core/match changes)", () => {
  test("a clone starts equal and then changes independently", () => {
    const parent = pathRules(DEFAULT_MATCH_OPTIONS, [{ action: "allow", pattern: "/tmp/***" }]);
    expect(parent.decide("/tmp/x")).toBe("allow");
    const child = parent.clone();
    expect(child.decide("/tmp/x")).toBe("allow");
    child.add("deny", "/tmp/x");
    expect(child.decide("/tmp/x")).toBe("deny");
    expect(parent.decide("/tmp/x")).toBe("allow");
    parent.clear();
    expect(parent.decide("/tmp/y")).toBeUndefined();
    expect(child.decide("/tmp/y")).toBe("allow");
  });
  test("recompiled applies new match options to the same rules", () => {
    const rs = pathRules(DEFAULT_MATCH_OPTIONS, [{ action: "allow", pattern: "/Data" }]);
    expect(rs.decide("/data")).toBeUndefined();
    const folded = rs.recompiled(pathRuleOptions({ caseSensitive: false, noWildcard: "literal" }));
    expect(folded.decide("/data")).toBe("allow");
    expect(folded.rules).toEqual(rs.rules);
  });
});

describe("address RuleSet", () => {
  const v4 = (a: number, port: number) => ({ family: "inet" as const, addr: a, port });
  test("the paludis bind/connect lists, last match wins", () => {
    const rs = addressRules(DEFAULT_MATCH_OPTIONS, [
      { action: "allow", pattern: "LOOPBACK@0" },
      { action: "allow", pattern: "LOOPBACK@1024-65535" },
      { action: "allow", pattern: "unix:/run/nscd/socket" },
    ]);
    expect(rs.decide(v4(0x7f000001, 0))).toBe("allow");
    expect(rs.decide(v4(0x7f000001, 8080))).toBe("allow");
    expect(rs.decide(v4(0x7f000001, 80))).toBeUndefined();
    expect(rs.decide(v4(0x08080808, 8080))).toBeUndefined();
    expect(rs.decide({ family: "unix", path: "/run/nscd/socket" })).toBe("allow");
    rs.add("deny", "inet:127.0.0.1@8080");
    expect(rs.decide(v4(0x7f000001, 8080))).toBe("deny");
    expect(rs.decide(v4(0x7f000002, 8080))).toBe("allow");
  });
  test("an alias is one rule: removing it removes all its expansions", () => {
    const rs = addressRules(DEFAULT_MATCH_OPTIONS, [{ action: "allow", pattern: "LOCAL@22" }]);
    expect(rs.decide(v4(0xc0a80001, 22))).toBe("allow");
    expect(rs.remove("allow", "LOCAL@22")).toBe(true);
    expect(rs.decide(v4(0xc0a80001, 22))).toBeUndefined();
  });
  test("bad address patterns throw ConfigError", () => {
    expect(() => addressRules().add("allow", "inet:1.2.3.4/40@1")).toThrow(/netmask/);
  });
});

describe("matchesAny", () => {
  test("true if any predicate matches", () => {
    const list = ["/usr/bin/rm", "/bin/*"].map((p) => compilePattern(p, DEFAULT_MATCH_OPTIONS));
    expect(matchesAny(list, "/bin/sh")).toBe(true);
    expect(matchesAny(list, "/usr/bin/rm")).toBe(true);
    expect(matchesAny(list, "/usr/bin/ls")).toBe(false);
    expect(matchesAny([], "/x")).toBe(false);
  });
});
