/**
 * sendto, sendmsg and sendmmsg, emulated: the supervisor sends on its copy of the tracee's
 * socket (tracee-fd.ts) with the checked address bytes, so a tracee thread that rewrites the
 * sockaddr (or, for sendmsg, the whole struct msghdr) after the check changes nothing. The
 * payload is copied from tracee memory (sendmsg's iovec gathered into one buffer) and sent
 * with the tracee's flags and credentials (creds.ts); the tracee gets the kernel's byte count
 * or errno, and sendmmsg's entries their msg_len, as the kernel writes them.
 *
 * What is sent here and what goes to the kernel (CONTINUE):
 * - sendto without an address: CONTINUE. Its address is a register, NULL: nothing to race.
 * - sendmsg and sendmmsg are emulated with or without an address: msg_name is memory, and a
 *   racing thread can give a nameless msghdr an address after the check. Unix stream and
 *   seqpacket sockets too, although the kernel never uses a name on them (an error on stream,
 *   set aside on seqpacket): the socket is the one the fd named when we copied it, and a
 *   thread that dup2()s a datagram socket onto that fd number before a CONTINUE would have
 *   had the kernel send to an unchecked msg_name (test/escape/race.test.ts).
 * - Control data (msg_controllen > 0): passed as is on inet and inet6 sockets (IP_PKTINFO,
 *   IP_TOS, UDP_SEGMENT...: nothing in it names the sender). On unix datagram sockets,
 *   SCM_RIGHTS is translated: the named fds are copied from the tracee (pidfd_getfd) and
 *   sent, so the receiver gets the same open files. SCM_CREDENTIALS is refused with EPERM:
 *   the kernel checks it against the sender, which would be the supervisor. Control data of
 *   other families, and of 32-bit callers (whose cmsg layout differs), is refused with EPERM.
 *   A CONTINUE would reopen the race, so refusing is the safe answer.
 * - Unix and other non-IP sockets: the kernel stamps the sender's pid and real uid and gid on
 *   each message (what an SO_PASSCRED receiver, or netlink, sees). A root supervisor wears the
 *   tracee's real ids for the send (creds.ts, asSender); any other must have them, or the send
 *   is refused with EPERM (never lend the tracee another identity). The pid is the
 *   supervisor's: documented.
 * - Payloads are copied up to 512 KiB (MAX_PAYLOAD), more than a UDP datagram (64 KiB) or a
 *   unix datagram under the default socket buffer limits can hold. Beyond it a datagram or
 *   seqpacket send fails with EMSGSIZE (the kernel's answer to an oversized datagram); a
 *   stream send (TCP on a socket it may connect, TCP fast open) sends the first 512 KiB and
 *   returns that count, as a send interrupted by a signal does.
 * - Control data is copied up to 128 KiB; beyond it, ENOBUFS (the kernel's own default
 *   limit, net.core.optmem_max).
 * - MSG_ZEROCOPY is dropped: the payload is the supervisor's copy, reused by the next send;
 *   the tracee gets no completion notification on its error queue.
 * - A send on a blocking socket is first tried with MSG_DONTWAIT; one that would block (a
 *   full unix datagram queue, a full socket buffer), or the rest of a stream send that did
 *   not fit at once, is handed to a helper thread (blocking.ts) that sends as the tracee
 *   would, waiting, and answers; when no helper can be had the send fails with EAGAIN (or
 *   answers the short count sent). A blocking sendmmsg whose first entry
 *   would block hands that entry over and answers 1; one whose later entry would block
 *   answers the count sent so far (sendmmsg may always send fewer than asked).
 * - EPIPE raises SIGPIPE in the calling thread (stream sockets, unless MSG_NOSIGNAL), after
 *   the answer, as the kernel does during the call.
 */
import { P32, stablePtr } from "../../../ffi/pointer";
import {
  F_DUPFD_CLOEXEC, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_ZEROCOPY, O_NONBLOCK, SCM_CREDENTIALS, SCM_RIGHTS,
  SIGPIPE, SOCK_STREAM, SOL_SOCKET, SO_DOMAIN, SO_TYPE,
} from "../../../ffi/constants";
import * as fs from "../../../ffi/fsops";
import { loadLibc } from "../../../ffi/libc";
import { Errno } from "../../errors";
import { AF_INET, AF_INET6, AF_UNIX } from "../../policy/sockaddr";
import type { SendArgs } from "../../syscalls/table";
import type { Call } from "../call";
import type { CheckedPath } from "../checked";
import { TraceeWriter } from "../fakestat";
import type { SendReply } from "./jobs";
import { copyTraceeFds, fetchTraceeFd } from "../tracee-fd";
import { fail, GONE, HANDED, result, succeed, type Answer } from "../verdict";
import { pinAddress, type Target } from "./connect";
import { asSender, canSendAs, type TraceeStatus } from "./creds";

/** The largest payload copied from the tracee for one message. */
export const MAX_PAYLOAD = 512 * 1024;
/** The largest control data copied (net.core.optmem_max's default). */
export const MAX_CONTROL = 128 * 1024;
const UIO_MAXIOV = 1024;
const INT_MAX = 0x7fffffff;

/** The rest of a struct msghdr, for the sends emulation performs: read by network.ts. */
export interface MsgHdr {
  iov: number;
  iovlen: number;
  control: number;
  controllen: number;
}

/** One sendmmsg entry, as checked (network.ts). */
export interface SendEntry {
  /** The checked name bytes, or null for none. */
  name: Uint8Array | null;
  /** The kernel's errno for this entry's name (a negative length, an unreadable name), or 0. */
  errno: number;
  /** The checked canonical unix path the name resolved to, or null. */
  unixPath: CheckedPath | null;
  hdr: MsgHdr;
  /** The tracee address of this entry's msg_len. */
  lenAt: number;
}


/**
 * Per-thread buffers: the payload, the control data, the remote iovecs, the msghdr we send.
 * Their addresses are taken once (ffi/pointer.ts).
 */
class Buffers {
  readonly payload = new Uint8Array(MAX_PAYLOAD);
  readonly payloadPtr = stablePtr(this.payload);
  readonly control = new Uint8Array(MAX_CONTROL);
  readonly controlPtr = stablePtr(this.control);
  readonly riov = new Uint32Array(4 * UIO_MAXIOV);
  readonly riovPtr = stablePtr(this.riov);
  /** The address, copied here: a pointer into a short-lived array may be stale by the call. */
  readonly name = new Uint8Array(128);
  readonly namePtr = stablePtr(this.name);
  readonly msg = new Uint32Array(14);
  readonly msgPtr = stablePtr(this.msg);
  readonly iov = new Uint32Array(4);
  readonly iovPtr = stablePtr(this.iov);
}
let bufs: Buffers | null = null;
let writer: TraceeWriter | null = null;
const target: Target = { addr: new Uint8Array(0), pinned: -1 };
/** fds copied for SCM_RIGHTS, ours to close after the send. */
const passed: number[] = [];
const fdsWanted: number[] = [];

const put64 = (a: Uint32Array, i: number, v: number) => { a[i] = v % P32; a[i + 1] = Math.floor(v / P32); };

/**
 * Sends `len` bytes at local address `data` (and `clen` bytes of control data at `control`)
 * on `fd` to `addr` (null: none) with `flags`, wearing the tracee's credentials: the count or
 * -errno. Also the helper's send (opener.ts).
 */
export function sendRaw(fd: number, addr: Uint8Array | null, data: number, len: number, control: number, clen: number, flags: number, status: TraceeStatus): number {
  const b = (bufs ??= new Buffers());
  const m = b.msg, iov = b.iov;
  put64(iov, 0, data); put64(iov, 2, len);
  m.fill(0);
  if (addr !== null && addr.length > 0) {
    const len = Math.min(addr.length, b.name.length);
    b.name.set(addr.subarray(0, len));
    put64(m, 0, b.namePtr); m[2] = len;
  }
  put64(m, 4, b.iovPtr); m[6] = 1;
  if (clen > 0) { put64(m, 8, control); m[10] = clen; }
  return asSender(status, () => fs.sendmsg(fd, b.msgPtr, flags));
}

/** What the socket is, from our copy: its type and family. */
interface Socket {
  kind: "socket";
  fd: number;
  type: number;
  domain: number;
  status: TraceeStatus;
}

/** Fetches the socket of call `c`, or the call's answer when there is none to send on: an errno or GONE. */
function socketOf(c: Call): Socket | Answer {
  const got = fetchTraceeFd(c, c.argInt(0));
  if (got.kind === "gone") return GONE;
  if (got.kind === "badf") return fail(Errno.EBADF);
  if (got.kind === "unavailable") return fail(got.errno); // never a CONTINUE on a checked name
  const type = fs.getsockoptInt(got.fd, SOL_SOCKET, SO_TYPE);
  const domain = type < 0 ? -1 : fs.getsockoptInt(got.fd, SOL_SOCKET, SO_DOMAIN);
  if (type < 0 || domain < 0) { fs.close(got.fd); return fail(type === -Errno.ENOTSOCK || domain === -Errno.ENOTSOCK ? Errno.ENOTSOCK : Errno.EBADF); }
  if (domain !== AF_INET && domain !== AF_INET6 && !canSendAs(got.status)) {
    // The message would carry the supervisor's identity, not the tracee's.
    fs.close(got.fd);
    return fail(Errno.EPERM);
  }
  return { kind: "socket", fd: got.fd, type, domain, status: got.status };
}

const one = new Uint32Array(4);
const onePtr = stablePtr(one);

/** Copies `len` bytes at tracee address `at` to local address `dst`; false if not all are readable. */
function readRange(c: Call, dst: number, at: number, len: number): boolean {
  put64(one, 0, at); put64(one, 2, len);
  return c.gather(dst, len, one, onePtr, 1) === len;
}

/**
 * Copies the payload named by `count` iovecs at `iov` (or, for sendto, `count` < 0: the
 * buffer `iov` of `-count - 1` bytes) into the payload buffer: its length, or -errno.
 */
function readPayload(c: Call, s: Socket, iov: number, count: number): number {
  const b = bufs!, r = b.riov;
  let entries: number;
  if (count < 0) {
    put64(r, 0, iov); put64(r, 2, -count - 1);
    entries = 1;
  } else {
    if (count > UIO_MAXIOV) return -Errno.EMSGSIZE;
    if (count === 0) return 0;
    const compat = c.compat, size = compat ? 8 : 16;
    if (!readRange(c, b.riovPtr, iov, count * size)) return -Errno.EFAULT;
    if (compat) {
      // 32-bit iovecs, read into the first half: widen them from the last down.
      for (let i = count - 1; i >= 0; i--) {
        const base = r[2 * i], len = r[2 * i + 1];
        r[4 * i] = base; r[4 * i + 1] = 0; r[4 * i + 2] = len; r[4 * i + 3] = len >= 0x80000000 ? 0xffffffff : 0;
      }
    }
    entries = count;
  }
  // Lengths are ssize_t (negative: EINVAL); the total is capped at MAX_PAYLOAD.
  let total = 0, used = 0;
  for (let i = 0; i < entries; i++) {
    if (r[4 * i + 3] >= 0x80000000) return -Errno.EINVAL;
    const len = r[4 * i + 2] + r[4 * i + 3] * P32;
    if (total + len > MAX_PAYLOAD) {
      if (s.type !== SOCK_STREAM) return -Errno.EMSGSIZE;
      put64(r, 4 * i + 2, MAX_PAYLOAD - total);
      total = MAX_PAYLOAD;
      used = i + 1;
      break;
    }
    total += len;
    used = i + 1;
  }
  if (total === 0) return 0;
  const got = c.gather(b.payloadPtr, total, r, b.riovPtr, used);
  return got === total ? total : -Errno.EFAULT;
}

/**
 * Copies the control data (`len` bytes at `at`) into the control buffer, SCM_RIGHTS fds
 * replaced by copies (into `passed`): its length, or -errno.
 */
function readControl(c: Call, s: Socket, at: number, len: number): number {
  if (len === 0) return 0;
  const b = bufs!;
  if (len > INT_MAX || len > MAX_CONTROL) return -Errno.ENOBUFS;
  if (c.compat || (s.domain !== AF_INET && s.domain !== AF_INET6 && s.domain !== AF_UNIX)) return -Errno.EPERM;
  if (!readRange(c, b.controlPtr, at, len)) return -Errno.EFAULT;
  if (s.domain !== AF_UNIX) return len;
  // struct cmsghdr: cmsg_len (size_t), level, type, data aligned to 8. A malformed one is
  // left for the kernel's EINVAL.
  const v = new DataView(b.control.buffer, 0, len);
  for (let off = 0; off + 16 <= len;) {
    const clen = v.getUint32(off, true) + v.getUint32(off + 4, true) * P32;
    if (clen < 16 || clen > len - off) break;
    if (v.getInt32(off + 8, true) === SOL_SOCKET) {
      const type = v.getInt32(off + 12, true);
      if (type === SCM_CREDENTIALS) return -Errno.EPERM;
      if (type === SCM_RIGHTS) {
        fdsWanted.length = 0;
        for (let i = off + 16; i + 4 <= off + clen; i += 4) fdsWanted.push(v.getInt32(i, true));
        const start = passed.length;
        const e = copyTraceeFds(loadLibc(), s.status.tgid, fdsWanted, passed);
        if (e !== 0) return -e;
        for (let i = 0; i < fdsWanted.length; i++) v.setInt32(off + 16 + 4 * i, passed[start + i], true);
      }
    }
    off += (clen + 7) & ~7;
  }
  return len;
}

function closePassed(): void {
  for (const fd of passed) fs.close(fd);
  passed.length = 0;
}

/** Writes msg_len (if any) and returns the call's answer for `r` (a count or -errno), raising SIGPIPE if due. */
export function sendAnswer(r: number, a: SendReply): Answer {
  // A stream send interrupted after some bytes returns those, as the kernel's does.
  if (a.already > 0) r = r >= 0 ? r + a.already : a.already;
  if (r >= 0 && a.lenAt !== 0 && lenFailed(a.tid, a.lenAt, r)) r = -Errno.EFAULT;
  // A sendmmsg entry handed to a helper: one message sent, its length in msg_len.
  const v = r >= 0 ? succeed(a.lenAt !== 0 ? 1 : r) : fail(-r);
  return withSigpipe(v, r === -Errno.EPIPE, a);
}

/** `v`, followed by SIGPIPE in the caller when `epipe` and the socket raises it. */
function withSigpipe(v: Answer, epipe: boolean, a: SendReply): Answer {
  return epipe && a.sigpipe ? { kind: "signal", answer: v, tgid: a.tgid, tid: a.tid, signal: SIGPIPE } : v;
}

/** Writes `count` as the msg_len at `at` in thread `tid`; true when that faults. */
function lenFailed(tid: number, at: number, count: number): boolean {
  writer ??= new TraceeWriter(loadLibc());
  writer.buf.writeUInt32LE(count, 0);
  return writer.write(tid, at, 4) !== 0;
}

/**
 * Sends one message prepared in the buffers; on a blocking socket that would block, hands
 * it to a helper (which answers) if `wait` and one is free, else answers -EAGAIN. The
 * count, -errno, or HANDED when a helper took it.
 */
function sendPrepared(c: Call, s: Socket, name: Uint8Array | null, unixPath: CheckedPath | null, len: number, clen: number, flags: number, a: SendReply, wait: boolean): number | Answer {
  const b = bufs!;
  let addr = name;
  if (name !== null) {
    const e = pinAddress(name, unixPath, target);
    if (e < 0) return e;
    addr = target.addr;
  }
  const pinned = name === null ? -1 : target.pinned;
  const own = (flags | MSG_NOSIGNAL) & ~MSG_ZEROCOPY;
  const fl = (flags & MSG_DONTWAIT) !== 0 ? O_NONBLOCK : fs.fcntl(s.fd, fs.F_GETFL);
  const blocking = fl >= 0 && (fl & O_NONBLOCK) === 0;
  const r = sendRaw(s.fd, addr, b.payloadPtr, len, b.controlPtr, clen, own | (blocking ? MSG_DONTWAIT : 0), s.status);
  // A blocking socket waits for room, and a blocking stream socket sends everything: what
  // did not fit at once (all of it, or a stream's rest) is sent by a helper, which waits.
  const rest = r === -Errno.EAGAIN ? 0 : s.type === SOCK_STREAM && r >= 0 && r < len ? r : -1;
  if (blocking && wait && rest >= 0) {
    a.already = rest;
    const first = rest === 0; // control data and passed fds go with the first byte only
    const fds = first ? passed.splice(0) : [];
    const job = {
      kind: "send" as const, fd: -1, pinned, addr: addr === null ? null : addr.slice(), payload: b.payload.slice(rest, len),
      control: first ? b.control.slice(0, clen) : new Uint8Array(0), passed: fds, flags: own, status: s.status, reply: a,
    };
    const dup = fs.fcntl(s.fd, F_DUPFD_CLOEXEC, 0);
    if (dup >= 0) {
      job.fd = dup;
      if (c.handOff(job)) return HANDED;
      fs.close(dup);
    }
    passed.push(...fds);
    a.already = 0;
    // No helper: EAGAIN (or the short count sent), never a wait here, which would stop every
    // tracee's answers until a reader (perhaps one of them) makes room.
    if (pinned >= 0) fs.close(pinned);
    return first ? -Errno.EAGAIN : rest;
  }
  if (pinned >= 0) fs.close(pinned);
  return r;
}

/** How a send of call `c` on `s` with `flags` is answered (and the buffers, made once). */
function replyFor(c: Call, s: Socket, flags: number): SendReply {
  bufs ??= new Buffers();
  return { tid: c.pid, tgid: s.status.tgid, lenAt: 0, sigpipe: s.type === SOCK_STREAM && (flags & MSG_NOSIGNAL) === 0, already: 0 };
}

/**
 * sendto or sendmsg with checked name `name` (null: none) and, for a unix path, checked
 * canonical `unixPath`; `hdr` is sendmsg's msghdr, null for sendto. The call's answer.
 */
export function sendFor(c: Call, args: SendArgs, name: Uint8Array | null, unixPath: CheckedPath | null, hdr: MsgHdr | null): Answer {
  const s = socketOf(c);
  if (s.kind !== "socket") return s;
  const flags = c.argU32(args.flags), a = replyFor(c, s, flags);
  let r: number | Answer;
  try {
    const len = hdr === null ? readPayload(c, s, c.arg(args.buf!), -c.arg(args.len!) - 1) : readPayload(c, s, hdr.iov, hdr.iovlen);
    const clen = hdr === null || len < 0 ? 0 : readControl(c, s, hdr.control, hdr.controllen);
    r = len < 0 ? len : clen < 0 ? clen : !c.idValid() ? GONE : sendPrepared(c, s, name, unixPath, len, clen, flags, a, true);
  } finally {
    closePassed();
    fs.close(s.fd);
  }
  return typeof r === "number" ? sendAnswer(r, a) : r;
}

/**
 * sendmmsg: sends the checked `entries` in order and answers with the number sent, each
 * one's msg_len written back; `faulted`: the vector's first header was unreadable (EFAULT).
 */
export function sendVectorFor(c: Call, args: SendArgs, entries: SendEntry[], faulted: boolean): Answer {
  const s = socketOf(c);
  if (s.kind !== "socket") return s;
  const flags = c.argU32(args.flags), a = replyFor(c, s, flags);
  let sent = 0, err = faulted ? -Errno.EFAULT : 0;
  try {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i], h = e.hdr;
      const len = e.errno !== 0 ? -e.errno : readPayload(c, s, h.iov, h.iovlen);
      const clen = len < 0 ? 0 : readControl(c, s, h.control, h.controllen);
      if (!c.idValid()) return GONE;
      a.lenAt = sent === 0 ? e.lenAt : 0;
      const r = len < 0 ? len : clen < 0 ? clen : sendPrepared(c, s, e.name, e.unixPath, len, clen, flags, a, sent === 0);
      closePassed();
      if (typeof r !== "number") return r; // the first entry went to a helper, which answers
      if (r === -Errno.EAGAIN && sent > 0) break; // would block, or a later entry of a blocking call: a short count
      if (r < 0) { err = r; break; }
      if (lenFailed(c.pid, e.lenAt, r)) { err = -Errno.EFAULT; break; }
      sent++;
    }
  } finally {
    closePassed();
    fs.close(s.fd);
  }
  a.lenAt = 0;
  if (sent > 0) return withSigpipe(succeed(sent), err === -Errno.EPIPE, a);
  return sendAnswer(err, a);
}
