/**
 * sendmmsg(2) under network sandboxing, with real UDP sockets: test/c/mmsg.c sends one
 * datagram per mmsghdr entry, to receivers the test process runs outside the sandbox.
 * Every entry's msg_name is checked; one denied entry denies the whole call.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { cc } from "../lib/cc";
import { statsCounts, sydbox } from "../lib/sydbox";
import { deny, reported, reports, udpServer, type Server } from "./lib";

const mmsg = () => cc("mmsg");
const servers: Server[] = [];
afterEach(() => { for (const s of servers.splice(0)) s.stop(); });
async function receiver(): Promise<Server> {
  const s = await udpServer();
  servers.push(s);
  return s;
}

/** Lets a datagram that was (wrongly) sent arrive before asserting that none did. */
const settle = () => Bun.sleep(300);

describe("sendmmsg", () => {
  test("two datagrams to an allowed address go through and both arrive", async () => {
    const rx = await receiver();
    const to = `127.0.0.1:${rx.port}`;
    const r = await sydbox([...deny(`allowlist/network/connect+inet:127.0.0.1@${rx.port}`), "--stats", "--", mmsg(), to, to]);
    expect(r.stdout.trim()).toBe("ok 2");
    expect(await rx.waitFor("mmsg-0")).toBe(true);
    expect(await rx.waitFor("mmsg-1")).toBe(true);
    expect(reports(r.stderr)).toBe(0);
    expect(statsCounts(r.stderr).sendmmsg).toBe(1); // the call reached the supervisor
  }, 30000);

  test("one entry naming a denied address denies the whole call: ECONNREFUSED, a report, nothing sent", async () => {
    const ok = await receiver(), bad = await receiver();
    const r = await sydbox([...deny(`allowlist/network/connect+inet:127.0.0.1@${ok.port}`), "--", mmsg(), `127.0.0.1:${ok.port}`, `127.0.0.1:${bad.port}`]);
    expect(r.stdout.trim()).toBe("ECONNREFUSED"); // sendmsg's errno
    expect(reported(r.stderr, `sendmmsg(inet:127.0.0.1@${bad.port})`)).toBe(true);
    expect(reports(r.stderr)).toBe(1);
    await settle();
    expect(bad.received()).toBe("");
    expect(ok.received()).toBe(""); // the allowed entry before it is not sent either
  }, 30000);

  test("entries without msg_name are no destination; a named one beside them is still checked", async () => {
    const ok = await receiver(), bad = await receiver();
    const NET = deny(`allowlist/network/connect+inet:127.0.0.1@${ok.port}`);
    const connected = await sydbox([...NET, "--", mmsg(), "-c", `127.0.0.1:${ok.port}`, "-", "-"]);
    expect(connected.stdout.trim()).toBe("ok 2");
    expect(await ok.waitFor("mmsg-1")).toBe(true);
    expect(reports(connected.stderr)).toBe(0);
    const mixed = await sydbox([...NET, "--", mmsg(), "-c", `127.0.0.1:${ok.port}`, "-", `127.0.0.1:${bad.port}`]);
    expect(mixed.stdout.trim()).toBe("ECONNREFUSED");
    expect(reported(mixed.stderr, `sendmmsg(inet:127.0.0.1@${bad.port})`)).toBe(true);
    await settle();
    expect(bad.received()).toBe("");
  }, 30000);

  test("a vlen past the readable vector: the readable entries are checked, the kernel stops at the fault", async () => {
    const ok = await receiver(), bad = await receiver();
    const NET = deny(`allowlist/network/connect+inet:127.0.0.1@${ok.port}`);
    const allowed = await sydbox([...NET, "--", mmsg(), "-v", "0x7fffffff", `127.0.0.1:${ok.port}`]);
    expect(allowed.stdout.trim()).toBe("ok 1");
    expect(await ok.waitFor("mmsg-0")).toBe(true);
    const denied = await sydbox([...NET, "--", mmsg(), "-v", "0x7fffffff", `127.0.0.1:${ok.port}`, `127.0.0.1:${bad.port}`]);
    expect(denied.stdout.trim()).toBe("ECONNREFUSED");
    await settle();
    expect(bad.received()).toBe("");
  }, 30000);

  test("-b: every sendmmsg is EPERM in the kernel, with no notification", async () => {
    const rx = await receiver();
    const to = `127.0.0.1:${rx.port}`;
    const r = await sydbox(["-b", ...deny(`allowlist/network/connect+inet:127.0.0.1@${rx.port}`), "--stats", "--", mmsg(), to]);
    expect(r.stdout.trim()).toBe("EPERM");
    expect(statsCounts(r.stderr)).toEqual({});
    expect(r.stderr).toMatch(/^sydbox: stats: 0 notifications/m);
    expect(r.stderr).not.toContain("Access Violation");
    await settle();
    expect(rx.received()).toBe("");
  }, 30000);
});
