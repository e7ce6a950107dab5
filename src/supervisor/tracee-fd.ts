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
import { loadLibc, type Libc } from "../../ffi/libc";
import type { Call } from "./call";
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

/** Copies fd `fd` of the process of call `n` into the supervisor. */
export function fetchTraceeFd(n: Pick<Call, "pid" | "idValid">, fd: number): Fetched {
  const L = loadLibc();
  numbers();
  if (fd < 0) return { kind: "badf" };
  const status = traceeStatus(n.pid);
  if (status === null) return { kind: "gone" };
  const pidfd = L.ret(Number(L.syscall(nrPidfdOpen, status.tgid, 0, 0, 0, 0, 0)));
  if (pidfd < 0) {
    const e = -pidfd;
    return e === Errno.ESRCH ? { kind: "gone" } : { kind: "unavailable", errno: e };
  }
  const copy = L.ret(Number(L.syscall(nrPidfdGetfd, pidfd, fd, 0, 0, 0, 0)));
  const getErr = copy < 0 ? -copy : 0;
  L.close(pidfd);
  // The pidfd named the right process only if the notification is still pending (no pid reuse).
  if (!n.idValid()) { if (copy >= 0) L.close(copy); return { kind: "gone" }; }
  if (copy < 0) {
    if (getErr === Errno.EBADF) return { kind: "badf" };
    return getErr === Errno.ESRCH ? { kind: "gone" } : { kind: "unavailable", errno: getErr };
  }
  return { kind: "fd", fd: copy, status };
}

/**
 * Copies fds `fds` of thread group `tgid` into `out` (ours to close), to pass them on in
 * SCM_RIGHTS: 0, or the errno (EBADF for one it lacks) with none left open. The caller
 * checks that its notification is still pending before it uses them (pid reuse).
 */
export function copyTraceeFds(L: Libc, tgid: number, fds: ArrayLike<number>, out: number[]): number {
  numbers();
  const pidfd = L.ret(Number(L.syscall(nrPidfdOpen, tgid, 0, 0, 0, 0, 0)));
  if (pidfd < 0) return -pidfd;
  try {
    for (let i = 0; i < fds.length; i++) {
      const copy = L.ret(Number(L.syscall(nrPidfdGetfd, pidfd, fds[i], 0, 0, 0, 0)));
      if (copy < 0) {
        const e = -copy;
        for (const fd of out) L.close(fd);
        out.length = 0;
        return e;
      }
      out.push(copy);
    }
    return 0;
  } finally {
    L.close(pidfd);
  }
}
