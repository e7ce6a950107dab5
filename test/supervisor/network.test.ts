/**
 * The network engine alone (src/supervisor/network.ts), on a fake call view: addresses
 * read from the caller's memory, decided, and returned as verdicts with the violation's
 * facts. Emulation is off except where a test says: its verdicts for addresses the
 * kernel would refuse are answered from the bytes read.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Errno } from "../../src/errors";
import { NetworkEngine } from "../../src/supervisor/network";
import { CONTINUE, fail, type Verdict } from "../../src/supervisor/verdict";
import { config, FakeCall, row } from "./fake-call";

const PLAIN = "core/trace/emulate:false";

/** struct sockaddr_in for a.b.c.d:port. */
function inet(addr: [number, number, number, number], port: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, 2, true);
  v.setUint16(2, port, false);
  b.set(addr, 4);
  return b;
}
/** struct sockaddr_un for `path`. */
function unix(path: string): Uint8Array {
  const b = new Uint8Array(2 + path.length + 1);
  new DataView(b.buffer).setUint16(0, 1, true);
  b.set(Buffer.from(path, "latin1"), 2);
  return b;
}

/** A call of `name`(3, addr, len) by `c`, decided by `engine`. */
function call(name: string, c: FakeCall, bytes: Uint8Array, engine = new NetworkEngine(), len = bytes.length): Verdict {
  c.args = [3, c.put(bytes), len, 0, 0, 0];
  return engine.check(c, row(name));
}

test("a connect outside the allowlist is refused with ECONNREFUSED and the address", () => {
  const c = new FakeCall(config("core/sandbox/network:deny", "allowlist/network/connect+inet:127.0.0.1@80", PLAIN));
  expect(call("connect", c, inet([10, 0, 0, 1], 80))).toEqual({
    kind: "deny", errno: Errno.ECONNREFUSED, then: null,
    violations: [{ category: "connect", call: "connect(inet:10.0.0.1@80)", subjects: [{ family: "inet", addr: 0x0a000001, port: 80 }] }],
  });
  expect(call("connect", c, inet([127, 0, 0, 1], 80))).toBe(CONTINUE);
});

test("a bind outside the allowlist is EADDRNOTAVAIL", () => {
  const c = new FakeCall(config("core/sandbox/network:deny", PLAIN));
  const v = call("bind", c, inet([0, 0, 0, 0], 8080));
  expect(v.kind === "deny" && v.errno).toBe(Errno.EADDRNOTAVAIL);
});

test("an unsupported family: let by by default, else EAFNOSUPPORT naming no address", () => {
  const netlink = new Uint8Array(12);
  netlink[0] = 16; // AF_NETLINK
  expect(call("connect", new FakeCall(config("core/sandbox/network:deny", PLAIN)), netlink)).toBe(CONTINUE);
  const c = new FakeCall(config("core/sandbox/network:deny", "core/allowlist/unsupported_socket_families:false", PLAIN));
  expect(call("connect", c, netlink)).toEqual({
    kind: "deny", errno: Errno.EAFNOSUPPORT, then: null, violations: [{ category: "connect", call: "connect(family:16)", subjects: [] }],
  });
});

test("a unix path is resolved and checked as the canonical path", () => {
  const T = mkdtempSync(join(tmpdir(), "sydbox-network-"));
  try {
    const c = new FakeCall(config("core/sandbox/network:deny", `allowlist/network/connect+unix:${T}/ok`, PLAIN));
    expect(call("connect", c, unix(`${T}/../${T.split("/").pop()}/ok`))).toBe(CONTINUE);
    const v = call("connect", c, unix(`${T}/no`));
    expect(v.kind === "deny" && v.violations[0].subjects).toEqual([{ family: "unix", path: `${T}/no` }]);
  } finally {
    rmSync(T, { recursive: true, force: true });
  }
});

test("addresses the kernel refuses: CONTINUE without emulation, answered from the bytes read with it", () => {
  const plain = new FakeCall(config("core/sandbox/network:deny", PLAIN));
  const emu = new FakeCall(config("core/sandbox/network:deny"));
  const tooLong = new Uint8Array(200);
  expect(call("connect", plain, tooLong)).toBe(CONTINUE);
  expect(call("connect", emu, tooLong)).toBe(fail(Errno.EINVAL));
  // A length under 2: the kernel reads nothing, so there is nothing to race.
  expect(call("connect", emu, inet([10, 0, 0, 1], 80), undefined, 1)).toBe(CONTINUE);
  // Unreadable: EFAULT with emulation.
  emu.args = [3, 0x7000, 16, 0, 0, 0];
  expect(new NetworkEngine().check(emu, row("connect"))).toBe(fail(Errno.EFAULT));
  emu.args = [3, emu.put(new Uint8Array(8)), 0, 0, 0, 0]; // a msghdr too short to read
  expect(new NetworkEngine().check(emu, row("sendmsg"))).toBe(fail(Errno.EFAULT));
});

test("a call gone while its address was read gets no answer", () => {
  const c = new FakeCall(config("core/sandbox/network:deny", PLAIN));
  c.valid = false;
  expect(call("connect", c, inet([10, 0, 0, 1], 80)).kind).toBe("gone");
});

test("successful_bind: an address this supervisor bound is allowed for connect", () => {
  const c = new FakeCall(config("core/sandbox/network:deny", PLAIN));
  const engine = new NetworkEngine();
  expect(call("connect", c, inet([127, 0, 0, 1], 4242), engine).kind).toBe("deny");
  engine.bound.add({ family: "inet", addr: 0, port: 4242 }); // a wildcard bind
  expect(call("connect", c, inet([127, 0, 0, 1], 4242), engine)).toBe(CONTINUE);
  expect(call("connect", c, inet([127, 0, 0, 1], 4242), new NetworkEngine()).kind).toBe("deny");
});

test("sendmmsg: one denied entry denies the whole call", () => {
  const c = new FakeCall(config("core/sandbox/network:deny", "allowlist/network/connect+inet:127.0.0.1@53", PLAIN));
  const ok = inet([127, 0, 0, 1], 53), bad = inet([10, 0, 0, 1], 53);
  const vec = new Uint8Array(2 * 64);
  const v = new DataView(vec.buffer);
  [ok, bad].forEach((name, i) => {
    v.setUint32(i * 64, c.put(name), true); // msg_name
    v.setInt32(i * 64 + 8, 16, true); // msg_namelen
  });
  c.args = [3, c.put(vec), 2, 0, 0, 0];
  const verdict = new NetworkEngine().check(c, row("sendmmsg"));
  expect(verdict.kind === "deny" && verdict.violations[0].call).toBe("sendmmsg(inet:10.0.0.1@53)");
  v.setUint32(64, c.put(ok), true);
  c.args = [3, c.put(vec), 2, 0, 0, 0];
  expect(new NetworkEngine().check(c, row("sendmmsg"))).toBe(CONTINUE);
});
