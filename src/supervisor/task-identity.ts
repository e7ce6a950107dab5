/**
 * Who a task is (its process, that process's parent, an identity of that process that a
 * recycled pid does not share), for the per-process sandbox states (state.ts), which ask
 * for every process they meet: under a Paludis phase's `esandbox exec_lock`, every
 * exec of a new process. Through a pidfd where the kernel has PIDFD_GET_INFO (6.13+): a few
 * cheap syscalls; the process's identity is its pidfs inode number, unique for the
 * system's lifetime. Elsewhere from /proc (procfs.ts: the stat file, whose first lookup
 * for a new pid costs the kernel far more), identified by the start time.
 * This module is instantiated per JS thread, like the libc binding it uses.
 */
import {
  AT_EMPTY_PATH, PIDFD_GET_INFO, PIDFD_INFO_LAYOUT as I, PIDFD_INFO_PID, PIDFD_THREAD, STATX_INO, STATX_OFF_INO, SYS_PIDFD_OPEN,
} from "../../ffi/constants";
import { loadLibc } from "../../ffi/libc";
import { P32, stablePtr } from "../../ffi/pointer";
import { Errno } from "../errors";
import { procIdentity, startTicks, type TaskIdentity } from "../procfs";

const L = loadLibc();
const info = new Uint32Array(I.SIZE / 4);
const infoPtr = stablePtr(info);
const stx = new Uint32Array(64); // struct statx, 256 bytes
const stxPtr = stablePtr(stx);
const EMPTY = Buffer.from("\0");

/** Is PIDFD_GET_INFO there? Unknown until the first answer, then fixed for the run. */
let pidfds: boolean | undefined;

const pidfdOpen = (pid: number, flags: number) => L.ret(Number(L.syscall(SYS_PIDFD_OPEN, pid, flags, 0, 0, 0, 0)));

/** The pidfs inode number of pidfd `fd`, or -1. */
function inode(fd: number): number {
  if (L.ret(L.statx(fd, EMPTY, AT_EMPTY_PATH, STATX_INO, stxPtr)) < 0) return -1;
  return stx[STATX_OFF_INO / 4] + stx[STATX_OFF_INO / 4 + 1] * P32;
}

/** The identity of the process `pid` (a thread-group leader), or -1 when it is gone. */
function processInode(pid: number): number {
  const fd = pidfdOpen(pid, 0);
  if (fd < 0) return -1;
  const ino = inode(fd);
  L.close(fd);
  return ino;
}

/** The identity of task `tid` (any thread), or null when it is gone. */
export function taskIdentity(tid: number): TaskIdentity | null {
  if (pidfds === false) return procIdentity(tid);
  const fd = pidfdOpen(tid, PIDFD_THREAD);
  if (fd < 0) {
    // EINVAL: no PIDFD_THREAD (before 6.9, so no PIDFD_GET_INFO either). Anything else
    // (ESRCH: gone; EMFILE) would fail the /proc way too.
    if (fd === -Errno.EINVAL && pidfds === undefined) { pidfds = false; return procIdentity(tid); }
    return null;
  }
  info.fill(0);
  info[I.OFF_MASK / 4] = PIDFD_INFO_PID;
  const r = L.ret(L.ioctl(fd, PIDFD_GET_INFO, infoPtr));
  if (r < 0) {
    L.close(fd);
    if (r !== -Errno.ESRCH && pidfds === undefined) { pidfds = false; return procIdentity(tid); }
    return null;
  }
  pidfds = true;
  const tgid = info[I.OFF_TGID / 4], ppid = info[I.OFF_PPID / 4];
  const start = tgid === tid ? inode(fd) : processInode(tgid);
  L.close(fd);
  return start < 0 ? null : { tgid, ppid, start };
}

/** The identity of process `pid` as taskIdentity gives it, or null when it is gone. */
export function processIdentity(pid: number): number | null {
  if (pidfds === false) return startTicks(pid);
  const ino = processInode(pid);
  return ino < 0 ? null : ino;
}
