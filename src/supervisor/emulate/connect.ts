/**
 * connect, emulated: the supervisor connects its copy of the tracee's socket (tracee-fd.ts)
 * with the checked address bytes, so a tracee thread rewriting the sockaddr after the check
 * changes nothing. A unix path is reached through its parent directory, pinned with
 * RESOLVE_NO_SYMLINKS (canonical.ts), as /proc/self/fd/N/NAME: a directory swapped for a
 * symlink after the check is not followed.
 *
 * A connect on a non-blocking socket returns at once (EINPROGRESS, EAGAIN) and is made
 * here. One on a blocking socket waits, for the server to accept (a full backlog) or for a
 * slow host, and what ends the wait may be another tracee's call, or another thread's of
 * the same tracee, that this thread must answer: such a connect is made by a helper thread
 * that waits as the tracee would (blocking.ts) and answers it; when no helper can be had
 * it fails with EAGAIN (never made here: this thread would stop answering until it ends).
 *
 * Documented limits: the last component of a unix path is still looked up by connect
 * itself (a symlink swapped in there is followed). A connect whose tracee is killed or
 * interrupted meanwhile still runs to its end in the helper (the tracee's restarted call
 * then finds the socket connected or connecting, as after an interrupted native connect on
 * a TCP socket; a unix socket answers EISCONN where the kernel would have waited again).
 * The sends are emulated the same way (send.ts).
 */
import { O_NONBLOCK } from "../../../ffi/constants";
import * as fs from "../../../ffi/fsops";
import { Errno } from "../../errors";
import { unixSockaddr } from "../bind";
import type { Call } from "../call";
import type { CheckedPath } from "../checked";
import { fetchTraceeFd } from "../tracee-fd";
import { fail, GONE, HANDED, result, type Answer } from "../verdict";
import { connectJob } from "./blocking";
import { openParent, selfFd, type Parent } from "./canonical";
import { asTracee, type TraceeStatus } from "./creds";

const parent: Parent = { fd: -1, name: "" };

/**
 * Connects socket `sockfd` of call `c`'s process to the raw checked `sockaddr` (or, for a
 * unix path, to checked canonical `unixPath`): the call's answer.
 */
export function connectFor(c: Pick<Call, "pid" | "idValid" | "handOff">, sockfd: number, sockaddr: Uint8Array, unixPath: CheckedPath | null): Answer {
  const got = fetchTraceeFd(c, sockfd);
  if (got.kind === "gone") return GONE;
  if (got.kind === "badf") return fail(Errno.EBADF);
  // No pidfd_getfd here (or not allowed): refused, a CONTINUE would let the kernel read the address again.
  if (got.kind === "unavailable") return fail(got.errno);
  const r = pinAddress(sockaddr, unixPath, target);
  if (r < 0) { fs.close(got.fd); return fail(-r); }
  const addr = target.addr, pinned = target.pinned;
  // Our copy shares the tracee's open file description, so its O_NONBLOCK too.
  const fl = fs.fcntl(got.fd, fs.F_GETFL);
  if (fl >= 0 && (fl & O_NONBLOCK) === 0) {
    if (c.handOff(connectJob(got.fd, pinned, addr, got.status))) return HANDED;
    // Every helper is busy: EAGAIN, rather than a wait here that would stop every answer.
    if (pinned >= 0) fs.close(pinned);
    fs.close(got.fd);
    return fail(Errno.EAGAIN);
  }
  return connectNow(got.fd, pinned, addr, got.status);
}

/** A checked address as the supervisor uses it: the bytes, and the directory fd they name (or -1). */
export interface Target {
  addr: Uint8Array;
  pinned: number;
}
const target: Target = { addr: new Uint8Array(0), pinned: -1 };

/**
 * Fills `out` with the address to use for the checked raw `sockaddr`: itself, or for a
 * unix path (checked canonical `unixPath`) its parent directory pinned with
 * RESOLVE_NO_SYMLINKS and named as /proc/self/fd/N/NAME (`out.pinned` is then ours to
 * close). 0, or -errno when the parent cannot be opened. Also the sends' (send.ts).
 */
export function pinAddress(sockaddr: Uint8Array, unixPath: CheckedPath | null, out: Target): number {
  out.addr = sockaddr; out.pinned = -1;
  if (unixPath === null) return 0;
  const r = openParent(unixPath, null, parent);
  if (r < 0) return r;
  out.pinned = parent.fd;
  out.addr = unixSockaddr(`${selfFd(parent.fd)}/${parent.name}`) ?? sockaddr;
  return 0;
}

/**
 * Connects our copy `fd` of a tracee's socket to `addr` with the tracee's credentials
 * `status`, closes `fd` and `pinned` (the directory fd `addr` names, or -1), and returns
 * the call's answer. Also the helper's connect (opener.ts).
 */
export function connectNow(fd: number, pinned: number, addr: Uint8Array, status: TraceeStatus): Answer {
  try {
    return result(asTracee(status, false, () => fs.connect(fd, addr)));
  } finally {
    if (pinned >= 0) fs.close(pinned);
    fs.close(fd);
  }
}
