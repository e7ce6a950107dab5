/**
 * Emulated sends (src/supervisor/emulate/send.ts): real sandboxed processes send through
 * the supervisor's copy of their socket, and what arrives, what the calls return and what
 * sendmmsg writes back must be what the kernel gives. Each case runs with emulation and
 * with CONTINUE (core/trace/emulate:false, the kernel itself), and the two must agree,
 * except where send.ts documents a refusal.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cc } from "../lib/cc";
import { sydbox } from "../lib/sydbox";
import { deny, py, reported, reports, udpServer, type Server } from "../network/lib";

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
async function receiver(): Promise<Server> {
  const s = await udpServer();
  servers.push(s);
  return s;
}
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "sydbox-send-"));
  dirs.push(d);
  return d;
}
const MODES = [true, false] as const;
const emu = (on: boolean) => ["-m", `core/trace/emulate:${on}`];

describe("emulated sends deliver what the kernel would", () => {
  for (const on of MODES) {
    test(`UDP sendto, sendmsg (gathered iovecs), a 60000-byte datagram, a connected send (emulate:${on})`, async () => {
      const rx = await receiver();
      const to = `("127.0.0.1", ${rx.port})`;
      const r = await py([...emu(on), ...deny(`allowlist/network/connect+inet:127.0.0.1@${rx.port}`)], `
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t("sendto", lambda: s.sendto(b"one-sendto", ${to}))
t("sendmsg", lambda: s.sendmsg([b"two-", b"", b"send", b"msg"], [], 0, ${to}))
big = bytes((i * 7 + 3) % 251 for i in range(60000))
t("big", lambda: s.sendto(big, ${to}))
t("tos", lambda: s.sendmsg([b"three-tos"], [(socket.IPPROTO_IP, socket.IP_TOS, struct.pack("i", 16))], 0, ${to}))
s.connect(${to})
t("send", lambda: s.send(b"four-send"))
t("nameless", lambda: s.sendmsg([b"five-", b"nameless"]))
t("refused", lambda: s.sendto(b"six", ("127.0.0.1", 9)))
`);
      expect(r.out).toEqual({ sendto: "OK:10", sendmsg: "OK:11", big: "OK:60000", tos: "OK:9", send: "OK:9", nameless: "OK:13", refused: "ECONNREFUSED" });
      for (const d of ["one-sendto", "two-sendmsg", "three-tos", "four-send", "five-nameless"]) expect(await rx.waitFor(d)).toBe(true);
      const big = Buffer.from(Array.from({ length: 60000 }, (_, i) => (i * 7 + 3) % 251)).toString("latin1");
      expect(rx.received()).toContain(big);
      expect(reported(r.stderr, "sendto(inet:127.0.0.1@9)")).toBe(true);
      expect(reports(r.stderr)).toBe(1);
    }, 30000);

    test(`sendmmsg: both datagrams arrive, the count and each msg_len are the kernel's (emulate:${on})`, async () => {
      const rx = await receiver();
      const to = `127.0.0.1:${rx.port}`;
      const r = await sydbox([...emu(on), ...deny(`allowlist/network/connect+inet:127.0.0.1@${rx.port}`), "--", cc("mmsg"), "-l", to, to]);
      expect(r.stdout.trim()).toBe("ok 2 6 6");
      expect(await rx.waitFor("mmsg-0")).toBe(true);
      expect(await rx.waitFor("mmsg-1")).toBe(true);
      // A connected socket's nameless entries are sent too, and counted.
      const c = await sydbox([...emu(on), ...deny(`allowlist/network/connect+inet:127.0.0.1@${rx.port}`), "--", cc("mmsg"), "-l", "-c", to, "-", to, "-"]);
      expect(c.stdout.trim()).toBe("ok 3 6 6 6");
      expect(await rx.waitFor("mmsg-2")).toBe(true);
    }, 30000);

    test(`unix datagrams: sendto a path, SCM_RIGHTS over a datagram socketpair (emulate:${on})`, async () => {
      const dir = tmp();
      // Writes off: in their default bpf mode a unix path bind would be refused as a write.
      const r = await py([...emu(on), ...deny("core/sandbox/write:off", `allowlist/network/bind+unix:${dir}/**`, `allowlist/network/connect+unix:${dir}/**`)], `
import array
rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
rx.bind("${dir}/rx.sock")
tx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
t("sendto", lambda: tx.sendto(b"to-a-path", "${dir}/rx.sock"))
t("got", lambda: rx.recv(100).decode())
t("denied", lambda: tx.sendto(b"x", "/run/elsewhere.sock"))
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
pr, pw = os.pipe()
t("rights", lambda: a.sendmsg([b"fd"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [pw]))]))
msg, anc, flags, addr = b.recvmsg(10, socket.CMSG_SPACE(4))
fd = array.array("i", anc[0][2])[0]
os.write(fd, b"through the passed fd")
t("pipe", lambda: os.read(pr, 100).decode())
t("badfd", lambda: a.sendmsg([b"fd"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [999]))]))
s1, s2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
t("stream", lambda: s1.sendmsg([b"fd"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [pw]))]))
`);
      expect(r.out).toEqual({
        sendto: "OK:9", got: "OK:to-a-path", denied: "ECONNREFUSED", rights: "OK:2", pipe: "OK:through the passed fd",
        badfd: "EBADF", stream: "OK:2",
      });
    }, 30000);
  }

  const notRoot = process.getuid?.() !== 0;
  for (const on of MODES) {
    test.skipIf(notRoot)(`a root sydbox sends a unix message from a tracee that became nobody with the tracee's uid and gid (emulate:${on})${notRoot ? " (skipped: needs root)" : ""}`, async () => {
      const r = await py([...emu(on), ...deny()], `
import struct
os.setgroups([]); os.setresgid(65534, 65534, 65534); os.setresuid(65534, 65534, 65534)
for kind in ("dgram", "stream"):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM if kind == "dgram" else socket.SOCK_STREAM)
    b.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    t(kind, lambda: a.sendmsg([b"x"]))
    msg, anc, flags, addr = b.recvmsg(10, socket.CMSG_SPACE(12))
    t(kind + "-creds", lambda: "%d:%d" % struct.unpack("iII", anc[0][2])[1:])
t("self", lambda: "%d:%d" % (os.getuid(), os.getgid()))
`);
      expect(r.out).toEqual({ dgram: "OK:1", "dgram-creds": "OK:65534:65534", stream: "OK:1", "stream-creds": "OK:65534:65534", self: "OK:65534:65534" });
    }, 30000);
  }

  for (const on of MODES) {
    test(`TCP: a blocking sendmsg larger than the socket buffers sends it all; EPIPE raises SIGPIPE (emulate:${on})`, async () => {
      const r = await py([...emu(on), ...deny("allowlist/network/bind+inet:127.0.0.1@0")], `
import signal, threading, time
# Small buffers: a part is sent at once, the rest waits for the reader (emulated: in a helper).
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
srv.bind(("127.0.0.1", 0))
srv.listen()
c = socket.socket()
c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
c.connect(srv.getsockname())
conn, _ = srv.accept()
# Under the 512 KiB copied per message.
data = bytes(i % 251 for i in range(500000))
got = bytearray()
def reader():
    time.sleep(0.3)
    while len(got) < len(data):
        b = conn.recv(1 << 20)
        if not b: break
        got.extend(b)
th = threading.Thread(target=reader)
th.start()
t("big", lambda: c.sendmsg([data[:100000], data[100000:]]))
th.join(10)
t("same", lambda: bytes(got) == data)
pipes = []
signal.signal(signal.SIGPIPE, lambda *a: pipes.append(1))
conn.close()
def until_error():
    for i in range(100):
        c.sendmsg([b"x"])
        time.sleep(0.01)
t("epipe", until_error)
time.sleep(0.1)
t("sigpipe", lambda: len(pipes) > 0)
t("nosignal", lambda: c.sendmsg([b"x"], [], socket.MSG_NOSIGNAL))
time.sleep(0.1)
t("signals", lambda: len(pipes))
`);
      expect(r.out).toEqual({ big: "OK:500000", same: "OK:True", epipe: "EPIPE", sigpipe: "OK:True", nosignal: "EPIPE", signals: "OK:1" });
    }, 30000);
  }

  test("SCM_CREDENTIALS with an address is refused with emulation (EPERM), sent by the kernel without", async () => {
    const code = `
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
t("creds", lambda: a.sendmsg([b"c"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, struct.pack("iII", os.getpid(), os.getuid(), os.getgid()))]))
`;
    expect((await py([...emu(true), ...deny()], code)).out).toEqual({ creds: "EPERM" });
    expect((await py([...emu(false), ...deny()], code)).out).toEqual({ creds: "OK:1" });
  }, 30000);

  test("a datagram beyond 512 KiB gets EMSGSIZE with emulation (the kernel sends it under a raised SO_SNDBUF)", async () => {
    const code = `
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
t("small", lambda: a.sendmsg([b"x" * 500000]))
t("big", lambda: a.sendmsg([b"x" * 600000]))
`;
    expect((await py([...emu(true), ...deny()], code)).out).toEqual({ small: "OK:500000", big: "EMSGSIZE" });
    expect((await py([...emu(false), ...deny()], code)).out).toEqual({ small: "OK:500000", big: "OK:600000" });
  }, 30000);

  test("a send that blocks (a full datagram queue) waits in a helper: the supervisor answers other calls meanwhile", async () => {
    const rx = await receiver();
    const r = await py([...emu(true), ...deny(`allowlist/network/connect+inet:127.0.0.1@${rx.port}`)], `
import threading, time
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
a.setblocking(False)
n = 0
try:
    while True:
        a.send(b"fill"); n += 1
except BlockingIOError:
    pass
a.setblocking(True)
done = []
th = threading.Thread(target=lambda: done.append(a.sendmsg([b"blocked-", b"send"])))
th.start()
time.sleep(0.5)
t("waiting", lambda: len(done))
# The supervisor is free: another emulated send goes through while the first one waits.
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t("other", lambda: u.sendmsg([b"meanwhile"], [], 0, ("127.0.0.1", ${rx.port})))
# The writer wakes once the queue is down to a quarter of the socket buffer: drain it.
got = [b.recv(100) for _ in range(n)]
th.join(10)
t("done", lambda: done[0])
t("last", lambda: b.recv(100).decode())
`);
    expect(r.out).toEqual({ waiting: "OK:0", other: "OK:9", done: "OK:12", last: "OK:blocked-send" });
    expect(await rx.waitFor("meanwhile")).toBe(true);
  }, 30000);
});
