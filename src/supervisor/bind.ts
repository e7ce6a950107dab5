/**
 * core/allowlist/successful_bind: after a bind succeeds, its address (with the real port
 * when port 0 was asked) is allowed for connect, sendto, sendmsg and sendmmsg, for every process.
 *
 * A CONTINUEd call never shows the supervisor its result, so the bind is performed on the
 * tracee's behalf: pidfd_open + pidfd_getfd fetch a copy of the tracee's socket, the
 * supervisor binds it with the checked sockaddr bytes (so a tracee thread rewriting the
 * sockaddr after the check changes nothing: the bind is race-free), getsockname tells the
 * address the kernel chose, and the tracee gets the real result (0 or the errno).
 *
 * Consequences, documented:
 * - A unix socket file is created by the supervisor thread wearing the tracee's umask,
 *   fsuid, fsgid and groups (emulate/creds.ts), so its owner and the permission checks on
 *   the directory are the tracee's; its LSM label is the supervisor's.
 * - A relative unix path is bound as the absolute path it resolved to in the caller's cwd, so
 *   a later getsockname() in the tracee shows the absolute path.
 * - Privileged ports (< 1024) are checked against the supervisor's capabilities.
 * - The socket is taken from the thread group's fd table (tracee-fd.ts).
 * - A unix path is bound as checked, and the kernel looks its directories up again; a
 *   directory swapped for a symlink meanwhile would be followed. So the bind is made by a
 *   one-shot thread that Landlock lets create socket files only below the checked parent
 *   directory, pinned (emulate/binder.ts). A swap that stays below it (into a subdirectory
 *   of the checked one) still lands; without Landlock in the kernel, so does any swap.
 */
import { ptr } from "bun:ffi";
import { Errno } from "../errors";
import { AF_UNIX, decodeSockaddr, formatAddress, type SockAddr } from "../policy/sockaddr";
import { unmapIPv4 } from "../policy/ip";
import { F_DUPFD_CLOEXEC, SOCKADDR_STORAGE } from "../../ffi/constants";
import * as fs from "../../ffi/fsops";
import { loadLibc } from "../../ffi/libc";
import { entryWorker } from "../launch/entry";
import type { Call } from "./call";
import { asTracee, type TraceeStatus } from "./emulate/creds";
import type { BindJob } from "./emulate/jobs";
import { fetchTraceeFd } from "./tracee-fd";

const SUN_PATH_MAX = 108; // sizeof(sun_path), including the terminating NUL

/**
 * Addresses of successful binds, for every process of one supervisor. Keys are the report
 * form of the address, IPv4-mapped IPv6 addresses folded to IPv4. A bind to the wildcard
 * address (0.0.0.0 or ::) records `inet:*@PORT` / `inet6:*@PORT`, which allows connects to
 * that port on the loopback addresses and the wildcard itself (a dual-stack `::` bind
 * also records `inet:*@PORT`, as such a socket accepts IPv4 too).
 */
export class BoundAddresses {
  private readonly keys = new Set<string>();

  get size(): number { return this.keys.size; }

  add(a: SockAddr): void {
    const v = fold(a);
    if (v.family === "inet" && v.addr === 0) this.keys.add(`inet:*@${v.port}`);
    else if (v.family === "inet6" && isZero(v.addr)) { this.keys.add(`inet6:*@${v.port}`); this.keys.add(`inet:*@${v.port}`); }
    else this.keys.add(formatAddress(v));
  }

  has(a: SockAddr): boolean {
    if (this.keys.size === 0) return false;
    const v = fold(a);
    if (this.keys.has(formatAddress(v))) return true;
    if (v.family === "inet" && (v.addr >>> 24 === 127 || v.addr === 0)) return this.keys.has(`inet:*@${v.port}`);
    if (v.family === "inet6" && (isZero(v.addr) || isLoopback6(v.addr))) return this.keys.has(`inet6:*@${v.port}`);
    return false;
  }
}

function fold(a: SockAddr): SockAddr {
  if (a.family !== "inet6") return a;
  const v4 = unmapIPv4(a.addr);
  return v4 === undefined ? a : { family: "inet", addr: v4, port: a.port };
}
const isZero = (b: Uint8Array) => b.every((x) => x === 0);
const isLoopback6 = (b: Uint8Array) => b[15] === 1 && b.subarray(0, 15).every((x) => x === 0);

/** A raw sockaddr_un for the absolute `path` (latin1), or null when it does not fit sun_path. */
export function unixSockaddr(path: string): Uint8Array | null {
  if (path.length >= SUN_PATH_MAX) return null;
  const b = new Uint8Array(2 + path.length + 1);
  new DataView(b.buffer).setUint16(0, AF_UNIX, true);
  for (let i = 0; i < path.length; i++) b[2 + i] = path.charCodeAt(i);
  return b;
}

/** What `bindFor` did. */
export type BindOutcome =
  /** The bind was performed: errno 0 and the bound address, or the bind's errno. */
  | { kind: "done"; errno: number; bound: SockAddr | null }
  /** The tracee is gone (or the notification no longer pending): answer nothing. */
  | { kind: "gone" }
  /** The socket could not be fetched (pidfd_getfd refused): let the kernel do the bind. */
  | { kind: "unavailable"; errno: number };

const nameBuf = new Uint8Array(SOCKADDR_STORAGE);
const nameLen = new Uint32Array(1);

/** How long a binder thread may take to start and bind (a loaded machine starts a runtime slowly). */
const BINDER_TIMEOUT_MS = 10000;
let landlock: boolean | undefined;
/** A binder thread started ahead of the next bind, idle until it gets its job. */
let spare: Worker | null = null;
const newBinder = () => entryWorker("supervisor/emulate/binder.ts");

/**
 * Binds our copy `fd` of a tracee's socket to `sockaddr`, a checked unix path whose parent
 * directory `dir` is pinned, with tracee credentials `st`, on a binder thread confined below
 * that directory (emulate/binder.ts): 0 or -errno. Without Landlock in the kernel, here, unconfined.
 */
function bindUnixPath(fd: number, sockaddr: Uint8Array, dir: number, st: TraceeStatus): number {
  const L = loadLibc();
  landlock ??= fs.landlockAbi() >= 1;
  if (!landlock) return asTracee(st, true, () => L.ret(L.bind(fd, ptr(sockaddr), sockaddr.length)));
  // The binder owns its copies of both fds and closes them: one that outlives a timeout never
  // binds a number that the supervisor has meanwhile reused.
  const sock = fs.fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (sock < 0) return sock;
  const pinned = fs.fcntl(dir, F_DUPFD_CLOEXEC, 0);
  if (pinned < 0) { L.close(sock); return pinned; }
  const job: BindJob = { sock, dir: pinned, addr: sockaddr, status: st, result: new SharedArrayBuffer(8) };
  const out = new Int32Array(job.result);
  let binder: Worker;
  try {
    binder = spare ?? newBinder();
    spare = null;
    binder.postMessage(job);
  } catch {
    L.close(sock);
    L.close(pinned);
    return -Errno.EAGAIN;
  }
  // The supervisor thread waits: a bind does not block, and the thread boots in milliseconds.
  const waited = Atomics.wait(out, 1, 0, BINDER_TIMEOUT_MS);
  binder.terminate();
  // The next bind's thread boots meanwhile: a program that binds once often binds again.
  try { spare = newBinder(); } catch { spare = null; }
  return waited === "timed-out" && Atomics.load(out, 1) === 0 ? -Errno.EAGAIN : out[0];
}

/**
 * Binds the tracee's socket `sockfd` to the raw `sockaddr` in the supervisor, as the calling
 * thread of call `c` would. `unixDir`, for a unix path that creates a socket file: its parent
 * directory, pinned (the tracee's umask applies, and the bind is confined below it).
 */
export function bindFor(c: Pick<Call, "pid" | "idValid">, sockfd: number, sockaddr: Uint8Array, unixDir: number | null): BindOutcome {
  const L = loadLibc();
  const got = fetchTraceeFd(c, sockfd);
  if (got.kind === "gone" || got.kind === "unavailable") return got;
  // EBADF: the tracee has no such fd, which is also what its bind would say.
  if (got.kind === "badf") return { kind: "done", errno: Errno.EBADF, bound: null };
  const fd = got.fd, st = got.status;
  try {
    const r = unixDir !== null ? bindUnixPath(fd, sockaddr, unixDir, st) : asTracee(st, false, () => L.ret(L.bind(fd, ptr(sockaddr), sockaddr.length)));
    const e = -r;
    if (r < 0) return { kind: "done", errno: e, bound: null };
    nameLen[0] = SOCKADDR_STORAGE;
    if (L.getsockname(fd, ptr(nameBuf), ptr(nameLen)) < 0) return { kind: "done", errno: 0, bound: null };
    const a = decodeSockaddr(nameBuf, Math.min(nameLen[0], SOCKADDR_STORAGE));
    return { kind: "done", errno: 0, bound: a === null || a.family === "unsupported" ? null : a };
  } finally {
    L.close(fd);
  }
}
