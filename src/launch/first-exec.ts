/**
 * The command's own execve, answered on the main thread. It is the first
 * notification of every run that watches exec, and SydBox lets it through
 * unchecked. Answering it here, instead of in the supervisor Worker, lets the
 * command start while the Worker's runtime is still booting: the Worker's
 * start-up (several ms) leaves the critical path of `sydbox -- cmd`.
 */
import type { Libc } from "../../ffi/libc";
import { answer } from "../supervisor/answer";
import { Listener, Wake } from "../supervisor/listener";
import { STAT_ROW } from "../supervisor/stats";
import { CONTINUE } from "../supervisor/verdict";
import type { FilterSpec } from "./filter-spec";
import { SCMP_ACT_NOTIFY } from "../../ffi/constants";

/** Does the filter send every execve to the supervisor? Then the first notification is the eldest's execve. */
export function notifiesExecve(filter: FilterSpec): boolean {
  return filter.rules.some((r) => r.name === "execve" && r.action === SCMP_ACT_NOTIFY && r.cmps.length === 0);
}

/**
 * Waits for the eldest's execve and lets it proceed. Until then only sydbox's
 * own child stage and the command it is starting (posix_spawn, reaper.ts)
 * carry the filter, so the first execve is the command's, and anything asked
 * before it is ours and is let through too. Returns true once the execve was
 * answered, false if the child stage died first (the listener hung up). Blocks
 * the main thread for the child stage's last few syscalls.
 */
export function answerEldestExecve(L: Libc, lfd: number, execveNr: number, stats: Int32Array): boolean {
  const n = new Listener(L, lfd);
  for (;;) {
    const w = n.wait();
    if (w === Wake.Hangup) return false;
    if (w !== Wake.Notification || n.receive() !== 0) continue;
    const execve = n.nr === execveNr;
    if (execve) stats[STAT_ROW.execve]++;
    answer(n, CONTINUE);
    if (execve) return true;
  }
}

/** Is every process that carried the filter gone? A non-blocking look at the listener. */
export function listenerHungUp(L: Libc, lfd: number): boolean {
  return new Listener(L, lfd).wait(0) === Wake.Hangup;
}
