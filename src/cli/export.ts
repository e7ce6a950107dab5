/** `--export bpf|pfc`: print the filter libseccomp would load, run nothing. */
import { nodeFs } from "../lazy-node";
import { loadSeccomp } from "../../ffi/seccomp";
import type { FilterSpec, ProgramSpec } from "../launch/filter";
import { createContext } from "../launch/seccomp-context";
import { SCMP_ACT_ALLOW } from "../../ffi/constants";
import { classOf, COMPAT_ENOSYS } from "../syscalls/classes";
import { archTable, numberOf } from "../syscalls/numbers";

/**
 * Writes the filter to stdout in libseccomp's `format`; returns the exit status.
 * The classification program comes first, then the refusals, the rules, and (core/restrict/general > 0)
 * the restriction filter: pfc marks each; bpf simply concatenates the programs, in load order.
 */
export function exportFilter(filter: FilterSpec, format: "bpf" | "pfc"): number {
  const sc = loadSeccomp();
  const titles = new Map<ProgramSpec | null, string>([
    [filter.classes, "classification: every syscall number's verdict (default ENOSYS), loaded first"],
    [filter.refusals, "refusals: argument values of allowed calls refused in BPF (default ALLOW), loaded second"],
    [filter, "rules: the supervisor's notifications and bpf-mode refusals (default ALLOW), loaded third, with the listener"],
    [filter.restrict, "core/restrict filter: loaded last, just before the command's execve"],
  ]);
  if (format === "pfc") nodeFs().writeSync(1, classificationText(filter));
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

/**
 * The classification as comment lines, one per assigned number: libseccomp's own listing
 * calls the numbers it cannot name "UNKNOWN" and leaves out the reasons.
 */
function classificationText(filter: FilterSpec): string {
  const lines = ["#", "# classification (src/syscalls/): architecture, number, name: verdict (why); unlisted numbers: ENOSYS"];
  for (const rule of filter.classes.rules) {
    const t = archTable(rule.onlyArches![0])!;
    const verdict = rule.action === SCMP_ACT_ALLOW ? "allow" : `errno ${rule.action & 0xffff}`;
    const c = classOf(rule.name);
    const why = COMPAT_ENOSYS.has(rule.name) && (t.name === "x86" || t.name === "x32")
      ? "newer than libseccomp 2.5's tables, which build the 32-bit ABIs"
      : c === undefined ? "table.ts row: checked per the sandbox modes" : c.trust ? `${c.why}; core/trust/${c.trust}` : c.why;
    lines.push(`# ${t.name} ${numberOf(t, rule.name) - t.bias} ${rule.name}: ${verdict} (${why})`);
  }
  return lines.join("\n") + "\n";
}
