/**
 * The signal guard: no sandboxed process may signal sydbox or the child stage
 * that reaps the tree (launch/reaper.ts), nor change their resource limits or
 * scheduling (prlimit64, setpriority, ioprio_set, sched_set*, migrate_pages,
 * move_pages): a tracee that set sydbox's RLIMIT_NOFILE to 0 left it unable to
 * poll its listener. Stopping the reaper and then killing
 * sydbox would otherwise leave the tree running with neither a supervisor nor
 * anyone to kill it. The table's `signal` rows send every call that signals a
 * process, or names one to be signalled later (F_SETOWN), here; those whose
 * target lives in tracee memory are refused in the kernel (launch/filter.ts).
 *
 * A process is protected under any of its thread ids (kill and tgkill accept
 * them all, and Bun starts threads at will): the target's thread group comes
 * from /proc/TID/status. Groups: -1 (every process) is refused, and so is the
 * reaper's own process group. The reaper leaves sydbox's group and session
 * right after starting the command (reaper.ts), and then no sandboxed process
 * can join its group (the kernel refuses a group of another session): until it
 * has, kill(0) is refused too.
 */
import { procStat, procStatus } from "../procfs";
import { Errno } from "../errors";
import type { SignalTarget, SyscallRow } from "../syscalls/table";
import type { Call } from "./call";
import { CONTINUE, fail, type Verdict } from "./verdict";

/** The thread group of thread `tid`, or 0 when there is no such thread. */
export function tgidOf(tid: number): number {
  return procStatus(tid)?.tgid ?? 0;
}

/** The session of process `pid` (field 6 of /proc/PID/stat), or 0 when it is gone. */
function sessionOf(pid: number): number {
  const stat = procStat(pid);
  return stat ? Number(stat.fields[3]) : 0;
}

/** The process group of process `pid` (field 5 of /proc/PID/stat), or 0 when it is gone. */
function pgrpOf(pid: number): number {
  const stat = procStat(pid);
  return stat ? Number(stat.fields[2]) : 0;
}

/** sydbox's real uid: what setpriority(PRIO_USER) and ioprio_set(IOPRIO_WHO_USER) match. */
const ownUid = () => process.getuid?.() ?? 0;

/** Checks the calls of the table's `signal` rows; one per supervisor thread. */
export class SignalGuard {
  /** Has the reaper left sydbox's session? Once true, for good (a session is never left). */
  private reaperAlone = false;

  /**
   * `sydbox` is our own pid; `reaper` the child stage's, also its process group
   * (0 under core/restrict, where the child stage became the command). The /proc
   * readers are parameters so that unit tests can stand in for them.
   */
  constructor(readonly sydbox: number, readonly reaper: number, private readonly session: (pid: number) => number = sessionOf, private readonly threadGroup: (tid: number) => number = tgidOf) {}

  /** The verdict on call `c` of `row`: a refusal protecting sydbox is reported (a "guard" verdict). */
  check(c: Pick<Call, "argInt" | "pid">, row: SyscallRow): Verdict {
    const t = row.signal!;
    const target = c.argInt(t.arg);
    const errno = this.verdict(c, t, target);
    if (errno === 0) return CONTINUE;
    if (errno === Errno.EPERM) return { kind: "guard", call: `${row.name}(${target})` };
    return fail(errno);
  }

  /**
   * Has the reaper left sydbox's process group? It does so microseconds after the
   * command starts: a kill(0) that comes first waits for it, a little.
   */
  private reaperLeft(): boolean {
    for (let i = 0; i < 100 && !this.reaperAlone; i++) {
      this.reaperAlone = this.session(this.reaper) === this.reaper;
      if (!this.reaperAlone) Bun.sleepSync(1);
    }
    return this.reaperAlone;
  }

  /** 0 to let the call through, else the errno to fail it with. */
  private verdict(c: Pick<Call, "argInt" | "pid">, t: SignalTarget, target: number): number {
    const reaper = this.reaper;
    switch (t.kind) {
      case "which": return this.whichVerdict(c, t.which!, target);
      case "pid":
        if (target === -1) return Errno.EPERM;
        if (target === 0) return reaper === 0 || this.reaperLeft() ? 0 : Errno.EPERM;
        // fall through
      case "owner": if (target < 0) return reaper !== 0 && target === -reaper ? Errno.EPERM : 0; // fall through
      case "thread": {
        // 0 (kill: the caller's group; F_SETOWN: nobody) and the kernel's own errors are its business.
        if (target <= 0) return 0;
        const tgid = this.threadGroup(target);
        // No such thread: the kernel's answer, given here so that a thread id reused
        // between this look and the call cannot slip through.
        if (tgid === 0) return Errno.ESRCH;
        return this.isProtected(tgid) ? Errno.EPERM : 0;
      }
    }
  }

  /** Is thread group `tgid` sydbox or the reaper (with its watchdog thread)? */
  private isProtected(tgid: number): boolean {
    return tgid === this.sydbox || (this.reaper !== 0 && tgid === this.reaper);
  }

  /**
   * setpriority, ioprio_set: a thread (0: the caller), a process group (0: the caller's;
   * refused when it is sydbox's or the reaper's, as the command starts in sydbox's), or a
   * user (refused when it is sydbox's, or 0: the caller's, which a build shares with it).
   * Other `which` values are the kernel's EINVAL.
   */
  private whichVerdict(c: Pick<Call, "argInt" | "pid">, w: NonNullable<SignalTarget["which"]>, who: number): number {
    const which = c.argInt(w.arg);
    if (which === w.process) {
      if (who <= 0) return 0;
      const tgid = this.threadGroup(who);
      return tgid === 0 ? Errno.ESRCH : this.isProtected(tgid) ? Errno.EPERM : 0;
    }
    if (which === w.pgrp) {
      const pgrp = who === 0 ? pgrpOf(c.pid) : who;
      return pgrp === pgrpOf(this.sydbox) || (this.reaper !== 0 && pgrp === this.reaper) ? Errno.EPERM : 0;
    }
    if (which === w.user) return who === 0 || who === ownUid() ? Errno.EPERM : 0;
    return 0;
  }
}
