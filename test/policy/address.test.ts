import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { ConfigError } from "../../src/errors.ts";
import { compileAddressPattern, matchAddress, parseAddressPattern, type AddressPattern } from "../../src/policy/address.ts";
import { parseIPv6 } from "../../src/policy/ip.ts";
import type { SockAddr } from "../../src/policy/sockaddr.ts";

const inet = (a: string, port: number): SockAddr => {
  const [w, x, y, z] = a.split(".").map(Number) as [number, number, number, number];
  return { family: "inet", addr: ((w << 24) | (x << 16) | (y << 8) | z) >>> 0, port };
};
const inet6 = (a: string, port: number): SockAddr => ({ family: "inet6", addr: parseIPv6(a)!, port });
const one = (s: string): AddressPattern => {
  const list = parseAddressPattern(s);
  expect(list).toHaveLength(1);
  return list[0]!;
};
const matches = (pattern: string, a: SockAddr) => compileAddressPattern(pattern)(a);

describe("parseAddressPattern: forms", () => {
  test("inet with mask and single port", () => {
    expect(one("inet:10.1.2.3/8@80")).toMatchObject({ family: "inet", addr: 0x0a010203, prefix: 8, portMin: 80, portMax: 80 });
  });
  test("inet without mask is a single host", () => {
    expect(one("inet:1.2.3.4@0")).toMatchObject({ prefix: 32, portMin: 0, portMax: 0 });
  });
  test("port range", () => {
    expect(one("inet:0.0.0.0/0@1024-65535")).toMatchObject({ prefix: 0, portMin: 1024, portMax: 65535 });
  });
  test("inet6 with and without mask", () => {
    const p = one("inet6:fe80::/7@53");
    expect(p).toMatchObject({ family: "inet6", prefix: 7, portMin: 53, portMax: 53 });
    expect(one("inet6:::1@0")).toMatchObject({ prefix: 128 });
  });
  test("inet6 address containing a dotted quad", () => {
    expect(one("inet6:::ffff:127.0.0.1/104@0")).toMatchObject({ family: "inet6", prefix: 104 });
  });
  test("unix and unix-abstract globs", () => {
    expect(one("unix:/run/nscd/socket")).toMatchObject({ family: "unix", glob: "/run/nscd/socket", source: "unix:/run/nscd/socket" });
    expect(one("unix-abstract:/tmp/.X11-unix/X*")).toMatchObject({ family: "unix-abstract", glob: "/tmp/.X11-unix/X*" });
    expect(one("unix-abstract:dbus-*")).toMatchObject({ family: "unix-abstract" }); // names need not be absolute
  });
  test.skipIf(!existsSync("/etc/services"))("service names, also with a dash and in ranges", () => {
    expect(one("inet:127.0.0.1@ssh")).toMatchObject({ portMin: 22, portMax: 22 });
    expect(one("inet:127.0.0.1@netbios-ns")).toMatchObject({ portMin: 137, portMax: 137 });
    expect(one("inet:127.0.0.1@ssh-1024")).toMatchObject({ portMin: 22, portMax: 1024 });
    expect(one("inet:127.0.0.1@netbios-ns-netbios-ssn")).toMatchObject({ portMin: 137, portMax: 139 });
  });
});

describe("parseAddressPattern: aliases", () => {
  test("LOOPBACK@P", () => {
    expect(parseAddressPattern("LOOPBACK@0").map((p) => p.source)).toEqual(["inet:127.0.0.0/8@0"]);
  });
  test("LOOPBACK6@P", () => {
    expect(parseAddressPattern("LOOPBACK6@1024-65535").map((p) => p.source)).toEqual(["inet6:::1@1024-65535"]);
  });
  test("LOCAL@P expands to four", () => {
    expect(parseAddressPattern("LOCAL@80").map((p) => p.source)).toEqual([
      "inet:127.0.0.0/8@80",
      "inet:10.0.0.0/8@80",
      "inet:172.16.0.0/12@80",
      "inet:192.168.0.0/16@80",
    ]);
  });
  test("LOCAL6@P expands to four", () => {
    expect(parseAddressPattern("LOCAL6@80").map((p) => p.source)).toEqual([
      "inet6:::1@80",
      "inet6:fe80::/7@80",
      "inet6:fc00::/7@80",
      "inet6:fec0::/7@80",
    ]);
  });
});

describe("parseAddressPattern: errors name the bad part", () => {
  const errors: [string, RegExp][] = [
    ["", /empty/],
    ["inet:1.2.3@80", /bad IPv4 address `1.2.3'/],
    ["inet:1.2.3.256@80", /bad IPv4 address `1.2.3.256'/],
    ["inet6:1::2::3@80", /bad IPv6 address `1::2::3'/],
    ["inet6:127.0.0.1@80", /bad IPv6 address `127.0.0.1'/],
    ["inet:1.2.3.4/x@80", /bad netmask `x'/],
    ["inet:1.2.3.4/@80", /bad netmask `'/],
    ["inet:1.2.3.4/33@80", /netmask \/33 out of range 0-32/],
    ["inet6:::1/129@80", /netmask \/129 out of range 0-128/],
    ["inet:1.2.3.4@65536", /port 65536 out of range 0-65535/],
    ["inet:1.2.3.4@80x", /bad port `80x'/],
    ["inet:1.2.3.4@", /empty port/],
    ["inet:1.2.3.4@80-", /empty port/],
    ["inet:1.2.3.4@-80", /empty port/],
    ["inet:1.2.3.4@1024-80", /reversed port range 1024-80/],
    ["inet:1.2.3.4@no-such-service-xyz", /unknown service name `no-such-service-xyz'/],
    ["inet:1.2.3.4", /missing @PORT/],
    ["inet:", /missing address/],
    ["LOOPBACK", /missing @PORT after alias LOOPBACK/],
    ["LOCALHOST@80", /unknown alias `LOCALHOST'/],
    ["LOOPBACK@99999", /port 99999 out of range/],
    ["ipx:1@2", /unknown address family `ipx'/],
    ["127.0.0.1@80", /no address family/],
    ["unix:", /empty unix pattern/],
    ["unix-abstract:", /empty unix-abstract pattern/],
    ["unix:run/x.sock", /not absolute/],
    ["unix:/run/[x", /unterminated character class/],
  ];
  for (const [s, message] of errors) {
    test(JSON.stringify(s), () => {
      let err: unknown;
      try {
        parseAddressPattern(s);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain(`\`${s}'`);
    });
  }
});

describe("matchAddress", () => {
  test("inet prefix and port range", () => {
    expect(matches("inet:10.0.0.0/8@80-90", inet("10.200.3.4", 85))).toBe(true);
    expect(matches("inet:10.0.0.0/8@80-90", inet("11.0.0.1", 85))).toBe(false);
    expect(matches("inet:10.0.0.0/8@80-90", inet("10.0.0.1", 91))).toBe(false);
    expect(matches("inet:10.0.0.0/8@80-90", inet("10.0.0.1", 79))).toBe(false);
    expect(matches("inet:172.16.0.0/12@0", inet("172.31.255.255", 0))).toBe(true);
    expect(matches("inet:172.16.0.0/12@0", inet("172.32.0.0", 0))).toBe(false);
    expect(matches("inet:1.2.3.4@443", inet("1.2.3.4", 443))).toBe(true);
    expect(matches("inet:1.2.3.4@443", inet("1.2.3.5", 443))).toBe(false);
    expect(matches("inet:0.0.0.0/0@0-65535", inet("8.8.8.8", 53))).toBe(true);
    expect(matches("inet:128.0.0.0/1@53", inet("200.1.1.1", 53))).toBe(true);
    expect(matches("inet:128.0.0.0/1@53", inet("100.1.1.1", 53))).toBe(false);
  });
  test("the address bits outside the mask are ignored in the pattern", () => {
    expect(matches("inet:127.9.9.9/8@1", inet("127.0.0.1", 1))).toBe(true);
  });
  test("inet6 prefix, including an odd mask", () => {
    expect(matches("inet6:fe80::/7@53", inet6("fe80::1", 53))).toBe(true);
    expect(matches("inet6:fe80::/7@53", inet6("fc00::1", 53))).toBe(false);
    expect(matches("inet6:fe80::/7@53", inet6("ff02::1", 53))).toBe(true); // fe80::/7 is really fe00::/7 (2.0.1's alias, kept)
    expect(matches("inet6:fc00::/7@53", inet6("fd12:3456::1", 53))).toBe(true);
    expect(matches("inet6:::1@53", inet6("::1", 53))).toBe(true);
    expect(matches("inet6:::1@53", inet6("::2", 53))).toBe(false); // 2.0.1 would have used /8 here
    expect(matches("inet6:::1@53", inet6("::1", 54))).toBe(false);
    expect(matches("inet6:::/0@0-65535", inet6("2001:db8::1", 1))).toBe(true);
  });
  test("an IPv4-mapped IPv6 address matches IPv4 patterns, and IPv6 patterns by its bytes", () => {
    expect(matches("LOOPBACK@0", inet6("::ffff:127.0.0.1", 0))).toBe(true);
    expect(matches("LOOPBACK@0", inet6("::ffff:128.0.0.1", 0))).toBe(false);
    expect(matches("LOOPBACK@0", inet6("::ffff:127.0.0.1", 1))).toBe(false);
    expect(matches("inet6:::ffff:0.0.0.0/96@0", inet6("::ffff:127.0.0.1", 0))).toBe(true);
    expect(matches("LOOPBACK6@0", inet6("::ffff:127.0.0.1", 0))).toBe(false);
  });
  test("families must agree otherwise", () => {
    expect(matches("LOOPBACK6@0", inet("127.0.0.1", 0))).toBe(false);
    expect(matches("LOOPBACK@0", inet6("::1", 0))).toBe(false);
    expect(matches("unix:/run/x", { family: "unix-abstract", name: "/run/x" })).toBe(false);
    expect(matches("unix-abstract:/run/x", { family: "unix", path: "/run/x" })).toBe(false);
    expect(matches("LOOPBACK@0", { family: "unix", path: "/x" })).toBe(false);
  });
  test("LOCAL and LOCAL6 aliases", () => {
    expect(matches("LOCAL@22", inet("192.168.4.2", 22))).toBe(true);
    expect(matches("LOCAL@22", inet("10.9.8.7", 22))).toBe(true);
    expect(matches("LOCAL@22", inet("8.8.8.8", 22))).toBe(false);
    expect(matches("LOCAL6@22", inet6("fec0::5", 22))).toBe(true);
    expect(matches("LOCAL6@22", inet6("2001::5", 22))).toBe(false);
  });
  test("unix globs match the (resolved) path", () => {
    expect(matches("unix:/var/run/nscd/socket", { family: "unix", path: "/var/run/nscd/socket" })).toBe(true);
    expect(matches("unix:/run/user/*/bus", { family: "unix", path: "/run/user/1000/bus" })).toBe(true);
    expect(matches("unix:/run/user/*/bus", { family: "unix", path: "/run/user/1000/x/bus" })).toBe(false);
    expect(matches("unix:/tmp/***", { family: "unix", path: "/tmp/s p a c e\n.sock" })).toBe(true);
  });
  test("unix-abstract globs match the name, NULs and all", () => {
    expect(matches("unix-abstract:/tmp/.X11-unix/X*", { family: "unix-abstract", name: "/tmp/.X11-unix/X0" })).toBe(true);
    expect(matches("unix-abstract:foo*", { family: "unix-abstract", name: "foo\0bar" })).toBe(true);
    expect(matches("unix-abstract:foo", { family: "unix-abstract", name: "foo\0" })).toBe(false);
  });
  test("core/match options apply to unix globs (no_wildcard prefix, case)", () => {
    const prefix = compileAddressPattern("unix:/run/dir", { caseSensitive: true, noWildcard: "prefix" });
    expect(prefix({ family: "unix", path: "/run/dir/sock" })).toBe(true);
    expect(compileAddressPattern("unix:/run/dir")({ family: "unix", path: "/run/dir/sock" })).toBe(false);
    const fold = compileAddressPattern("unix:/RUN/x", { caseSensitive: false, noWildcard: "literal" });
    expect(fold({ family: "unix", path: "/run/X" })).toBe(true);
  });
  test("matchAddress works on parsed patterns directly", () => {
    const [p] = parseAddressPattern("inet:127.0.0.1@65535");
    expect(matchAddress(p!, inet("127.0.0.1", 65535))).toBe(true);
  });
});
