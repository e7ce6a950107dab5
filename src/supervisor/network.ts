/**
 * The network engine: bind (the bind group) and connect, sendto, sendmsg, sendmmsg (the
 * connect group), as in SydBox 2.
 *
 * - The address is read from tracee memory (a `struct sockaddr` argument, the msg_name of
 *   a `struct msghdr`, or of each `struct mmsghdr` of sendmmsg's vector) and decoded; unix
 *   paths are resolved in the caller's cwd, abstract names are `unix-abstract:`.
 * - No address (sendto/sendmsg on a connected socket) is no new destination: not checked
 *   (with emulation a nameless sendmsg is still sent by the supervisor: emulate/send.ts).
 * - The last matching rule of the group decides, else the mode (sandbox.ts). A denied bind
 *   gets EADDRNOTAVAIL, a denied connect or send ECONNREFUSED, both reported as
 *   `connect(inet:1.2.3.4@80)` unless a filter/network pattern matches.
 * - Families other than unix, inet and inet6 (netlink, packet...) get EAFNOSUPPORT, a
 *   violation, unless core/allowlist/unsupported_socket_families (default true) lets them by.
 * - core/allowlist/successful_bind: an allowed bind is performed by the supervisor and its
 *   address allowed for connect afterwards (bind.ts).
 * - sendmmsg: every entry up to vlen (capped at UIO_MAXIOV, as the kernel caps it) is
 *   checked like one sendmsg, and one denied entry denies the whole call, before anything
 *   is sent. The kernel would have sent the entries before it and returned their count;
 *   refusing all of them keeps a denied destination from costing the tracee nothing but a
 *   short count, and a checked vector from being half sent. The check stops only at an
 *   entry whose header is unreadable, where the kernel stops too (EFAULT).
 *
 * Deliberate differences from 2.0.1:
 * - recvmsg is not checked. Its msg_name is an output buffer the kernel never reads; 2.0.1
 *   checked whatever it held (often the previous sender's address), denying receives
 *   at random. It is not in the syscall table, so the filter never sends it here.
 * - sendmmsg is checked (2.0.1 did not look at it, an open door under an allowlist).
 * - connect with AF_UNSPEC (dissolving a UDP/TCP association) is let through: it is not a
 *   destination, and refusing it broke UDP clients when unsupported families were off.
 * - An unnamed unix bind (autobind: the kernel picks a fresh abstract name) is allowed; it
 *   cannot take over an existing address.
 * - A unix path that fails to resolve fails with the lookup's errno, as the kernel would
 *   (a violation only with core/violation/raise_fail).
 *
 * i386's socketcall reaches this engine demultiplexed (syscall-index.ts), and 32-bit
 * callers' msghdr and mmsghdr are read in their compat layouts.
 *
 * Emulation (core/trace/emulate, the default): bind, connect and the sends are performed by
 * the supervisor with the checked bytes (bind.ts, emulate/connect.ts, emulate/send.ts), so a
 * tracee thread that rewrites the sockaddr after the check changes nothing. A nameless
 * sendmsg or sendmmsg entry is sent there too (a msghdr in memory can gain an address after
 * the check), and an address the kernel would refuse (too short, unreadable) is answered
 * from the bytes read, where a CONTINUE would let the kernel read new ones. A bind of an
 * unsupported family is made by the supervisor too (a netlink nl_pid 0 becomes the tracee's
 * pid, the port id the kernel would have tried first for it).
 */
import { Errno } from "../errors";
import { AF_UNSPEC, decodeSockaddr, formatAddress, type SockAddr, type UnsupportedSockAddr } from "../policy/sockaddr";
import { resolvePath } from "../path/resolve";
import { pathCall } from "../report/violation";
import type { AddrArg, SyscallRow } from "../syscalls/table";
import { bindFor, boundAddresses, unixSockaddr } from "./bind";
import type { Dispatcher } from "./dispatch";
import { connectFor } from "./emulate/connect";
import { sendFor, sendVectorFor, type SendEntry } from "./emulate/send";
import { tgidOf } from "./signals";

/** The kernel caps socket addresses at sizeof(struct sockaddr_storage). */
const SOCKADDR_STORAGE = 128;
/** 64-bit struct msghdr: name, namelen (i32, at 8), iov, iovlen, control, controllen, flags. */
const MSGHDR_SIZE = 56;
/** Compat (i386, x32) struct msghdr: the same fields, pointers and lengths 32 bits wide. */
const COMPAT_MSGHDR_SIZE = 28;
/** 64-bit struct mmsghdr: a 56-byte struct msghdr, msg_len (u32), padding to 8. */
const MMSGHDR_SIZE = 64;
/** Compat struct mmsghdr: a 28-byte compat msghdr and msg_len, no padding. */
const COMPAT_MMSGHDR_SIZE = 32;
/** sendmmsg handles at most UIO_MAXIOV entries, whatever vlen says. */
const UIO_MAXIOV = 1024;
const P32 = 4294967296;

/**
 * The raw address a call names: bytes, "none" (no address), an errno the kernel will
 * answer without using an address (0: one it finds itself, reading nothing a racing
 * thread could change: a length under 2), "unreadable" (a msghdr the kernel cannot read:
 * EFAULT), or "gone".
 */
type Raw = Uint8Array | "none" | number | "unreadable" | "gone";

/** The `len` bytes of a sockaddr at `addr`, copied (the reader's buffer is reused by the next read). */
function readName(d: Dispatcher, addr: number, len: number): Raw {
  if (len < 2) return 0;
  const bytes = d.readBytes(addr, len);
  if (bytes === null) return d.n.idValid() ? Errno.EFAULT : "gone";
  return new Uint8Array(bytes); // a copy: Buffer.slice would be a view
}

/** The rest of a struct msghdr, for the sends emulation performs (emulate/send.ts). */
export interface MsgHdr {
  iov: number;
  iovlen: number;
  control: number;
  controllen: number;
}

/** The msg_name of the struct msghdr at `msg`, in the caller's layout; its other fields into `hdr`. */
function readMsgName(d: Dispatcher, msg: number, hdr: MsgHdr): Raw {
  const n = d.n;
  if (msg === 0) return "unreadable";
  const compat = n.compat;
  const size = compat ? COMPAT_MSGHDR_SIZE : MSGHDR_SIZE;
  const head = d.readBytes(msg, size);
  if (head === null) return n.idValid() ? "unreadable" : "gone";
  const v = new DataView(head.buffer, head.byteOffset, size);
  const word = (at: number) => (compat ? v.getUint32(at / 2, true) : v.getUint32(at, true) + v.getUint32(at + 4, true) * P32);
  const addr = word(0);
  const len = v.getInt32(compat ? 4 : 8, true);
  hdr.iov = word(16); hdr.iovlen = word(24); hdr.control = word(32); hdr.controllen = word(40);
  // As copy_msghdr_from_user: no name or a zero length means no address, a longer one is capped.
  if (addr === 0 || len === 0) return "none";
  if (len < 0) return Errno.EINVAL;
  // A one-byte name decodes as nothing, but the kernel still gets it: keep the byte.
  if (len === 1) { const b = d.readBytes(addr, 1); return b === null ? (n.idValid() ? Errno.EFAULT : "gone") : new Uint8Array(b); }
  return readName(d, addr, Math.min(len, SOCKADDR_STORAGE));
}

const hdr: MsgHdr = { iov: 0, iovlen: 0, control: 0, controllen: 0 };

function readRaw(d: Dispatcher, where: AddrArg & { kind: "sockaddr" | "msghdr" }): Raw {
  const n = d.n;
  if (where.kind === "msghdr") return readMsgName(d, n.arg(where.msg), hdr);
  const addr = n.arg(where.addr);
  const len = n.argInt(where.len);
  if (addr === 0) return "none"; // sendto on a connected socket; EFAULT for bind/connect
  if (len < 0 || len > SOCKADDR_STORAGE) return Errno.EINVAL;
  return readName(d, addr, len);
}

/** What `judge` found: the address may pass (as `subject`, or unchecked), or the call is answered. */
type Judged = SockAddr | "unchecked" | "answered";

/**
 * Decides one decoded address of a call of `row`. A denial (or a failed unix lookup) answers
 * the notification; an allowed address is returned, resolved, for the caller to act on.
 */
function judge(d: Dispatcher, row: SyscallRow, a: SockAddr | UnsupportedSockAddr): Judged {
  const n = d.n;
  const sb = d.sandboxOf(n.pid);
  const bind = row.category === "bind";

  if (a.family === "unsupported") {
    if (a.af === AF_UNSPEC && row.name === "connect") return "unchecked";
    if (sb.cfg.core.allowlist.unsupported_socket_families) return "unchecked";
    d.deny<SockAddr>(bind ? "bind" : "connect", `${row.name}(family:${a.af})`, () => false, Errno.EAFNOSUPPORT);
    return "answered";
  }

  let subject: SockAddr = a;
  if (a.family === "unix" && a.path !== "") {
    // bind creates the last component (an existing symlink there is EADDRINUSE); connect
    // and sends follow a symlink to the socket.
    const res = resolvePath(n.pid, "cwd", a.path, bind ? "nofollow" : "missing-ok");
    if (!res.ok) {
      if (res.errno === Errno.ESRCH && !n.idValid()) return "answered";
      if (!sb.cfg.core.violation.raise_fail) n.fail(res.errno);
      else d.deny<SockAddr>(bind ? "bind" : "connect", `${row.name}(${formatAddress(a)})`, (f) => f(a), res.errno);
      return "answered";
    }
    subject = { family: "unix", path: res.path };
  }

  // A unix bind creates a socket file: a write of its path, whatever the network lists say,
  // where write sandboxing has lists (deny, allow; bpf mode, as in SydBox 2, leaves binds be).
  const wm = sb.mode("write");
  if (bind && subject.family === "unix" && a.family === "unix" && a.path !== "" && (wm === "deny" || wm === "allow") && !sb.allows("write", subject.path)) {
    const path = subject.path;
    d.deny("write", pathCall(row.name, [path]), (f: (s: string) => boolean) => f(path), Errno.EACCES);
    return "answered";
  }
  const autobind = bind && a.family === "unix" && a.path === "";
  const allowed = autobind
    || sb.allows(bind ? "bind" : "connect", subject)
    || (!bind && boundAddresses(d).has(subject));
  if (!allowed) {
    // bpf mode: the kernel's EPERM, as if the filter had answered (a bind is sent for the write check).
    const errno = sb.mode("bind") === "bpf" ? Errno.EPERM : bind ? Errno.EADDRNOTAVAIL : Errno.ECONNREFUSED;
    d.deny<SockAddr>(bind ? "bind" : "connect", `${row.name}(${formatAddress(subject)})`, (f) => f(subject), errno);
    return "answered";
  }
  return subject;
}

/** The checked canonical unix path to reach, for a decoded address `a` judged as `subject`; else null. */
function unixPathOf(a: SockAddr | UnsupportedSockAddr, subject: Judged): string | null {
  return subject !== "unchecked" && subject !== "answered" && subject.family === "unix" && a.family === "unix" && a.path !== "" ? subject.path : null;
}

/**
 * sendmmsg: every entry's msg_name is judged; the first denial answers for the whole call.
 * With emulation the checked entries are then sent by emulate/send.ts.
 */
function checkVector(d: Dispatcher, row: SyscallRow, where: AddrArg & { kind: "mmsghdr" }): void {
  const n = d.n;
  const vec = n.arg(where.vec);
  const vlen = Math.min(n.argU32(where.vlen), UIO_MAXIOV);
  const size = n.compat ? COMPAT_MMSGHDR_SIZE : MMSGHDR_SIZE;
  const entries: SendEntry[] | null = d.sandboxOf(n.pid).cfg.core.trace.emulate ? [] : null;
  let faulted = false;
  for (let i = 0; i < vlen; i++) {
    const h: MsgHdr = entries === null ? hdr : { iov: 0, iovlen: 0, control: 0, controllen: 0 };
    const raw = readMsgName(d, vec + i * size, h);
    if (raw === "gone") return;
    // The kernel stops at an unreadable entry: nothing after it is sent.
    if (raw === "unreadable") { faulted = true; break; }
    // An entry the kernel may refuse is skipped, not a stop: some protocols ignore msg_name,
    // and checking later entries can only deny more.
    let unixPath: string | null = null;
    if (raw instanceof Uint8Array) {
      const a = decodeSockaddr(raw, raw.length);
      const subject = a === null ? "unchecked" : judge(d, row, a);
      if (subject === "answered") return;
      if (a !== null) unixPath = unixPathOf(a, subject);
    }
    entries?.push({ name: raw instanceof Uint8Array ? raw : null, errno: typeof raw === "number" ? raw : 0, unixPath, hdr: h, lenAt: vec + i * size + (n.compat ? COMPAT_MSGHDR_SIZE : MSGHDR_SIZE) });
  }
  if (entries === null) return n.continue();
  sendVectorFor(d, where.send, entries, faulted && entries.length === 0);
}

/** Lets an allowed connect go on: CONTINUE, or with emulation the connect done here. */
function pass(d: Dispatcher, emulate: boolean, raw: Uint8Array, unixPath: string | null): void {
  if (emulate) connectFor(d, d.n.argInt(0), raw, unixPath);
  else d.n.continue();
}

const AF_NETLINK = 16;
/**
 * A netlink bind with nl_pid 0 asks the kernel for a port id, which it takes from the
 * binding process's pid: in the supervisor's bind that would be sydbox's. A copy naming the
 * tracee's own pid instead, which is what the kernel would have tried first for it.
 */
function ownNetlinkPort(d: Dispatcher, raw: Uint8Array): Uint8Array {
  if (raw.length < 12 || (raw[0] | (raw[1] << 8)) !== AF_NETLINK) return raw;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
  if (v.getUint32(4, true) !== 0) return raw;
  const tgid = tgidOf(d.n.pid);
  if (tgid === 0) return raw;
  const copy = raw.slice();
  new DataView(copy.buffer).setUint32(4, tgid, true);
  return copy;
}

/** Decides a call of a row with an address argument. */
export function checkAddress(d: Dispatcher, row: SyscallRow): void {
  const n = d.n;
  const where = row.addr!;
  if (where.kind === "mmsghdr") return checkVector(d, row, where);
  const sb = d.sandboxOf(n.pid);
  const bind = row.category === "bind";
  // Emulation (core/trace/emulate): bind, connect and the sends are performed on the checked bytes.
  const emulate = sb.cfg.core.trace.emulate;
  const send = where.send;
  const raw = readRaw(d, where);
  if (raw === "gone") return;
  if (emulate && send !== undefined && where.kind === "msghdr" && typeof raw !== "string" && !(raw instanceof Uint8Array)) {
    // The whole msghdr is read again by the kernel: even its errors are answered here.
    return n.fail(raw === 0 ? Errno.EINVAL : raw);
  }
  if (raw === "unreadable") return emulate ? n.fail(Errno.EFAULT) : n.continue();
  if (typeof raw === "number") {
    // A CONTINUE would let the kernel read an address a racing thread has just mapped:
    // with emulation its errno is answered here, unless the kernel reads nothing (0).
    return emulate && raw !== 0 ? n.fail(raw) : n.continue();
  }
  if (raw === "none") {
    // sendto's address is a register, NULL: nothing to race. A msghdr's is memory.
    return emulate && send !== undefined && where.kind === "msghdr" ? sendFor(d, send, null, null, hdr) : n.continue();
  }
  const a = decodeSockaddr(raw, raw.length);
  // Too short for its family: the kernel will say EINVAL, but on bytes it reads again, which
  // a racing thread may have made a valid address meanwhile. Emulation uses the bytes read.
  const subject = a === null ? "unchecked" : judge(d, row, a);
  if (subject === "answered") return;
  if (a === null && !emulate) return n.continue();
  const unixPath = a === null ? null : unixPathOf(a, subject);
  if (send !== undefined) return emulate ? sendFor(d, send, raw, unixPath, where.kind === "msghdr" ? hdr : null) : n.continue();
  if (!bind) return pass(d, emulate, raw, unixPath);
  const recordBind = sb.cfg.core.allowlist.successful_bind;
  if (!recordBind && !emulate) return n.continue();
  if (subject === "unchecked" || a === null) {
    // An unsupported family, or a too short address: the supervisor binds the bytes read (it
    // fails as the kernel's would), where a CONTINUE lets the kernel read new ones, perhaps
    // of a family that is checked.
    if (!emulate) return n.continue();
    const own = ownNetlinkPort(d, raw);
    let out = bindFor(d, n.argInt(0), own, false);
    // That port is taken: the kernel then picks one, as for the tracee's own nl_pid 0.
    if (own !== raw && out.kind === "done" && out.errno === Errno.EADDRINUSE) out = bindFor(d, n.argInt(0), raw, false);
    if (out.kind === "gone") return;
    if (out.kind === "unavailable") return n.fail(out.errno);
    return out.errno !== 0 ? n.fail(out.errno) : n.succeed(0);
  }

  // successful_bind or emulation: bind on the tracee's behalf (and remember the address it got).
  const autobind = a.family === "unix" && a.path === "";
  let bytes: Uint8Array | null = raw;
  if (subject.family === "unix" && !autobind) bytes = a.family === "unix" && subject.path === a.path ? raw : unixSockaddr(subject.path);
  // The resolved path does not fit sun_path: the kernel would bind the tracee's (relative) bytes
  // unrecorded; with emulation that CONTINUE would let it read new ones: refused.
  if (bytes === null) return emulate ? n.fail(Errno.ENAMETOOLONG) : n.continue();
  const out = bindFor(d, n.argInt(0), bytes, subject.family === "unix" && !autobind);
  if (out.kind === "gone") return;
  if (out.kind === "unavailable") return emulate ? n.fail(out.errno) : n.continue();
  if (out.errno !== 0) return n.fail(out.errno);
  if (out.bound && recordBind) boundAddresses(d).add(out.bound);
  n.succeed(0);
}
