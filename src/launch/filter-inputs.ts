/**
 * From a configuration to the filter's inputs: the one mapping the run and `learn`
 * share, kept apart from both so that neither imports the other.
 */
import type { Config } from "../config/types";
import type { FilterInputs } from "./filter-spec";

/**
 * The filter knobs a configuration implies; `arches` are -a's libseccomp tokens.
 * A dry run must deny nothing, so categories in bpf mode (denied by the kernel,
 * unseen) are notified instead; the supervisor then lets them through, silently
 * as bpf denials are.
 */
export function filterInputs(cfg: Config, arches: number[] = [], dryRun = false): FilterInputs {
  const modes = { ...cfg.core.sandbox };
  if (dryRun) for (const k of Object.keys(modes) as (keyof typeof modes)[]) if (modes[k] === "bpf") modes[k] = "deny";
  return {
    modes,
    magicLocked: cfg.core.trace.magic_lock === "on",
    // magic_lock:exec may be set at run time by any process whose lock is not on.
    watchExec: cfg.core.trace.magic_lock !== "on" || cfg.exec.kill_if_match.length > 0 || cfg.exec.resume_if_match.length > 0,
    trust: { ...cfg.core.trust },
    bpfOnly: cfg.core.violation.decision === "bpf",
    arches,
    restrict: { ...cfg.core.restrict },
    rootful: process.geteuid?.() === 0,
  };
}
