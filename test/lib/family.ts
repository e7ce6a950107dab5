/**
 * A process family under sydbox for lifecycle tests: test/c/family.c (the
 * eldest, a plain child and a double-forked setsid daemon, all deaf to SIGTERM,
 * each calling the supervisor every 10 ms), with the pids of every member and
 * of the child stage. `killFamilies` SIGKILLs, by pid, whatever a test started
 * and left alive.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cc } from "./cc";
import { sydboxCommand } from "./sydbox";

const started: number[] = [];
const dirs: string[] = [];

/** Alive, and not a zombie awaiting its reaper. */
export function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

/** The fields of /proc/PID/stat after the command name: [0] is the state, [1] the parent, [2] the process group. */
export function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** The children of `pid` (its main thread's, where a Bun.spawn child hangs). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A running family: sydbox, its child stage (the reaper), and the three sandboxed processes. */
export interface Family { sydbox: Bun.Subprocess<"ignore", "ignore", "pipe">; stage: number; eldest: number; plain: number; daemon: number }

/**
 * Starts the family under `sydbox ...args -- family PIDFILE` (`prefix` runs
 * sydbox, e.g. as another user) and waits until all of it runs.
 */
export async function startFamily(args: string[], prefix: string[] = []): Promise<Family> {
  const dir = mkdtempSync(join(tmpdir(), "sydbox-family-"));
  dirs.push(dir);
  chmodSync(dir, 0o777); // the family may run as nobody
  const pidfile = join(dir, "pids");
  const sydbox = Bun.spawn([...prefix, ...sydboxCommand(), ...args, "--", cc("family"), pidfile], { stdout: "ignore", stderr: "pipe" });
  started.push(sydbox.pid);
  for (let i = 0; i < 600 && !existsSync(pidfile); i++) await Bun.sleep(50);
  if (!existsSync(pidfile)) throw new Error(`the family did not start: ${await new Response(sydbox.stderr).text()}`);
  const [eldest, plain, daemon] = readFileSync(pidfile, "utf8").trim().split(" ").map(Number);
  started.push(eldest, plain, daemon);
  return { sydbox, stage: childrenOf(sydbox.pid)[0], eldest, plain, daemon };
}

/** SIGKILLs, by pid, every process a test started through `startFamily` that is still alive; removes their directories. */
export function killFamilies(): void {
  for (const pid of started.splice(0)) if (alive(pid)) try { process.kill(pid, "SIGKILL"); } catch {}
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
