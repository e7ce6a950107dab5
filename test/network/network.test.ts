/**
 * Network sandboxing (issue #5) against real sockets: a Python tracee under sydbox binds,
 * connects and sends on 127.0.0.1, ::1 and unix sockets in a temporary directory, to servers
 * the test process runs outside the sandbox. No mocks: every answer is the kernel's or the
 * supervisor's real one.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, realpathSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deny, freePort, py, reported, reports, tcpServer, udpServer, unixServer } from "./lib";

let tmp = "";
beforeAll(() => { tmp = realpathSync(mkdtempSync(join(tmpdir(), "sydbox-net-"))); });
afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

const tcp4 = "socket.socket(socket.AF_INET, socket.SOCK_STREAM)";
const udp4 = "socket.socket(socket.AF_INET, socket.SOCK_DGRAM)";

describe("bind", () => {
  test("a bind with no allowlist entry is denied with EADDRNOTAVAIL and reported", async () => {
    const port = freePort();
    const r = await py(deny(), `s = ${tcp4}\nt("bind", lambda: s.bind(("127.0.0.1", ${port})))\n`);
    expect(r.out.bind).toBe("EADDRNOTAVAIL");
    expect(reported(r.stderr, `bind(inet:127.0.0.1@${port})`)).toBe(true);
    expect(r.status).toBe(0);
  });

  test("a single allowed port: that port binds, the next one does not", async () => {
    const port = freePort();
    const r = await py(deny(`allowlist/network/bind+inet:127.0.0.1@${port}`), `
a = ${tcp4}; t("same", lambda: a.bind(("127.0.0.1", ${port})))
print("bound=" + str(a.getsockname()[1]))
b = ${tcp4}; t("next", lambda: b.bind(("127.0.0.1", ${port === 65535 ? port - 1 : port + 1})))
c = ${tcp4}; t("other-ip", lambda: c.bind(("127.0.0.2", ${port})))
`);
    expect(r.out.same).toBe("OK");
    expect(r.out.bound).toBe(String(port));
    expect(r.out.next).toBe("EADDRNOTAVAIL");
    expect(r.out["other-ip"]).toBe("EADDRNOTAVAIL");
  });

  test("a port range: inside binds, outside does not", async () => {
    const r = await py(deny("allowlist/network/bind+inet:127.0.0.1@40000-40999"), `
a = ${udp4}; t("low", lambda: a.bind(("127.0.0.1", 40000)))
b = ${udp4}; t("high", lambda: b.bind(("127.0.0.1", 40999)))
c = ${udp4}; t("above", lambda: c.bind(("127.0.0.1", 41000)))
d = ${udp4}; t("below", lambda: d.bind(("127.0.0.1", 39999)))
`);
    expect(r.out).toMatchObject({ low: "OK", high: "OK", above: "EADDRNOTAVAIL", below: "EADDRNOTAVAIL" });
    expect(reports(r.stderr)).toBe(2);
  });

  test("the alias LOOPBACK@1024-65535 covers 127/8 and high ports only", async () => {
    const port = freePort();
    const r = await py(deny("allowlist/network/bind+LOOPBACK@1024-65535"), `
a = ${tcp4}; t("lo", lambda: a.bind(("127.0.0.1", ${port})))
b = ${tcp4}; t("lo5", lambda: b.bind(("127.0.0.5", ${port})))
c = ${tcp4}; t("low-port", lambda: c.bind(("127.0.0.1", 1000)))
d = ${tcp4}; t("any", lambda: d.bind(("0.0.0.0", ${port})))
`);
    expect(r.out).toMatchObject({ lo: "OK", lo5: "OK", "low-port": "EADDRNOTAVAIL", any: "EADDRNOTAVAIL" });
    expect(reported(r.stderr, "bind(inet:0.0.0.0@" + port + ")")).toBe(true);
  });

  test("IPv6: LOOPBACK6@1024-65535 allows ::1 high ports", async () => {
    const r = await py(deny("allowlist/network/bind+LOOPBACK6@1024-65535"), `
a = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); t("v6", lambda: a.bind(("::1", 0)))
b = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); t("v6-high", lambda: b.bind(("::1", 45678)))
c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); t("v6-low", lambda: c.bind(("::1", 1000)))
`);
    // Port 0 is not in 1024-65535: the alias does not cover it.
    expect(r.out).toMatchObject({ v6: "EADDRNOTAVAIL", "v6-high": "OK", "v6-low": "EADDRNOTAVAIL" });
    expect(reported(r.stderr, "bind(inet6:::1@0)")).toBe(true);
  });

  test("a bind the supervisor performs still fails as the kernel says (EADDRINUSE)", async () => {
    const srv = tcpServer();
    try {
      const r = await py(deny("allowlist/network/bind+LOOPBACK@1024-65535"), `
a = ${tcp4}; t("inuse", lambda: a.bind(("127.0.0.1", ${srv.port})))
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
sa = struct.pack("!HH4s8x", socket.AF_INET, 40123, bytes([127, 0, 0, 1]))
sa = struct.pack("=H", socket.AF_INET) + sa[2:]
def raw_bind(fd):
    rc = libc.bind(fd, sa, len(sa))
    return "OK" if rc == 0 else errno.errorcode[ctypes.get_errno()]
print("notsock=" + raw_bind(os.open("/dev/null", os.O_RDONLY)))
print("badfd=" + raw_bind(999))
`);
      expect(r.out.inuse).toBe("EADDRINUSE");
      expect(r.out.notsock).toBe("ENOTSOCK");
      expect(r.out.badfd).toBe("EBADF");
      expect(reports(r.stderr)).toBe(0);
    } finally { srv.stop(); }
  });
});

describe("connect", () => {
  test("denied: ECONNREFUSED, reported as connect(inet:127.0.0.1@PORT), nothing reaches the server", async () => {
    const srv = tcpServer();
    try {
      const r = await py(deny(), `c = ${tcp4}\nt("connect", lambda: c.connect(("127.0.0.1", ${srv.port})))\n`);
      expect(r.out.connect).toBe("ECONNREFUSED");
      expect(reported(r.stderr, `connect(inet:127.0.0.1@${srv.port})`)).toBe(true);
      expect(r.stderr).toMatch(/^sydbox: proc: python3[.0-9]*\[\d+\] \(parent:\d+\)$/m);
    } finally { srv.stop(); }
  });

  test("allowed: the connection is made and data arrives", async () => {
    const srv = tcpServer();
    try {
      const r = await py(deny(`allowlist/network/connect+inet:127.0.0.1@${srv.port}`), `
c = ${tcp4}
t("connect", lambda: c.connect(("127.0.0.1", ${srv.port})))
t("send", lambda: c.sendall(b"hello-allowed"))
c.close()
`);
      expect(r.out).toMatchObject({ connect: "OK", send: "OK" });
      expect(await srv.waitFor("hello-allowed")).toBe(true);
      expect(reports(r.stderr)).toBe(0);
    } finally { srv.stop(); }
  });

  test("filter/network denies without a report", async () => {
    const srv = tcpServer();
    try {
      const r = await py(deny(`filter/network+inet:127.0.0.1@${srv.port}`), `c = ${tcp4}\nt("connect", lambda: c.connect(("127.0.0.1", ${srv.port})))\n`);
      expect(r.out.connect).toBe("ECONNREFUSED");
      expect(reports(r.stderr)).toBe(0);
    } finally { srv.stop(); }
  });

  test("allow mode: only the denylisted address is refused", async () => {
    const a = tcpServer(), b = tcpServer();
    try {
      const r = await py(["-m", "core/sandbox/network:allow", "-m", `denylist/network/connect+inet:127.0.0.1@${a.port}`], `
x = ${tcp4}; t("a", lambda: x.connect(("127.0.0.1", ${a.port})))
y = ${tcp4}; t("b", lambda: y.connect(("127.0.0.1", ${b.port})))
`);
      expect(r.out).toMatchObject({ a: "ECONNREFUSED", b: "OK" });
    } finally { a.stop(); b.stop(); }
  });

  test("the last matching rule decides", async () => {
    const srv = tcpServer();
    try {
      const r = await py(deny("allowlist/network/connect+LOOPBACK@0-65535", `denylist/network/connect+inet:127.0.0.1@${srv.port}`), `
x = ${tcp4}; t("denied", lambda: x.connect(("127.0.0.1", ${srv.port})))
`);
      expect(r.out.denied).toBe("ECONNREFUSED");
      const r2 = await py(deny(`denylist/network/connect+inet:127.0.0.1@${srv.port}`, "allowlist/network/connect+LOOPBACK@0-65535"), `
x = ${tcp4}; t("allowed", lambda: x.connect(("127.0.0.1", ${srv.port})))
`);
      expect(r2.out.allowed).toBe("OK");
    } finally { srv.stop(); }
  });

  test("IPv4-mapped IPv6: connect to ::ffff:127.0.0.1 is matched by an inet:127.0.0.1@PORT allow", async () => {
    const srv = tcpServer();
    try {
      const code = `c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)\nt("mapped", lambda: c.connect(("::ffff:127.0.0.1", ${srv.port})))\nt("send", lambda: c.sendall(b"via-mapped"))\n`;
      const ok = await py(deny(`allowlist/network/connect+inet:127.0.0.1@${srv.port}`), code);
      expect(ok.out).toMatchObject({ mapped: "OK", send: "OK" });
      expect(await srv.waitFor("via-mapped")).toBe(true);
      const no = await py(deny(), code);
      expect(no.out.mapped).toBe("ECONNREFUSED");
      expect(reported(no.stderr, `connect(inet6:::ffff:127.0.0.1@${srv.port})`)).toBe(true);
    } finally { srv.stop(); }
  });

  test("IPv6 ::1: allowed by inet6:::1@PORT, denied otherwise", async () => {
    const srv = tcpServer("::1");
    try {
      const code = `c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)\nt("v6", lambda: c.connect(("::1", ${srv.port})))\n`;
      expect((await py(deny(`allowlist/network/connect+inet6:::1@${srv.port}`), code)).out.v6).toBe("OK");
      const no = await py(deny(`allowlist/network/connect+inet:127.0.0.1@${srv.port}`), code);
      expect(no.out.v6).toBe("ECONNREFUSED");
      expect(reported(no.stderr, `connect(inet6:::1@${srv.port})`)).toBe(true);
    } finally { srv.stop(); }
  });

  test("connect with AF_UNSPEC (dissolving a UDP association) is let through", async () => {
    const r = await py(deny("core/allowlist/unsupported_socket_families:false", "allowlist/network/connect+inet:127.0.0.1@53"), `
u = ${udp4}
t("connect", lambda: u.connect(("127.0.0.1", 53)))
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
sa = struct.pack("=H14x", 0)
rc = libc.connect(u.fileno(), sa, len(sa))
print("unspec=" + ("OK" if rc == 0 else errno.errorcode[ctypes.get_errno()]))
`);
    expect(r.out).toMatchObject({ connect: "OK", unspec: "OK" });
  });
});

describe("sendto and sendmsg", () => {
  test("DNS to 127.0.0.1:53 only: sendto 127.0.0.1:53 goes out, 127.0.0.2:53 is refused", async () => {
    const r = await py(deny("allowlist/network/connect+inet:127.0.0.1@53"), `
u = ${udp4}
t("dns1", lambda: u.sendto(b"\\x12\\x34query", ("127.0.0.1", 53)))
t("dns2", lambda: u.sendto(b"\\x12\\x34query", ("127.0.0.2", 53)))
`);
    expect(r.out.dns1).toBe("OK:7");
    expect(r.out.dns2).toBe("ECONNREFUSED");
    expect(reported(r.stderr, "sendto(inet:127.0.0.2@53)")).toBe(true);
    expect(reports(r.stderr)).toBe(1);
  });

  test("sendto reaches an allowed UDP receiver", async () => {
    const rx = await udpServer();
    try {
      const r = await py(deny(`allowlist/network/connect+inet:127.0.0.1@${rx.port}`), `
u = ${udp4}
t("send", lambda: u.sendto(b"dgram-ok", ("127.0.0.1", ${rx.port})))
`);
      expect(r.out.send).toBe("OK:8");
      expect(await rx.waitFor("dgram-ok")).toBe(true);
    } finally { rx.stop(); }
  });

  test("sendmsg with an address is checked; without one (connected socket) it is not", async () => {
    const rx = await udpServer();
    try {
      const r = await py(deny(`allowlist/network/connect+inet:127.0.0.1@${rx.port}`), `
u = ${udp4}
t("msg-allowed", lambda: u.sendmsg([b"to-allowed"], [], 0, ("127.0.0.1", ${rx.port})))
t("msg-denied", lambda: u.sendmsg([b"abc"], [], 0, ("127.0.0.3", ${rx.port})))
c = ${udp4}
t("connect", lambda: c.connect(("127.0.0.1", ${rx.port})))
t("msg-connected", lambda: c.sendmsg([b"connected-msg"]))
t("send-connected", lambda: c.send(b"connected-send"))
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
t("pair-sendmsg", lambda: a.sendmsg([b"xy"]))
t("pair-recvmsg", lambda: b.recvmsg(16)[0].decode())
`);
      expect(r.out).toMatchObject({
        "msg-allowed": "OK:10", "msg-denied": "ECONNREFUSED", connect: "OK",
        "msg-connected": "OK:13", "send-connected": "OK:14", "pair-sendmsg": "OK:2", "pair-recvmsg": "OK:xy",
      });
      expect(reported(r.stderr, `sendmsg(inet:127.0.0.3@${rx.port})`)).toBe(true);
      expect(reports(r.stderr)).toBe(1);
      for (const m of ["to-allowed", "connected-msg", "connected-send"]) expect(await rx.waitFor(m)).toBe(true);
    } finally { rx.stop(); }
  });

  test("recvmsg is not checked: a stale denied address in msg_name does not block a receive", async () => {
    const r = await py(deny(), `
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
a.send(b"payload")
name = ctypes.create_string_buffer(struct.pack("=HH4s8x", socket.AF_INET, socket.htons(9), bytes([8, 8, 8, 8])), 16)
data = ctypes.create_string_buffer(32)
class iovec(ctypes.Structure): _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
class msghdr(ctypes.Structure): _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32), ("iov", ctypes.c_void_p), ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t), ("flags", ctypes.c_int)]
iov = iovec(ctypes.addressof(data), 32)
m = msghdr(ctypes.addressof(name), 16, ctypes.addressof(iov), 1, None, 0, 0)
n = libc.recvmsg(b.fileno(), ctypes.byref(m), 0)
print("recvmsg=" + (str(n) if n >= 0 else errno.errorcode[ctypes.get_errno()]))
`);
    expect(r.out.recvmsg).toBe("7");
    expect(reports(r.stderr)).toBe(0);
  });
});

describe("unix sockets", () => {
  test("unix:<tmp>/*.sock: bind by absolute and relative path, with the tracee's umask", async () => {
    const dir = join(tmp, "bind");
    require("node:fs").mkdirSync(dir);
    // Writes off: in their default bpf mode every unix path bind would be refused as a write.
    const r = await py(deny("core/sandbox/write:off", `allowlist/network/bind+unix:${dir}/*.sock`), `
os.umask(0o077)
a = socket.socket(socket.AF_UNIX); t("abs", lambda: a.bind(${JSON.stringify(dir + "/a.sock")}))
b = socket.socket(socket.AF_UNIX); t("other", lambda: b.bind(${JSON.stringify(dir + "/b.other")}))
c = socket.socket(socket.AF_UNIX); t("rel", lambda: c.bind("rel.sock"))
d = socket.socket(socket.AF_UNIX); t("reldenied", lambda: d.bind("rel.other"))
t("name", lambda: c.getsockname())
`, { cwd: dir });
    expect(r.out).toMatchObject({ abs: "OK", other: "EADDRNOTAVAIL", rel: "OK", reldenied: "EADDRNOTAVAIL" });
    expect(reported(r.stderr, `bind(unix:${dir}/b.other)`)).toBe(true);
    expect(reported(r.stderr, `bind(unix:${dir}/rel.other)`)).toBe(true);
    expect(existsSync(join(dir, "a.sock"))).toBe(true);
    expect(existsSync(join(dir, "rel.sock"))).toBe(true);
    expect(existsSync(join(dir, "b.other"))).toBe(false);
    // Created by the supervisor (successful_bind), but with the tracee's umask 077.
    expect(statSync(join(dir, "a.sock")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "rel.sock")).mode & 0o777).toBe(0o700);
  });

  test("unix:<tmp>/*.sock for connect, to servers outside the sandbox", async () => {
    const good = unixServer(join(tmp, "srv.sock"));
    const bad = unixServer(join(tmp, "srv.other"));
    try {
      const r = await py(deny(`allowlist/network/connect+unix:${tmp}/*.sock`), `
a = socket.socket(socket.AF_UNIX); t("good", lambda: a.connect(${JSON.stringify(tmp + "/srv.sock")})); a.sendall(b"unix-hello")
b = socket.socket(socket.AF_UNIX); t("bad", lambda: b.connect(${JSON.stringify(tmp + "/srv.other")}))
c = socket.socket(socket.AF_UNIX); t("relative", lambda: c.connect("srv.sock"))
d = socket.socket(socket.AF_UNIX); t("missing", lambda: d.connect(${JSON.stringify(tmp + "/nodir/x.sock")}))
`, { cwd: tmp });
      expect(r.out).toMatchObject({ good: "OK", bad: "ECONNREFUSED", relative: "OK", missing: "ENOENT" });
      expect(await good.waitFor("unix-hello")).toBe(true);
      expect(reported(r.stderr, `connect(unix:${tmp}/srv.other)`)).toBe(true);
      expect(reports(r.stderr)).toBe(1);
    } finally { good.stop(); bad.stop(); }
  });

  test("a blocking connect that waits for accept holds up no other call; then it connects, and a denied one is refused", async () => {
    // listen(0) queues one connection: a second blocking connect waits until the first is
    // accepted (a non-blocking one answers EAGAIN at once, made by the supervisor thread).
    // The tracee's server accepts only after its main thread's stat and create (both notified)
    // complete, so a supervisor that waited in that connect itself would deadlock the sandbox.
    const dir = join(tmp, "blocking");
    require("node:fs").mkdirSync(dir);
    const sock = JSON.stringify(join(dir, "srv.sock")), made = JSON.stringify(join(dir, "made"));
    const r = await py([...deny(`allowlist/network/bind+unix:${dir}/srv.sock`, `allowlist/network/connect+unix:${dir}/srv.sock`),
      "-m", "core/sandbox/write:deny", "-m", `allowlist/write+${dir}/***`], `
import threading, time
srv = socket.socket(socket.AF_UNIX); srv.bind(${sock}); srv.listen(0)
first = socket.socket(socket.AF_UNIX); t("first", lambda: first.connect(${sock}))
nb = socket.socket(socket.AF_UNIX); nb.setblocking(False); t("full", lambda: nb.connect(${sock}))
tid = []
def second():
    tid.append(threading.get_native_id())
    c = socket.socket(socket.AF_UNIX)
    t("nonblocking", lambda: c.getblocking() and "blocking")
    t("second", lambda: c.connect(${sock}))
    c.sendall(b"after-accept")
th = threading.Thread(target=second, daemon=True); th.start()
# Bounded: the thread is seen waiting in connect (syscall 42) within 10 s.
end = time.time() + 10
while time.time() < end:
    if tid and open("/proc/self/task/%d/syscall" % tid[0]).read().startswith("42 "): break
    time.sleep(0.01)
t("waiting", lambda: open("/proc/self/task/%d/syscall" % tid[0]).read().startswith("42 ") or "not-in-connect")
t("stat", lambda: os.stat(${JSON.stringify(dir)}) and None)
t("create", lambda: open(${made}, "w").close())
a, _ = srv.accept(); b, _ = srv.accept()
th.join(10)
t("joined", lambda: th.is_alive() and "still-waiting")
t("received", lambda: b.recv(100).decode())
d = socket.socket(socket.AF_UNIX); t("denied", lambda: d.connect(${JSON.stringify(join(dir, "other.sock"))}))
sys.stdout.flush(); os._exit(0)
`);
    expect(r.out).toMatchObject({
      first: "OK", full: "EAGAIN", nonblocking: "OK:blocking", waiting: "OK:True", stat: "OK", create: "OK",
      second: "OK", joined: "OK:False", received: "OK:after-accept", denied: "ECONNREFUSED",
    });
    expect(existsSync(join(dir, "made"))).toBe(true);
    expect(reported(r.stderr, `connect(unix:${dir}/other.sock)`)).toBe(true);
    expect(reports(r.stderr)).toBe(1);
  }, 30000);

  test("an unresolvable unix path fails with the lookup's errno, reported only with raise_fail", async () => {
    const code = `d = socket.socket(socket.AF_UNIX); t("missing", lambda: d.connect(${JSON.stringify(tmp + "/nodir/x.sock")}))\n`;
    const quiet = await py(deny(), code);
    expect(quiet.out.missing).toBe("ENOENT");
    expect(reports(quiet.stderr)).toBe(0);
    const loud = await py(deny("core/violation/raise_fail:true"), code);
    expect(loud.out.missing).toBe("ENOENT");
    expect(reported(loud.stderr, `connect(unix:${tmp}/nodir/x.sock)`)).toBe(true);
  });

  test("unix-abstract:name*: allowed names bind, others do not; autobind is allowed", async () => {
    const tag = `${process.pid}-${Date.now()}`;
    const r = await py(deny("allowlist/network/bind+unix-abstract:name*"), `
a = socket.socket(socket.AF_UNIX); t("allowed", lambda: a.bind("\\0name-${tag}"))
t("name", lambda: a.getsockname())
b = socket.socket(socket.AF_UNIX); t("denied", lambda: b.bind("\\0other-${tag}"))
c = socket.socket(socket.AF_UNIX); t("autobind", lambda: c.bind(""))
`);
    expect(r.out.allowed).toBe("OK");
    expect(r.out.name).toBe(`OK:b'\\x00name-${tag}'`);
    expect(r.out.denied).toBe("EADDRNOTAVAIL");
    expect(r.out.autobind).toBe("OK");
    expect(reported(r.stderr, `bind(unix-abstract:other-${tag})`)).toBe(true);
  });
});

describe("core/allowlist/successful_bind", () => {
  const selfConnect = (host: string, port: number | string, family = "AF_INET") => `
s = socket.socket(socket.${family}, socket.SOCK_STREAM)
t("bind", lambda: s.bind((${JSON.stringify(host)}, ${port})))
s.listen(4)
port = s.getsockname()[1]
print("port=" + str(port), flush=True)
c = socket.socket(socket.${family}, socket.SOCK_STREAM)
t("self", lambda: c.connect((${JSON.stringify(host)}, port)))
pid = os.fork()
if pid == 0:
    k = socket.socket(socket.${family}, socket.SOCK_STREAM)
    t("child", lambda: k.connect((${JSON.stringify(host)}, port)))
    os._exit(0)
os.waitpid(pid, 0)
`;

  test("port 0: the real port is allowed for connect, in this process and its children", async () => {
    const r = await py(deny("allowlist/network/bind+LOOPBACK@0"), selfConnect("127.0.0.1", 0));
    expect(Number(r.out.port)).toBeGreaterThan(0);
    expect(r.out).toMatchObject({ bind: "OK", self: "OK", child: "OK" });
    expect(reports(r.stderr)).toBe(0);
  });

  test("port 0 with successful_bind:false: the connect is refused", async () => {
    const r = await py(deny("core/allowlist/successful_bind:false", "allowlist/network/bind+LOOPBACK@0"), selfConnect("127.0.0.1", 0));
    expect(r.out.bind).toBe("OK");
    expect(Number(r.out.port)).toBeGreaterThan(0);
    expect(r.out.self).toBe("ECONNREFUSED");
    expect(r.out.child).toBe("ECONNREFUSED");
    expect(reported(r.stderr, `connect(inet:127.0.0.1@${r.out.port})`)).toBe(true);
  });

  test("a fixed port is allowed after its bind, and only that port", async () => {
    const port = freePort();
    const r = await py(deny("allowlist/network/bind+LOOPBACK@1024-65535"), selfConnect("127.0.0.1", port) + `
o = socket.socket(); t("other", lambda: o.connect(("127.0.0.1", ${port === 65535 ? 65534 : port + 1})))
`);
    expect(r.out).toMatchObject({ bind: "OK", port: String(port), self: "OK", child: "OK", other: "ECONNREFUSED" });
    const off = await py(deny("core/allowlist/successful_bind:false", "allowlist/network/bind+LOOPBACK@1024-65535"), selfConnect("127.0.0.1", freePort()));
    expect(off.out).toMatchObject({ bind: "OK", self: "ECONNREFUSED" });
  });

  test("IPv6 ::1 port 0, and a wildcard bind allows loopback connects to its port", async () => {
    const v6 = await py(deny("allowlist/network/bind+LOOPBACK6@0"), selfConnect("::1", 0, "AF_INET6"));
    expect(v6.out).toMatchObject({ bind: "OK", self: "OK", child: "OK" });
    const any = await py(deny("allowlist/network/bind+inet:0.0.0.0@0"), `
s = ${tcp4}; t("bind", lambda: s.bind(("0.0.0.0", 0))); s.listen(1)
port = s.getsockname()[1]
c = ${tcp4}; t("lo", lambda: c.connect(("127.0.0.1", port)))
`);
    expect(any.out).toMatchObject({ bind: "OK", lo: "OK" });
  });

  test("a bind from a non-leader thread is performed in the right process", async () => {
    const r = await py(deny("allowlist/network/bind+LOOPBACK@0"), `
import threading
s = ${tcp4}
th = threading.Thread(target=lambda: t("bind", lambda: s.bind(("127.0.0.1", 0))))
th.start(); th.join()
s.listen(1)
port = s.getsockname()[1]
print("port=" + str(port), flush=True)
c = ${tcp4}; t("self", lambda: c.connect(("127.0.0.1", port)))
`);
    expect(Number(r.out.port)).toBeGreaterThan(0);
    expect(r.out).toMatchObject({ bind: "OK", self: "OK" });
  });

  test("a unix socket bound in the sandbox can be connected to", async () => {
    const dir = join(tmp, "sb");
    require("node:fs").mkdirSync(dir);
    const code = `
s = socket.socket(socket.AF_UNIX); t("bind", lambda: s.bind("me.sock")); s.listen(1)
c = socket.socket(socket.AF_UNIX); t("self", lambda: c.connect(${JSON.stringify(dir + "/me.sock")}))
`;
    const r = await py(deny("core/sandbox/write:off", `allowlist/network/bind+unix:${dir}/*`), code, { cwd: dir });
    expect(r.out).toMatchObject({ bind: "OK", self: "OK" });
    rmSync(join(dir, "me.sock"));
    const off = await py(deny("core/sandbox/write:off", "core/allowlist/successful_bind:false", `allowlist/network/bind+unix:${dir}/*`), code, { cwd: dir });
    expect(off.out).toMatchObject({ bind: "OK", self: "ECONNREFUSED" });
  });
});

describe("unsupported socket families", () => {
  const netlink = `
n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
t("bind", lambda: n.bind((0, 0)))
hdr = struct.pack("=IHHII", 16, 3, 1, 1, 0)  # a bare NLMSG_DONE
t("sendto", lambda: n.sendto(hdr, (0, 0)))
`;
  test("AF_NETLINK passes with core/allowlist/unsupported_socket_families:true (the default)", async () => {
    const r = await py(deny(), netlink);
    expect(r.out.bind).toBe("OK");
    expect(r.out.sendto).toBe("OK:16");
    expect(reports(r.stderr)).toBe(0);
  });

  test("AF_NETLINK gets EAFNOSUPPORT with the switch off", async () => {
    const r = await py(deny("core/allowlist/unsupported_socket_families:false"), netlink);
    expect(r.out).toMatchObject({ bind: "EAFNOSUPPORT", sendto: "EAFNOSUPPORT" });
    expect(reported(r.stderr, "bind(family:16)")).toBe(true);
    expect(reported(r.stderr, "sendto(family:16)")).toBe(true);
  });
});

describe("--profile paludis", () => {
  test("binds loopback high ports and port 0, refuses a connect to a non-allowed loopback port", async () => {
    const srv = tcpServer();
    const port = freePort();
    try {
      const r = await py(["--profile", "paludis"], `
a = ${tcp4}; t("bind0", lambda: a.bind(("127.0.0.1", 0)))
b = ${tcp4}; t("bindhigh", lambda: b.bind(("127.0.0.1", ${port})))
v = socket.socket(socket.AF_INET6); t("bind6", lambda: v.bind(("::1", 0)))
l = ${tcp4}; t("bindlow", lambda: l.bind(("127.0.0.1", 1023)))
e = ${tcp4}; t("bindext", lambda: e.bind(("0.0.0.0", ${port})))
c = ${tcp4}; t("connect", lambda: c.connect(("127.0.0.1", ${srv.port})))
`);
      expect(r.out).toMatchObject({ bind0: "OK", bindhigh: "OK", bind6: "OK", bindlow: "EADDRNOTAVAIL", bindext: "EADDRNOTAVAIL", connect: "ECONNREFUSED" });
      expect(reported(r.stderr, `connect(inet:127.0.0.1@${srv.port})`)).toBe(true);
      expect(srv.received()).toBe("");
    } finally { srv.stop(); }
  });
});
