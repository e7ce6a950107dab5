/** `--export bpf|pfc`: print the filter libseccomp would load, run nothing. */
import { loadSeccomp } from "../../ffi/seccomp";
import type { FilterSpec } from "../launch/filter";
import { createContext } from "../launch/seccomp-context";

/** Writes the filter to stdout in libseccomp's `format`; returns the exit status. */
export function exportFilter(filter: FilterSpec, format: "bpf" | "pfc"): number {
  const sc = loadSeccomp();
  const ctx = createContext(sc, filter);
  const rc = format === "pfc" ? sc.seccomp_export_pfc(ctx, 1) : sc.seccomp_export_bpf(ctx, 1);
  sc.seccomp_release(ctx);
  return rc < 0 ? 1 : 0;
}
