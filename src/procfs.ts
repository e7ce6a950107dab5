/**
 * /proc/PID/stat, parsed once for every reader (kill, the process tree, the
 * signal guard, process states, violation reports), and the system's process
 * table built from it. The command name is in parentheses and may itself hold
 * spaces and parentheses, so the fields are those after the last ")".
 */
import { nodeFs } from "./lazy-node";

/** A process's /proc/PID/stat: its command name and the fields after it. */
export interface ProcStat {
  comm: string;
  /** Fields 3 onwards of proc(5): fields[0] is the state, [1] the ppid, [3] the session, [17] the thread count, [19] the start time. */
  fields: string[];
}

/** `pid`'s /proc/PID/stat, or null when the process is gone. */
export function procStat(pid: number): ProcStat | null {
  let text: string;
  try { text = nodeFs().readFileSync(`/proc/${pid}/stat`, "latin1"); } catch { return null; }
  const close = text.lastIndexOf(")");
  return { comm: text.slice(text.indexOf("(") + 1, close), fields: text.slice(close + 2).split(" ") };
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
