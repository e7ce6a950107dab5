/** Bounded child processes: every bench run has a deadline and cannot hang the bench. */

/** What one bounded run produced. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Wall-clock seconds from spawn to exit. */
  wallS: number;
  /**
   * CPU seconds from wait4's rusage: the child plus every descendant it (transitively)
   * waited for, so a whole make tree, and for sydbox its supervisor threads too.
   */
  userS: number;
  sysS: number;
}

/** Process groups of runs in flight, killed if the bench itself is interrupted. */
const live = new Set<number>();
let hooked = false;

/** On SIGINT/SIGTERM/SIGHUP, kill every group in flight before exiting: a build left running would skew the next bench. */
function hookSignals(): void {
  if (hooked) return;
  hooked = true;
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      for (const pid of live) killGroup(pid);
      console.error(`bench: ${sig}, killed ${live.size} run(s) in flight`);
      process.exit(130);
    });
  }
}

/**
 * Runs argv with stdin closed and kills its whole process group after timeoutMs.
 * The group matters: killing only sydbox could leave a tracee (or a C supervisor's
 * child) spinning and skew every later measurement.
 */
export async function runBounded(argv: string[], timeoutMs: number, cwd?: string): Promise<RunResult> {
  hookSignals();
  let proc: ReturnType<typeof Bun.spawn>;
  const t0 = performance.now();
  try {
    proc = Bun.spawn(argv, { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe", detached: true });
  } catch (e) {
    return { code: null, stdout: "", stderr: String(e), timedOut: false, wallS: 0, userS: 0, sysS: 0 };
  }
  live.add(proc.pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(proc.pid);
  }, timeoutMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout as ReadableStream).text(),
    new Response(proc.stderr as ReadableStream).text(),
    proc.exited,
  ]);
  const wallS = (performance.now() - t0) / 1000;
  clearTimeout(timer);
  // Leftovers in the group (e.g. a tracee whose supervisor died) go too; ESRCH if none.
  killGroup(proc.pid);
  live.delete(proc.pid);
  const cpu = proc.resourceUsage()?.cpuTime;
  return { code, stdout, stderr, timedOut, wallS, userS: Number(cpu?.user ?? 0) / 1e6, sysS: Number(cpu?.system ?? 0) / 1e6 };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // group already gone
  }
}

/** One-line description of a failed run, for the table and the console. */
export function describeFailure(r: RunResult, timeoutMs: number): string {
  if (r.timedOut) return `timed out after ${timeoutMs / 1000} s`;
  const lines = r.stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  // Bun crash output starts with source excerpts and ends in a "Bun v1.x (Linux x64)"
  // footer; the "TypeError: ..." line, else the "error: ..." line, explains the failure.
  const why =
    lines.find((l) => /^\w*Error: /.test(l)) ??
    lines.find((l) => /^(error|sydbox|csup|spawnloop)\b.*:/i.test(l)) ??
    lines.filter((l) => !/^Bun v\d/.test(l)).slice(-1)[0] ??
    "";
  return `exit ${r.code}${why ? `: ${why.slice(0, 160)}` : ""}`;
}

/**
 * A bounded CPU hog: one busy shell loop pinned to each of `cpus`, killed by stop()
 * or after maxMs at the latest (and with the bench if it is interrupted).
 */
export function startHog(cpus: number[], maxMs: number): { stop: () => void } {
  hookSignals();
  const pids = cpus.map((cpu) => {
    const p = Bun.spawn(["taskset", "-c", String(cpu), "sh", "-c", "while :; do :; done"], { stdin: "ignore", stdout: "ignore", stderr: "ignore", detached: true });
    live.add(p.pid);
    return p.pid;
  });
  const stop = () => {
    clearTimeout(timer);
    for (const pid of pids) { killGroup(pid); live.delete(pid); }
  };
  const timer = setTimeout(stop, maxMs);
  return { stop };
}
