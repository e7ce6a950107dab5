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
 *   address allowed for connect afterwards (bind.ts), by every process of this supervisor.
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
import { AF_NETLINK, decodeSockaddr } from "../policy/sockaddr";
import type { AddrArg, SyscallRow } from "../syscalls/table";
import { bindFor, BoundAddresses, unixSockaddr, type BindOutcome } from "./bind";
import type { Call } from "./call";
import { checkAddress, type CheckedAddress, type CheckedPath } from "./checked";
import { openParent, type Parent } from "./emulate/canonical";
import { connectFor } from "./emulate/connect";
import { sendFor, sendVectorFor, type MsgHdr, type SendEntry } from "./emulate/send";
import { SOCKADDR_STORAGE } from "../../ffi/constants";
import { close as closeFd } from "../../ffi/fsops";
import { P32 } from "../../ffi/pointer";
import { tgidOf } from "./signals";
import { CONTINUE, fail, GONE, succeed, type Answer, type Gone, type Verdict } from "./verdict";

/** A bind's pinned parent directory (emulate/canonical.ts). */
const parent: Parent = { fd: -1, name: "" };

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

/** No address: sendto/sendmsg on a connected socket (or a NULL one, EFAULT for bind/connect). */
interface NoName { readonly kind: "no-name" }
/** A struct msghdr the kernel cannot read: it answers EFAULT. */
interface UnreadableHeader { readonly kind: "unreadable-header" }
/**
 * An address the kernel will refuse without using it, with `errno`; 0 when it finds the
 * error itself, reading nothing a racing thread could change (a length under 2).
 */
interface KernelErrno { readonly kind: "kernel-errno"; readonly errno: number }

/** The raw address a call names: its bytes, or why there are none (GONE: the call is no longer pending). */
type Raw = Uint8Array | NoName | UnreadableHeader | KernelErrno | Gone;

const NO_NAME: NoName = Object.freeze({ kind: "no-name" });
const UNREADABLE_HEADER: UnreadableHeader = Object.freeze({ kind: "unreadable-header" });
const errnos: KernelErrno[] = [];
/** Made once per errno. */
const kernelErrno = (errno: number): KernelErrno => (errnos[errno] ??= Object.freeze({ kind: "kernel-errno", errno }));

/** The `len` bytes of a sockaddr at `addr`, copied (the reader's buffer is reused by the next read). */
function readName(c: Call, addr: number, len: number): Raw {
  if (len < 2) return kernelErrno(0);
  const bytes = c.readBytes(addr, len);
  if (bytes === null) return c.idValid() ? kernelErrno(Errno.EFAULT) : GONE;
  return new Uint8Array(bytes); // a copy: Buffer.slice would be a view
}


/** The msg_name of the struct msghdr at `msg`, in the caller's layout; its other fields into `hdr`. */
function readMsgName(c: Call, msg: number, hdr: MsgHdr): Raw {
  if (msg === 0) return UNREADABLE_HEADER;
  const compat = c.compat;
  const size = compat ? COMPAT_MSGHDR_SIZE : MSGHDR_SIZE;
  const head = c.readBytes(msg, size);
  if (head === null) return c.idValid() ? UNREADABLE_HEADER : GONE;
  const v = new DataView(head.buffer, head.byteOffset, size);
  const word = (at: number) => (compat ? v.getUint32(at / 2, true) : v.getUint32(at, true) + v.getUint32(at + 4, true) * P32);
  const addr = word(0);
  const len = v.getInt32(compat ? 4 : 8, true);
  hdr.iov = word(16); hdr.iovlen = word(24); hdr.control = word(32); hdr.controllen = word(40);
  // As copy_msghdr_from_user: no name or a zero length means no address, a longer one is capped.
  if (addr === 0 || len === 0) return NO_NAME;
  if (len < 0) return kernelErrno(Errno.EINVAL);
  // A one-byte name decodes as nothing, but the kernel still gets it: keep the byte.
  if (len === 1) { const b = c.readBytes(addr, 1); return b === null ? (c.idValid() ? kernelErrno(Errno.EFAULT) : GONE) : new Uint8Array(b); }
  return readName(c, addr, Math.min(len, SOCKADDR_STORAGE));
}

const hdr: MsgHdr = { iov: 0, iovlen: 0, control: 0, controllen: 0 };

function readRaw(c: Call, where: AddrArg & { kind: "sockaddr" | "msghdr" }): Raw {
  if (where.kind === "msghdr") return readMsgName(c, c.arg(where.msg), hdr);
  const addr = c.arg(where.addr);
  const len = c.argInt(where.len);
  if (addr === 0) return NO_NAME; // sendto on a connected socket; EFAULT for bind/connect
  if (len < 0 || len > SOCKADDR_STORAGE) return kernelErrno(Errno.EINVAL);
  return readName(c, addr, len);
}

/** A judged address to act on (not a verdict, not "unchecked"). */
const passed = (j: CheckedAddress | "unchecked" | Verdict): j is CheckedAddress => j !== "unchecked" && "subject" in j;

/** The network engine of one supervisor thread, and the addresses its successful binds recorded. */
export class NetworkEngine {
  /** core/allowlist/successful_bind: addresses bound, allowed for connect by every process. */
  readonly bound = new BoundAddresses();

  /** The verdict on call `c` of `row`, a row with an address argument. */
  check(c: Call, row: SyscallRow): Verdict {
    const where = row.addr!;
    if (where.kind === "mmsghdr") return this.checkVector(c, row, where);
    const sb = c.sandbox;
    const bind = row.category === "bind";
    // Emulation (core/trace/emulate): bind, connect and the sends are performed on the checked bytes.
    const emulate = sb.cfg.core.trace.emulate;
    const send = where.send;
    const raw = readRaw(c, where);
    if (!(raw instanceof Uint8Array)) {
      switch (raw.kind) {
        case "gone": return GONE;
        case "no-name":
          // sendto's address is a register, NULL: nothing to race. A msghdr's is memory.
          return emulate && send !== undefined && where.kind === "msghdr" ? sendFor(c, send, null, null, hdr) : CONTINUE;
        case "unreadable-header": return emulate ? fail(Errno.EFAULT) : CONTINUE;
        case "kernel-errno":
          // The whole msghdr is read again by the kernel: even its errors are answered here.
          if (emulate && send !== undefined && where.kind === "msghdr") return fail(raw.errno === 0 ? Errno.EINVAL : raw.errno);
          // A CONTINUE would let the kernel read an address a racing thread has just mapped:
          // with emulation its errno is answered here, unless the kernel reads nothing (0).
          return emulate && raw.errno !== 0 ? fail(raw.errno) : CONTINUE;
      }
    }
    const a = decodeSockaddr(raw, raw.length);
    // Too short for its family: the kernel will say EINVAL, but on bytes it reads again, which
    // a racing thread may have made a valid address meanwhile. Emulation uses the bytes read.
    const judged = a === null ? "unchecked" : checkAddress(c, row, a, this.bound);
    if (judged !== "unchecked" && !passed(judged)) return judged;
    if (a === null && !emulate) return CONTINUE;
    const unixPath = passed(judged) ? judged.unixPath : null;
    if (send !== undefined) return emulate ? sendFor(c, send, raw, unixPath, where.kind === "msghdr" ? hdr : null) : CONTINUE;
    if (!bind) return emulate ? connectFor(c, c.argInt(0), raw, unixPath) : CONTINUE;
    const recordBind = sb.cfg.core.allowlist.successful_bind;
    if (!recordBind && !emulate) return CONTINUE;
    if (!passed(judged) || a === null) {
      // An unsupported family, or a too short address: the supervisor binds the bytes read (it
      // fails as the kernel's would), where a CONTINUE lets the kernel read new ones, perhaps
      // of a family that is checked.
      if (!emulate) return CONTINUE;
      const own = ownNetlinkPort(c, raw);
      let out = bindFor(c, c.argInt(0), own, null);
      // That port is taken: the kernel then picks one, as for the tracee's own nl_pid 0.
      if (own !== raw && out.kind === "done" && out.errno === Errno.EADDRINUSE) out = bindFor(c, c.argInt(0), raw, null);
      return bound(out, true);
    }

    // successful_bind or emulation: bind on the tracee's behalf (and remember the address it got).
    const subject = judged.subject;
    const autobind = a.family === "unix" && a.path === "";
    let bytes: Uint8Array | null = raw;
    if (subject.family === "unix" && !autobind) bytes = a.family === "unix" && subject.path === a.path ? raw : unixSockaddr(subject.path);
    // The resolved path does not fit sun_path: the kernel would bind the tracee's (relative) bytes
    // unrecorded; with emulation that CONTINUE would let it read new ones: refused.
    if (bytes === null) return emulate ? fail(Errno.ENAMETOOLONG) : CONTINUE;
    // A socket file: its checked parent directory, pinned, below which the bind is confined.
    let dir: number | null = null;
    if (subject.family === "unix" && !autobind && judged.unixPath !== null) {
      const r = openParent(judged.unixPath, null, parent);
      if (r < 0) return bound({ kind: "done", errno: -r, bound: null }, emulate);
      dir = parent.fd;
    }
    let out: BindOutcome;
    try {
      out = bindFor(c, c.argInt(0), bytes, dir);
    } finally {
      if (dir !== null) closeFd(dir);
    }
    if (out.kind === "done" && out.errno === 0 && out.bound && recordBind) this.bound.add(out.bound);
    return bound(out, emulate);
  }

  /**
   * sendmmsg: every entry's msg_name is judged; the first denial answers for the whole call.
   * With emulation the checked entries are then sent by emulate/send.ts.
   */
  private checkVector(c: Call, row: SyscallRow, where: AddrArg & { kind: "mmsghdr" }): Verdict {
    const vec = c.arg(where.vec);
    const vlen = Math.min(c.argU32(where.vlen), UIO_MAXIOV);
    const size = c.compat ? COMPAT_MMSGHDR_SIZE : MMSGHDR_SIZE;
    const entries: SendEntry[] | null = c.sandbox.cfg.core.trace.emulate ? [] : null;
    let faulted = false;
    for (let i = 0; i < vlen; i++) {
      const h: MsgHdr = entries === null ? hdr : { iov: 0, iovlen: 0, control: 0, controllen: 0 };
      const raw = readMsgName(c, vec + i * size, h);
      if (raw === GONE) return GONE;
      // The kernel stops at an unreadable entry: nothing after it is sent.
      if (raw === UNREADABLE_HEADER) { faulted = true; break; }
      // An entry the kernel may refuse is skipped, not a stop: some protocols ignore msg_name,
      // and checking later entries can only deny more.
      let unixPath: CheckedPath | null = null;
      if (raw instanceof Uint8Array) {
        const a = decodeSockaddr(raw, raw.length);
        const judged = a === null ? "unchecked" : checkAddress(c, row, a, this.bound);
        if (judged !== "unchecked" && !passed(judged)) return judged;
        if (passed(judged)) unixPath = judged.unixPath;
      }
      entries?.push({
        name: raw instanceof Uint8Array ? raw : null, errno: !(raw instanceof Uint8Array) && raw.kind === "kernel-errno" ? raw.errno : 0,
        unixPath, hdr: h, lenAt: vec + i * size + (c.compat ? COMPAT_MSGHDR_SIZE : MSGHDR_SIZE),
      });
    }
    if (entries === null) return CONTINUE;
    return sendVectorFor(c, where.send, entries, faulted && entries.length === 0);
  }
}

/**
 * The answer to a bind the supervisor made, or could not make (no pidfd_getfd): then with
 * `emulate` refused, a CONTINUE would let the kernel read the address again; without, the
 * kernel binds (successful_bind alone: unrecorded).
 */
function bound(out: BindOutcome, emulate: boolean): Answer {
  if (out.kind === "gone") return GONE;
  if (out.kind === "unavailable") return emulate ? fail(out.errno) : CONTINUE;
  return out.errno !== 0 ? fail(out.errno) : succeed(0);
}

/**
 * A netlink bind with nl_pid 0 asks the kernel for a port id, which it takes from the
 * binding process's pid: in the supervisor's bind that would be sydbox's. A copy naming the
 * tracee's own pid instead, which is what the kernel would have tried first for it.
 */
function ownNetlinkPort(c: Call, raw: Uint8Array): Uint8Array {
  if (raw.length < 12 || (raw[0] | (raw[1] << 8)) !== AF_NETLINK) return raw;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
  if (v.getUint32(4, true) !== 0) return raw;
  const tgid = tgidOf(c.pid);
  if (tgid === 0) return raw;
  const copy = raw.slice();
  new DataView(copy.buffer).setUint32(4, tgid, true);
  return copy;
}
