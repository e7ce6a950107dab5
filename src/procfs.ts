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
  const L = loadLibc();
  const fd = L.openat(AT_FDCWD, cstr(path), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return null;
  const n = Number(L.read(fd, buf, buf.length));
  L.close(fd);
  return n > 0 ? buf.toString("latin1", 0, n) : null;
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
