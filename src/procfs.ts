/**
 * /proc, read for sydbox's own needs: a text file in one read, /proc/PID/stat
 * parsed once for every reader (kill, the process tree, the signal guard,
 * process states, violation reports, the invoker's limits), and the system's
 * process table built from it. Read through libc, not node:fs, whose first use
 * costs a runtime milliseconds at start-up (src/lazy-node.ts).
 */
import { AT_FDCWD, O_CLOEXEC, O_RDONLY } from "../ffi/constants";
import { loadLibc } from "../ffi/libc";
import { cstr } from "./cstring";
import { nodeFs } from "./lazy-node";

// One buffer per thread (this module is instantiated per JS thread): a read fills it, then it is copied out.
const buf = Buffer.allocUnsafe(8192);

/**
 * A /proc text file (latin1), or null if it cannot be read (the process is
 * gone). One read: the kernel generates these files whole, and the ones read
 * here (stat, status, limits, pid_max) are far below the buffer's 8 KiB.
 */
export function readProcText(path: string): string | null {
  const n = readProc(path);
  return n > 0 ? buf.toString("latin1", 0, n) : null;
}

/**
 * A /proc number file read again and again through one descriptor: a pread at offset 0
 * makes the kernel generate it anew, one syscall instead of an open, a read and a close.
 * NaN while it cannot be read (opening is retried at the next read).
 */
export class ProcNumber {
  private fd = -1;
  constructor(private readonly path: string) {}

  read(): number {
    const L = loadLibc();
    if (this.fd < 0) this.fd = L.openat(AT_FDCWD, cstr(this.path), O_RDONLY | O_CLOEXEC, 0);
    if (this.fd < 0) return NaN;
    const n = Number(L.pread(this.fd, buf, 64, 0));
    return n > 0 ? Number(buf.toString("latin1", 0, n).trim()) : NaN;
  }
}

/** A process's /proc/PID/stat: its command name and the fields after it. */
export interface ProcStat {
  comm: string;
  /** Fields 3 onwards of proc(5): fields[0] is the state, [1] the ppid, [3] the session, [17] the thread count, [19] the start time. */
  fields: string[];
}

/**
 * `pid`'s /proc/PID/stat, or null when the process is gone. The command name is
 * in parentheses and may itself hold spaces and parentheses, so the fields are
 * those after the last ")".
 */
export function procStat(pid: number): ProcStat | null {
  const text = readProcText(`/proc/${pid}/stat`);
  if (text === null) return null;
  const close = text.lastIndexOf(")");
  return { comm: text.slice(text.indexOf("(") + 1, close), fields: text.slice(close + 2).split(" ") };
}

/** `/proc/TID/status` Tgid (the thread's process) and PPid, or null when the task is gone. */
export function procStatus(tid: number): { tgid: number; ppid: number } | null {
  const text = readProcText(`/proc/${tid}/status`);
  const tg = text && /\nTgid:\s*(\d+)/.exec(text), pp = text && /\nPPid:\s*(\d+)/.exec(text);
  return tg && pp ? { tgid: Number(tg[1]), ppid: Number(pp[1]) } : null;
}

/** Who a task is: its process (thread group), that process's parent, and an identity of that process. */
export interface TaskIdentity {
  tgid: number;
  ppid: number;
  /** Tells the process from a later one with its pid: here its start time (field 22, clock ticks since boot). */
  start: number;
}

/**
 * Fields 4 (ppid), 22 (start time) and 38 (exit_signal) of the /proc/PID/stat in `buf`
 * (`n` bytes), parsed in place: the supervisor reads one for every process it meets.
 * False if the text is not what proc(5) says.
 */
const statNumbers = { ppid: 0, start: 0, exitSignal: 0 };
function parseStat(n: number): boolean {
  // The command name may hold spaces and parentheses: fields 3 on follow the last ")".
  let i = buf.lastIndexOf(0x29, n - 1) + 2;
  if (i < 2) return false;
  let field = 3, value = 0, negative = false, seen = 0;
  for (; i <= n; i++) {
    const c = i < n ? buf[i] : 0x20;
    if (c !== 0x20) {
      if (c === 0x2d) negative = true;
      else value = value * 10 + (c - 0x30);
      continue;
    }
    const v = negative ? -value : value;
    if (field === 4) { statNumbers.ppid = v; seen++; }
    else if (field === 22) { statNumbers.start = v; seen++; }
    else if (field === 38) { statNumbers.exitSignal = v; return seen === 2; }
    field++; value = 0; negative = false;
  }
  return false;
}

/** The byte count of /proc file `path` read into `buf`, or -1. */
function readProc(path: string): number {
  const L = loadLibc();
  const fd = L.openat(AT_FDCWD, cstr(path), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return -1;
  const n = Number(L.read(fd, buf, buf.length));
  L.close(fd);
  return n;
}

/** A process's start time (field 22 of /proc/PID/stat), or null when it is gone. */
export function startTicks(pid: number): number | null {
  const n = readProc(`/proc/${pid}/stat`);
  return n > 0 && parseStat(n) ? statNumbers.start : null;
}

/**
 * The identity of task `tid` from /proc, or null when it is gone. One read of /proc/TID/stat
 * for a process's leader, as nearly every notifying task is (exit_signal, field 38, is -1 for
 * a thread that is not its group's leader, and only for one): /proc/TID/status, which
 * alone names the process, costs a larger file, and is read for other threads only.
 */
export function procIdentity(tid: number): TaskIdentity | null {
  const n = readProc(`/proc/${tid}/stat`);
  if (n <= 0 || !parseStat(n)) return null;
  if (statNumbers.exitSignal !== -1) return { tgid: tid, ppid: statNumbers.ppid, start: statNumbers.start };
  const ids = procStatus(tid);
  const start = ids && startTicks(ids.tgid);
  return ids && start !== null ? { tgid: ids.tgid, ppid: ids.ppid, start } : null;
}

/** A process of the table: its pid and its stat. */
export interface ProcEntry {
  pid: number;
  stat: ProcStat;
}

/**
 * Every process on the system by its parent's pid, each list in pid order, from
 * one pass over /proc. A process that exits during the pass is left out.
 */
export function childrenByParent(): Map<number, ProcEntry[]> {
  const children = new Map<number, ProcEntry[]>();
  const pids = nodeFs().readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  for (const pid of pids) {
    const stat = procStat(pid);
    if (!stat) continue;
    const ppid = Number(stat.fields[1]);
    const list = children.get(ppid);
    if (list) list.push({ pid, stat }); else children.set(ppid, [{ pid, stat }]);
  }
  return children;
}
