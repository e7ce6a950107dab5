/**
 * core/violation/decision kill and killall: SIGTERM first so the process can
 * clean up, SIGKILL a moment later for one that ignores it.
 */
import { readdirSync, readFileSync } from "node:fs";

const GRACE_MS = 1000;

function signal(pid: number, sig: NodeJS.Signals): void {
  try { process.kill(pid, sig); } catch { /* already gone */ }
}

/** Terminates `pid`: SIGTERM, then SIGKILL after a grace period. */
export function terminate(pid: number): void {
  signal(pid, "SIGTERM");
  setTimeout(() => signal(pid, "SIGKILL"), GRACE_MS).unref();
}

/** `root` and every process descended from it, from /proc. */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch { /* exited meanwhile */ }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  return out;
}

/** Terminates every process of the tree under `root`. */
export function terminateAll(root: number): void {
  for (const pid of descendants(root)) terminate(pid);
}
