/**
 * The invoker's RLIMIT_NOFILE. Bun raises the soft limit to the hard one before
 * any of our code runs, so our own limit no longer tells what we were given.
 *
 * What we can still see is the limit of the process that started us: a shell or
 * Paludis forks and execs without touching limits, so when its hard limit equals
 * ours, its soft limit is the one we inherited. When the hard limits differ
 * (`prlimit --nofile=S:H sydbox ...` changed them on the way), the invoker's soft
 * value is unknowable and we keep Bun's (soft = hard), which only errs upward.
 */
import { readProcText } from "../procfs";

function nofile(pid: number | "self"): [number, number] | null {
  const m = readProcText(`/proc/${pid}/limits`)?.match(/^Max open files\s+(\S+)\s+(\S+)/m);
  if (!m) return null;
  const v = (s: string) => (s === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(s));
  return [v(m[1]), v(m[2])];
}

/** [soft, hard] to give the command, or null to leave the limit as it is. */
export function invokerNofile(): [number, number] | null {
  const ours = nofile("self");
  const theirs = nofile(process.ppid);
  if (!ours || !theirs || theirs[1] !== ours[1] || theirs[0] > ours[1]) return null;
  return theirs;
}
