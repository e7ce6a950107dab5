import { describe, expect, test } from "bun:test";
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6, unmapIPv4 } from "../../src/policy/ip.ts";

const v6 = (s: string) => {
  const a = parseIPv6(s);
  if (!a) throw new Error(`bad test address ${s}`);
  return a;
};

describe("IPv4", () => {
  test("parses dotted quads into host-order u32", () => {
    expect(parseIPv4("127.0.0.1")).toBe(0x7f000001);
    expect(parseIPv4("255.255.255.255")).toBe(0xffffffff);
    expect(parseIPv4("0.0.0.0")).toBe(0);
  });
  test("rejects what inet_pton rejects", () => {
    for (const s of ["127.0.0", "127.0.0.1.2", "256.0.0.1", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "", "1..2.3", "127"]) {
      expect(parseIPv4(s)).toBeUndefined();
    }
  });
  test("formats", () => {
    expect(formatIPv4(0xc0a80101)).toBe("192.168.1.1");
    expect(formatIPv4(0)).toBe("0.0.0.0");
  });
});

describe("IPv6", () => {
  test("parses the usual forms", () => {
    expect([...v6("::1")]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect([...v6("::")]).toEqual(new Array(16).fill(0));
    expect([...v6("fe80::")].slice(0, 2)).toEqual([0xfe, 0x80]);
    expect([...v6("2001:db8:0:0:0:0:0:1")]).toEqual([...v6("2001:db8::1")]);
    expect([...v6("::ffff:1.2.3.4")].slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect([...v6("ABCD::EF")].slice(0, 2)).toEqual([0xab, 0xcd]);
  });
  test("rejects malformed ones", () => {
    for (const s of [":::", "1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "::g", ":1::", "1:", "::1.2.3", "1.2.3.4::", "fe80::1%eth0", "", "1:2:3:4:5:6:7::8"]) {
      expect(parseIPv6(s)).toBeUndefined();
    }
  });
  test("formats like glibc inet_ntop", () => {
    expect(formatIPv6(v6("::1"))).toBe("::1");
    expect(formatIPv6(v6("::"))).toBe("::");
    expect(formatIPv6(v6("2001:db8:0:0:1:0:0:1"))).toBe("2001:db8::1:0:0:1"); // leftmost longest run
    expect(formatIPv6(v6("2001:0:0:1:0:0:0:1"))).toBe("2001:0:0:1::1");
    expect(formatIPv6(v6("1:0:2:3:4:5:6:7"))).toBe("1:0:2:3:4:5:6:7"); // a single zero group is not compressed
    expect(formatIPv6(v6("fe80::"))).toBe("fe80::");
    expect(formatIPv6(v6("::ffff:10.0.0.1"))).toBe("::ffff:10.0.0.1");
    expect(formatIPv6(v6("::10.0.0.1"))).toBe("::10.0.0.1");
    expect(formatIPv6(v6("::2"))).toBe("::2");
    expect(formatIPv6(v6("FE80::AB"))).toBe("fe80::ab");
  });
  test("unmaps only ::ffff:a.b.c.d", () => {
    expect(unmapIPv4(v6("::ffff:127.0.0.1"))).toBe(0x7f000001);
    expect(unmapIPv4(v6("::127.0.0.1"))).toBeUndefined();
    expect(unmapIPv4(v6("::1"))).toBeUndefined();
    expect(unmapIPv4(v6("1::ffff:127.0.0.1"))).toBeUndefined();
  });
});
