/** `--export bpf|pfc`: print the filter libseccomp would load, run nothing. */
import { nodeFs } from "../lazy-node";
import { loadSeccomp } from "../../ffi/seccomp";
import type { FilterSpec, ProgramSpec } from "../launch/filter";
import { createContext } from "../launch/seccomp-context";

/**
 * Writes the filter to stdout in libseccomp's `format`; returns the exit status.
 * The classification program comes first, then the rules, then (core/restrict/general > 0)
 * the restriction filter: pfc marks each; bpf simply concatenates the programs, in load order.
 */
export function exportFilter(filter: FilterSpec, format: "bpf" | "pfc"): number {
  const sc = loadSeccomp();
  const titles = new Map<ProgramSpec | null, string>([
    [filter.classes, "classification: every syscall number's verdict (default ENOSYS), loaded first"],
    [filter, "rules: notifications and argument refusals of the allowed calls (default ALLOW), loaded second"],
    [filter.restrict, "core/restrict filter: loaded last, just before the command's execve"],
  ]);
  for (const [spec, title] of titles) {
    if (spec === null) continue;
    if (format === "pfc") nodeFs().writeSync(1, `#\n# ${title}\n`);
    const ctx = createContext(sc, spec);
    const rc = format === "pfc" ? sc.seccomp_export_pfc(ctx, 1) : sc.seccomp_export_bpf(ctx, 1);
    sc.seccomp_release(ctx);
    if (rc < 0) return 1;
  }
  return 0;
}
