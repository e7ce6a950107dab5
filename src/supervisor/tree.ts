/**
 * SIGUSR1/SIGUSR2: the process tree and each process's sandbox state, on
 * stderr. The main thread receives the signal and writes one byte (the detail
 * level) to a pipe the supervisor's poll also watches (Listener.watch), so the
 * request is served between two notifications even while the supervisor is
 * blocked; tracees wait only while the tree is printed.
 *
 * The tree is every descendant of sydbox but its child stage (the reaper, our
 * machinery), read from /proc; the state is the one the supervisor applies to
 * the process's next call.
 */
import { nodeFs } from "../lazy-node";
import { childrenByParent } from "../procfs";
import type { Config } from "../config/types";
import { byteStringToText as text } from "../policy/bytes";
import { cmdlineOf, cwdOf } from "../report/violation";
import type { ProcessStates, State } from "./state";

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  threads: number;
}

/** Every process below `root`, depth first, with its depth; `skip`'s children stand in its place. */
export function descendants(root: number, skip = 0): Array<{ info: ProcInfo; depth: number }> {
  const children = childrenByParent();
  const out: Array<{ info: ProcInfo; depth: number }> = [];
  const walk = (ppid: number, depth: number) => {
    for (const { pid, stat } of children.get(ppid) ?? []) {
      if (pid === skip) { walk(pid, depth); continue; }
      out.push({ info: { pid, ppid, comm: stat.comm, threads: Number(stat.fields[17]) }, depth });
      walk(pid, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

function modes(cfg: Config): string {
  const s = cfg.core.sandbox;
  return `exec:${s.exec} read:${s.read} write:${s.write} network:${s.network} lock:${cfg.core.trace.magic_lock}`;
}

function details(cfg: Config, pid: number): string[] {
  const l = cfg.lists;
  return [
    `cwd: ${text(cwdOf(pid))}`,
    `cmdline: ${text(cmdlineOf(pid))}`,
    `rules: exec ${l.exec.length}, read ${l.read.length}, write ${l.write.length}, bind ${l.bind.length}, connect ${l.connect.length}; ` +
      `violation: ${cfg.core.violation.decision}; kill_if_match ${cfg.exec.kill_if_match.length}, resume_if_match ${cfg.exec.resume_if_match.length}`,
  ];
}

/**
 * The tree as `sydbox: ` lines. `detail` 1 (SIGUSR1): pid, name, state and
 * modes; 2 (SIGUSR2): also ppid, threads, cwd, command line and rule counts.
 */
export function formatTree(states: ProcessStates, root: number, detail: number, reaper = 0): string {
  const procs = descendants(root, reaper);
  const ids = new Map<State, number>([[states.initial, 0]]);
  const lines = [`process tree of sydbox[${root}]: ${procs.length} process${procs.length === 1 ? "" : "es"}`];
  for (const { info, depth } of procs) {
    const state = states.of(info.pid);
    let id = ids.get(state);
    if (id === undefined) ids.set(state, (id = ids.size));
    const indent = "  ".repeat(depth + 1);
    const own = id === 0 ? "initial state" : `own state #${id}`;
    let line = `${indent}${text(info.comm)}[${info.pid}] ${own}: ${modes(state.cfg)}`;
    if (detail >= 2) line += ` (parent:${info.ppid}, threads:${info.threads})`;
    lines.push(line);
    if (detail >= 2) for (const d of details(state.cfg, info.pid)) lines.push(`${indent}  ${d}`);
  }
  return lines.map((l) => `sydbox: ${l}\n`).join("");
}

/** Prints the tree to stderr, synchronously (the Worker has no event loop turn to spare). */
export function printTree(states: ProcessStates, root: number, detail: number, reaper = 0): void {
  try { nodeFs().writeSync(2, formatTree(states, root, detail, reaper)); } catch { /* stderr closed: nothing to print to */ }
}
