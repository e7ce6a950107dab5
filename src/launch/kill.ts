/**
 * core/violation/decision kill and killall: SIGTERM first so the process can
 * clean up, SIGKILL a moment later for one that ignores it.
 */
import { childrenByParent, procStat } from "../procfs";

const GRACE_MS = 1000;

function signal(pid: number, sig: NodeJS.Signals): void {
  try { process.kill(pid, sig); } catch { /* already gone */ }
}

/** Terminates `pid`: SIGTERM, then SIGKILL after a grace period. */
export function terminate(pid: number): void {
  signal(pid, "SIGTERM");
  setTimeout(() => signal(pid, "SIGKILL"), GRACE_MS).unref();
}

/** The parent pid of `pid`, from /proc; NaN when it is gone. */
export function parentOf(pid: number): number {
  const stat = procStat(pid);
  return stat ? Number(stat.fields[1]) : NaN; // NaN: exited meanwhile
}

/** `root` and every process descended from it, from /proc. */
export function descendants(root: number): number[] {
  const children = childrenByParent();
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const c of children.get(out[i]) ?? []) out.push(c.pid);
  return out;
}

/** Terminates every process of the tree under `root`, but not `root` (the reaper, which then exits by itself). */
export function terminateAll(root: number): void {
  for (const pid of descendants(root).slice(1)) terminate(pid);
}
