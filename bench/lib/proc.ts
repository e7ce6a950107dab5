/** Bounded child processes: every bench run has a deadline and cannot hang the bench. */

/** What one bounded run produced. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs argv with stdin closed and kills its whole process group after timeoutMs.
 * The group matters: killing only sydbox could leave a tracee (or a C supervisor's
 * child) spinning and skew every later measurement.
 */
export async function runBounded(argv: string[], timeoutMs: number, cwd?: string): Promise<RunResult> {
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn(argv, { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe", detached: true });
  } catch (e) {
    return { code: null, stdout: "", stderr: String(e), timedOut: false };
  }
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
  clearTimeout(timer);
  // Leftovers in the group (e.g. a tracee whose supervisor died) go too; ESRCH if none.
  killGroup(proc.pid);
  return { code, stdout, stderr, timedOut };
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
