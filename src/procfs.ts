/**
 * /proc/PID/stat, parsed once for every reader (kill, the process tree, the
 * signal guard, process states, violation reports). The command name is in
 * parentheses and may itself hold spaces and parentheses, so the fields are
 * those after the last ")".
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
