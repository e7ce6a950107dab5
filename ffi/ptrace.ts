/**
 * ptrace(2) and waitid(2), for the one thing sydbox traces: an exec under exec sandboxing,
 * from the supervisor thread, which must be the tracer (ptrace ties a tracee to a thread).
 * Each wrapper returns the syscall's value or -errno. Numbers come from libseccomp by name.
 */
import {
  __WALL, __WNOTHREAD, P_ALL, PTRACE_DETACH, PTRACE_INTERRUPT, PTRACE_SEIZE, SIGINFO, WEXITED, WSTOPPED,
} from "./constants.ts";
import { loadLibc } from "./libc.ts";
import { stablePtr } from "./pointer.ts";
import { loadSeccomp, syscallNumber } from "./seccomp.ts";

const C = loadLibc();
const sc = loadSeccomp();
const NR_PTRACE = syscallNumber(sc, "ptrace"), NR_WAITID = syscallNumber(sc, "waitid");

const sys = (nr: number, a = 0, b = 0, c = 0, d = 0, e = 0) => C.ret(C.syscall(nr, a, b, c, d, e, 0));

/** PTRACE_SEIZE of thread `tid` with `options`: it is not stopped. */
export const seize = (tid: number, options: number) => sys(NR_PTRACE, PTRACE_SEIZE, tid, 0, options);
/** PTRACE_INTERRUPT: the tracee stops (PTRACE_EVENT_STOP) when it next returns to user space. */
export const interrupt = (tid: number) => sys(NR_PTRACE, PTRACE_INTERRUPT, tid, 0, 0);
/** PTRACE_DETACH of a stopped tracee, delivering `signal` (0: none). */
export const detach = (tid: number, signal: number) => sys(NR_PTRACE, PTRACE_DETACH, tid, 0, signal);

/** What one waitid reported: the thread, its si_code (CLD_*) and si_status. */
export interface Waited {
  pid: number;
  code: number;
  status: number;
}

const info = Buffer.alloc(SIGINFO.SIZE);
const infoPtr = stablePtr(info);
const waited: Waited = { pid: 0, code: 0, status: 0 };

/**
 * Blocks until a tracee (or child) of the calling thread stops or exits, and reaps an
 * exit: waitid(P_ALL, __WALL | __WNOTHREAD). The result object is reused; -errno on
 * failure (EINTR included: the caller retries).
 */
export function waitTracee(): Waited | number {
  info.fill(0, 0, 32);
  const r = sys(NR_WAITID, P_ALL, 0, infoPtr, WEXITED | WSTOPPED | __WALL | __WNOTHREAD, 0);
  if (r < 0) return r;
  waited.pid = info.readInt32LE(SIGINFO.PID);
  waited.code = info.readInt32LE(SIGINFO.CODE);
  waited.status = info.readInt32LE(SIGINFO.STATUS);
  return waited;
}
