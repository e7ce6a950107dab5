import { describe, expect, test } from "bun:test";
import { decodeSockaddr, formatAddress } from "../../src/policy/sockaddr.ts";
import { parseIPv6 } from "../../src/policy/ip.ts";

/** sa_family in host byte order, as the kernel and libc lay it out. */
const family = (af: number) => new Uint8Array(new Uint16Array([af]).buffer);

function sockaddrUn(path: Uint8Array, abstract = false): Uint8Array {
  const buf = new Uint8Array(110);
  buf.set(family(1), 0);
  buf.set(path, abstract ? 3 : 2);
  return buf;
}

function sockaddrIn(a: number[], port: number): Uint8Array {
  const buf = new Uint8Array(16);
  buf.set(family(2), 0);
  buf[2] = port >> 8;
  buf[3] = port & 0xff;
  buf.set(a, 4);
  return buf;
}

function sockaddrIn6(addr: Uint8Array, port: number): Uint8Array {
  const buf = new Uint8Array(28);
  buf.set(family(10), 0);
  buf[2] = port >> 8;
  buf[3] = port & 0xff;
  buf.set([0xde, 0xad, 0xbe, 0xef], 4); // flowinfo: ignored
  buf.set(addr, 8);
  buf.set([1, 0, 0, 0], 24); // scope id: ignored
  return buf;
}

const ascii = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

describe("decodeSockaddr", () => {
  test("AF_UNIX path stops at the first NUL within len", () => {
    const buf = sockaddrUn(ascii("/run/x.sock"));
    expect(decodeSockaddr(buf, 110)).toEqual({ family: "unix", path: "/run/x.sock" });
    expect(decodeSockaddr(buf, 2 + 4)).toEqual({ family: "unix", path: "/run" }); // len shorter than the path
  });
  test("AF_UNIX path with non-UTF-8 bytes and a newline round-trips as a byte string", () => {
    const buf = sockaddrUn(new Uint8Array([0x2f, 0xff, 0x0a, 0xe9]));
    expect(decodeSockaddr(buf, 6)).toEqual({ family: "unix", path: "/\xff\n\xe9" });
  });
  test("AF_UNIX abstract: leading NUL, the name is length-delimited and may hold NULs", () => {
    const buf = sockaddrUn(new Uint8Array([0x66, 0x6f, 0x00, 0x6f]), true);
    expect(decodeSockaddr(buf, 2 + 1 + 4)).toEqual({ family: "unix-abstract", name: "fo\0o" });
    expect(decodeSockaddr(buf, 2 + 1 + 2)).toEqual({ family: "unix-abstract", name: "fo" });
  });
  test("AF_UNIX unnamed (autobind) address", () => {
    expect(decodeSockaddr(sockaddrUn(new Uint8Array()), 2)).toEqual({ family: "unix", path: "" });
  });
  test("AF_INET: network byte order port and address", () => {
    expect(decodeSockaddr(sockaddrIn([1, 2, 3, 4], 80), 16)).toEqual({ family: "inet", addr: 0x01020304, port: 80 });
    expect(decodeSockaddr(sockaddrIn([255, 255, 255, 255], 65535), 16)).toEqual({ family: "inet", addr: 0xffffffff, port: 65535 });
  });
  test("AF_INET6 (with or without sin6_scope_id)", () => {
    const addr = parseIPv6("2001:db8::1")!;
    const expected = { family: "inet6" as const, addr, port: 443 };
    expect(decodeSockaddr(sockaddrIn6(addr, 443), 28)).toEqual(expected);
    expect(decodeSockaddr(sockaddrIn6(addr, 443), 24)).toEqual(expected);
  });
  test("too short for the family: null (the kernel answers EINVAL itself)", () => {
    expect(decodeSockaddr(new Uint8Array(0), 0)).toBeNull();
    expect(decodeSockaddr(family(2), 1)).toBeNull();
    expect(decodeSockaddr(sockaddrIn([1, 2, 3, 4], 80), 15)).toBeNull();
    expect(decodeSockaddr(sockaddrIn6(new Uint8Array(16), 1), 23)).toBeNull();
  });
  test("len beyond the buffer is clamped", () => {
    expect(decodeSockaddr(sockaddrIn([1, 2, 3, 4], 80).subarray(0, 8), 16)).toBeNull();
  });
  test("other families are reported as unsupported with their number", () => {
    const netlink = new Uint8Array(12);
    netlink.set(family(16), 0);
    expect(decodeSockaddr(netlink, 12)).toEqual({ family: "unsupported", af: 16 });
    expect(decodeSockaddr(family(0), 2)).toEqual({ family: "unsupported", af: 0 });
  });
});

describe("formatAddress", () => {
  test("SydBox report forms", () => {
    expect(formatAddress({ family: "inet", addr: 0x01020304, port: 80 })).toBe("inet:1.2.3.4@80");
    expect(formatAddress({ family: "inet6", addr: parseIPv6("::1")!, port: 53 })).toBe("inet6:::1@53");
    expect(formatAddress({ family: "inet6", addr: parseIPv6("::ffff:1.2.3.4")!, port: 0 })).toBe("inet6:::ffff:1.2.3.4@0");
    expect(formatAddress({ family: "unix", path: "/run/x.sock" })).toBe("unix:/run/x.sock");
    expect(formatAddress({ family: "unix-abstract", name: "name" })).toBe("unix-abstract:name");
  });
  test("decode then format", () => {
    const a = decodeSockaddr(sockaddrIn([127, 0, 0, 1], 65535), 16);
    expect(a && a.family !== "unsupported" ? formatAddress(a) : null).toBe("inet:127.0.0.1@65535");
  });
});
