/**
 * A copy of one of the tracee's fds in the supervisor, through pidfd_open + pidfd_getfd:
 * the same open file description, so what the supervisor does with it (bind, connect) the
 * tracee's fd has done. Used by successful_bind (bind.ts) and by emulation (emulate/).
 *
 * The fd is taken from the thread group's fd table: a thread that unshared its fd table
 * (clone without CLONE_FILES) is served from the wrong table. Such threads are rare.
 */
import { loadSeccomp, syscallNumber } from "../../ffi/seccomp";
import { Errno } from "../errors";
import type { Dispatcher } from "./dispatch";
import { traceeStatus, type TraceeStatus } from "./emulate/creds";

let nrPidfdOpen = -1, nrPidfdGetfd = -1;
function numbers(): void {
  if (nrPidfdOpen >= 0) return;
  const sc = loadSeccomp();
  nrPidfdOpen = syscallNumber(sc, "pidfd_open");
  nrPidfdGetfd = syscallNumber(sc, "pidfd_getfd");
}

/** What `fetchTraceeFd` got. */
export type Fetched =
  /** Our copy (ours to close) and the calling thread's status. */
  | { kind: "fd"; fd: number; status: TraceeStatus }
  /** The tracee has no such fd: its own call would fail with EBADF. */
  | { kind: "badf" }
  /** The tracee is gone (or the notification no longer pending): answer nothing. */
  | { kind: "gone" }
  /** pidfd_getfd refused (no permission, old kernel): the caller must do without. */
  | { kind: "unavailable"; errno: number };

/** Copies fd `fd` of the current notification's process into the supervisor. */
export function fetchTraceeFd(d: Dispatcher, fd: number): Fetched {
  const L = d.L, n = d.n;
  numbers();
  if (fd < 0) return { kind: "badf" };
  const status = traceeStatus(n.pid);
  if (status === null) return { kind: "gone" };
  const pidfd = Number(L.syscall(nrPidfdOpen, status.tgid, 0, 0, 0, 0, 0));
  if (pidfd < 0) {
    const e = L.errno();
    return e === Errno.ESRCH ? { kind: "gone" } : { kind: "unavailable", errno: e };
  }
  const copy = Number(L.syscall(nrPidfdGetfd, pidfd, fd, 0, 0, 0, 0));
  const getErr = copy < 0 ? L.errno() : 0;
  L.close(pidfd);
  // The pidfd named the right process only if the notification is still pending (no pid reuse).
  if (!n.idValid()) { if (copy >= 0) L.close(copy); return { kind: "gone" }; }
  if (copy < 0) {
    if (getErr === Errno.EBADF) return { kind: "badf" };
    return getErr === Errno.ESRCH ? { kind: "gone" } : { kind: "unavailable", errno: getErr };
  }
  return { kind: "fd", fd: copy, status };
}
