/** `--export bpf|pfc`: print the filter libseccomp would load, run nothing. */
import { nodeFs } from "../lazy-node";
import { loadSeccomp } from "../../ffi/seccomp";
import type { FilterSpec } from "../launch/filter";
import { createContext } from "../launch/seccomp-context";

/**
 * Writes the filter to stdout in libseccomp's `format`; returns the exit status.
 * With core/restrict/general > 0 the restriction filter follows the main one (pfc
 * marks where; bpf simply concatenates the two programs, in load order).
 */
export function exportFilter(filter: FilterSpec, format: "bpf" | "pfc"): number {
  const sc = loadSeccomp();
  for (const spec of [filter, filter.restrict]) {
    if (spec === null) continue;
    if (format === "pfc" && spec !== filter) nodeFs().writeSync(1, "#\n# core/restrict filter: loaded second, just before the command's execve\n");
    const ctx = createContext(sc, spec);
    const rc = format === "pfc" ? sc.seccomp_export_pfc(ctx, 1) : sc.seccomp_export_bpf(ctx, 1);
    sc.seccomp_release(ctx);
    if (rc < 0) return 1;
  }
  return 0;
}
