/**
 * The signal guard: no sandboxed process may signal sydbox or the child stage
 * that reaps the tree (launch/reaper.ts). Stopping the reaper and then killing
 * sydbox would otherwise leave the tree running with neither a supervisor nor
 * anyone to kill it. The table's `signal` rows send every call that signals a
 * process, or names one to be signalled later (F_SETOWN), here; those whose
 * target lives in tracee memory are refused in the kernel (launch/filter.ts).
 *
 * A process is protected under any of its thread ids (kill and tgkill accept
 * them all, and Bun starts threads at will): the target's thread group comes
 * from /proc/TID/status. Groups: -1 (every process) is refused, and so is the
 * reaper's own process group (it leaves sydbox's, reaper.ts), which no sandboxed
 * process may join (setpgid), so that kill(0) never reaches it.
 */
import { readFileSync } from "node:fs";
import type { Listener } from "./listener";
import { Errno } from "../errors";
import { reportViolation } from "../report/violation";
import type { SignalTarget, SyscallRow } from "../syscalls/table";
import { STAT } from "./stats";

/** The thread group of thread `tid`, or 0 when there is no such thread. */
export function tgidOf(tid: number): number {
  try {
    return Number(/^Tgid:\t(\d+)$/m.exec(readFileSync(`/proc/${tid}/status`, "latin1"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Checks the calls of the table's `signal` rows; one per supervisor thread. */
export class SignalGuard {
  /**
   * `sydbox` is our own pid; `reaper` the child stage's, also its process group
   * (0 under core/restrict, where the child stage became the command).
   */
  constructor(private readonly n: Listener, private readonly stats: Int32Array, readonly sydbox: number, readonly reaper: number) {}

  /** Answers the current notification, a call of `row`. */
  check(row: SyscallRow): void {
    const n = this.n, t = row.signal!;
    const target = n.argInt(t.arg);
    const verdict = this.verdict(t, target);
    if (verdict === 0) return n.continue();
    if (verdict === Errno.EPERM) {
      // The caller may have died meanwhile (and its pid been reused): report only a pending call.
      if (!n.idValid()) return;
      this.stats[STAT.VIOLATIONS]++;
      reportViolation(n.pid, `${row.name}(${target})`);
    }
    n.fail(verdict);
  }

  /** 0 to let the call through, else the errno to fail it with. */
  private verdict(t: SignalTarget, target: number): number {
    const reaper = this.reaper;
    switch (t.kind) {
      case "pgid": return reaper !== 0 && target === reaper ? Errno.EPERM : 0;
      case "pid": if (target === -1) return Errno.EPERM; // fall through
      case "owner": if (target < 0) return reaper !== 0 && target === -reaper ? Errno.EPERM : 0; // fall through
      case "thread": {
        // 0 (kill: the caller's group; F_SETOWN: nobody) and the kernel's own errors are its business.
        if (target <= 0) return 0;
        const tgid = tgidOf(target);
        // No such thread: the kernel's answer, given here so that a thread id reused
        // between this look and the call cannot slip through.
        if (tgid === 0) return Errno.ESRCH;
        return tgid === this.sydbox || (reaper !== 0 && tgid === reaper) ? Errno.EPERM : 0;
      }
    }
  }
}
