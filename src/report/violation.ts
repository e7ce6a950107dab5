/**
 * The access violation report, in SydBox 2's exact multi-line format on stderr:
 *
 *   sydbox: 8< -- Access Violation! --
 *   sydbox: open(`/etc/shadow')
 *   sydbox: proc: cat[1234] (parent:1233)
 *   sydbox: cwd: `/home/user'
 *   sydbox: cmdline: `cat /etc/shadow'
 *   sydbox: >8 --
 *
 * In colour only when stderr is a terminal.
 */
import { loadLibc } from "../../ffi/libc";
import { nodeFs } from "../lazy-node";
import { procStat } from "../procfs";

// Decided at the first report, not at import: touching process.stderr at import
// time builds Bun's stderr stream, which costs the Worker start-up time.
let colour: { red: string; reset: string } | null = null;
function colours(): { red: string; reset: string } {
  return (colour ??= loadLibc().isatty(2) === 1 ? { red: "\x1b[0;1;31;91m", reset: "\x1b[0m" } : { red: "", reset: "" });
}

function procField(pid: number): { comm: string; ppid: number } {
  const stat = procStat(pid);
  return stat ? { comm: stat.comm, ppid: Number(stat.fields[1]) } : { comm: "?", ppid: 0 };
}

/** The working directory of `pid` as a byte string, or "?" when it is gone. */
export function cwdOf(pid: number): string {
  try { return nodeFs().readlinkSync(`/proc/${pid}/cwd`, { encoding: "latin1" }); } catch { return "?"; }
}

/** The command line of `pid`, arguments joined by spaces, as a byte string, or "?" when it is gone. */
export function cmdlineOf(pid: number): string {
  try {
    return nodeFs().readFileSync(`/proc/${pid}/cmdline`, "latin1").replace(/\0$/, "").split("\0").join(" ");
  } catch {
    return "?";
  }
}

/** The report's lines for a violation by `pid`; `call` is e.g. "open(`/etc/shadow')". */
export function formatViolation(pid: number, call: string): string {
  const { comm, ppid } = procField(pid);
  const { red: RED, reset: RESET } = colours();
  const lines = [
    `${RED}8< -- Access Violation! --${RESET}`,
    `${RED}${call}${RESET}`,
    `proc: ${comm}[${pid}] (parent:${ppid})`,
    `cwd: \`${cwdOf(pid)}'`,
    `cmdline: \`${cmdlineOf(pid)}'`,
    `${RED}>8 --${RESET}`,
  ];
  return lines.map((l) => `sydbox: ${l}\n`).join("");
}

/** Writes a violation report to stderr (synchronously: the Worker has no event loop turns to spare). */
export function reportViolation(pid: number, call: string): void {
  nodeFs().writeSync(2, Buffer.from(formatViolation(pid, call), "latin1"));
}

/** The second report line for a path call: `name(`path')`, with `prefix=` for the at-calls as SydBox shows them. */
export function pathCall(name: string, paths: string[]): string {
  return `${name}(${paths.map((p) => `\`${p}'`).join(", ")})`;
}
