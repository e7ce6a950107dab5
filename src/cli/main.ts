/**
 * The parent's path: parse the command line, build the configuration, derive
 * the filter, run the command under supervision, and return its exit status.
 */
import { loadSeccomp, MissingLibraryError } from "../../ffi/seccomp";
import { ConfigError, LaunchError, SydError, UsageError } from "../errors";
import { nodeFs } from "../lazy-node";
import { resolveArches } from "../launch/arch";
import { buildFilter } from "../launch/filter";
import { filterInputs } from "../launch/filter-inputs";
import { CommandError, resolveCommand } from "../launch/command";
import { run } from "../launch/run";
import { abandon, type Prelaunch } from "../launch/prelaunch";
import { countsByName, cpuTimes, STAT } from "../supervisor/stats";
import { commandEnvironment } from "./environment";
import { parseInvocation } from "./program";
import { selfTest } from "./selftest";
import { loadConfig, RefusalError, refuseIfUnconfined } from "../config/sources";
import { exportFilter } from "./export";
import { SUBCOMMANDS } from "./subcommand-names";
import { finishRun, openRunDump } from "./observe";

const err = (s: string) => process.stderr.write(s.endsWith("\n") ? s : s + "\n");

/** Runs sydbox with `argv` (without the program name); returns the exit status. */
export async function main(argv: string[], pre: Prelaunch | null): Promise<number> {
  try {
    return await runCommandLine(argv, pre);
  } finally {
    if (pre && !launched) abandon(pre);
  }
}

let launched = false;

async function runCommandLine(argv: string[], pre: Prelaunch | null): Promise<number> {
  try {
    if (SUBCOMMANDS.includes(argv[0])) return (require("./subcommands") as typeof import("./subcommands")).runSubcommand(argv);
    if (argv[0] === "learn") {
      const { learn } = require("./learn") as typeof import("./learn");
      return await learn(argv.slice(1), pre, () => { launched = true; });
    }
    const inv = parseInvocation(argv);
    if ("exit" in inv) return inv.exit;
    loadSeccomp(); // fail early, with the package name, if libseccomp is missing
    if (inv.test) return await selfTest((l) => process.stdout.write(l + "\n"));
    const arches = resolveArches(loadSeccomp(), inv.arches);
    const cfg = loadConfig({ sources: inv.sources, env: process.env.SYDBOX_CONFIG });
    // -b wins over every source: a profile's decision:deny must not bring notifications back.
    if (inv.bpf) cfg.core.violation.decision = "bpf";
    if (!inv.exportFormat) refuseIfUnconfined(cfg, inv.command[0]);
    // A dry run needs the supervisor to let calls through: bpf only has none.
    if (inv.dryRun && cfg.core.violation.decision === "bpf") throw new UsageError("--dry-run needs the supervisor; it cannot be combined with -b or core/violation/decision:bpf");
    const filter = buildFilter(filterInputs(cfg, arches, inv.dryRun), loadSeccomp().seccomp_arch_native());
    if (inv.exportFormat) return exportFilter(filter, inv.exportFormat);
    const env = commandEnvironment(process.env, inv.env);
    const path = resolveCommand(inv.command[0], env.PATH);
    if (!pre) throw new Error("internal error: no prelaunched child stage");
    const dump = openRunDump(inv.dump);
    launched = true;
    const result = await run(pre, { path, argv: inv.command, env, filter, timing: inv.stats, config: cfg, dryRun: inv.dryRun, dump: dump?.dump });
    if (inv.stats) printStats(result.stats, result.syncWakeUp);
    // A dry run denied nothing: the command's own status stands.
    const status = exitStatus(result.status, inv.dryRun ? 0 : result.stats[STAT.VIOLATIONS], cfg.core.violation.exit_code);
    finishRun(dump, result.summary, inv.summary, status);
    return status;
  } catch (e) {
    if (e instanceof CommandError) { err(e.message); return e.status; }
    if (e instanceof RefusalError) { for (const l of e.lines) err(`sydbox: ${l}`); return 1; }
    if (e instanceof ConfigError || e instanceof SydError || e instanceof MissingLibraryError) { err(`sydbox: ${e.message}`); return 1; }
    // The supervisor failed (an unexpected error is fatal, never retried): the tree is killed.
    // Written synchronously: a sydbox out of fds cannot set up an asynchronous write.
    if (e instanceof LaunchError) { nodeFs().writeSync(2, `sydbox: ${e.message}\n`); return 1; }
    throw e;
  }
}

/**
 * core/violation/exit_code after a violation, as SydBox 2.0.1's code and test
 * suite (t0006, t0009, t0011) have it: a positive value is the exit status; 0
 * means exactly 128 when the command's status is below 128, and the status
 * itself when it is 128 or more (killed by a signal, say); -1 (the default)
 * leaves the command's status alone. (2.0.1's manual says "128 added to the
 * exit value"; its code never did that.)
 */
export function exitStatus(status: number, violations: number, exitCode: number): number {
  if (violations === 0 || exitCode < 0) return status;
  if (exitCode > 0) return exitCode;
  return status < 128 ? 128 : status;
}

function printStats(stats: Int32Array, syncWakeUp: boolean): void {
  const rows = countsByName(stats);
  const times = cpuTimes(stats);
  const total = rows.reduce((a, r) => a + r.count, 0) + stats[STAT.UNKNOWN];
  const ns = times.reduce((a, t) => a + t, 0);
  const each = (ns: number, n: number) => (n ? ` (${(ns / 1e3 / n).toFixed(1)} us each)` : "");
  err(`sydbox: stats: ${total} notifications, ${stats[STAT.VIOLATIONS]} violations, supervisor time ${(ns / 1e6).toFixed(1)} ms${each(ns, total)}, sync wake-up ${syncWakeUp ? "on" : "off"}`);
  for (const r of rows) err(`sydbox: stats: ${r.name} ${r.count}${each(r.ns, r.count)}`);
}
