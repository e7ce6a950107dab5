/** `--export bpf|pfc`: print the filter libseccomp would load, run nothing. */
import { nodeFs } from "../lazy-node";
import { loadSeccomp } from "../../ffi/seccomp";
import { SCMP_ACT_ALLOW } from "../../ffi/constants";
import type { FilterSpec, ProgramSpec } from "../launch/filter";
import { classesBpf } from "../launch/classes-bpf";
import { createContext } from "../launch/seccomp-context";
import { classOf, COMPAT_ENOSYS } from "../syscalls/classes";

/**
 * Writes the filter to stdout; returns the exit status. Programs in load order: the
 * classification (compiled by sydbox, src/launch/classes-bpf.ts: pfc lists it number by
 * number), the refusals, the rules and (core/restrict/general > 0) the restriction filter
 * (libseccomp's pfc). bpf simply concatenates the programs, in load order.
 */
export function exportFilter(filter: FilterSpec, format: "bpf" | "pfc"): number {
  const sc = loadSeccomp();
  const write = (s: string | Uint8Array) => nodeFs().writeSync(1, s);
  if (format === "pfc") write(classificationText(filter));
  else write(classesBpf(filter.classes));
  const titles = new Map<ProgramSpec | null, string>([
    [filter.refusals, "refusals: argument values of allowed calls refused in BPF (default ALLOW), loaded second"],
    [filter, "rules: the supervisor's notifications and bpf-mode refusals (default ALLOW), loaded third, with the listener"],
    [filter.restrict, "core/restrict filter: loaded last, just before the command's execve"],
  ]);
  for (const [spec, title] of titles) {
    if (spec === null) continue;
    if (format === "pfc") write(`#\n# ${title}\n`);
    const ctx = createContext(sc, spec);
    const rc = format === "pfc" ? sc.seccomp_export_pfc(ctx, 1) : sc.seccomp_export_bpf(ctx, 1);
    sc.seccomp_release(ctx);
    if (rc < 0) return 1;
  }
  return 0;
}

/** The classification program, one comment line per assigned number, with the reason for its verdict. */
function classificationText(filter: FilterSpec): string {
  const lines = [
    "#", "# classification: every syscall number's verdict, loaded first (src/syscalls/; compiled by src/launch/classes-bpf.ts)",
    "# architecture number name: verdict (why); numbers not listed, and any other architecture's: ENOSYS, KILL_PROCESS",
  ];
  for (const { table: t, actions } of filter.classes.arches) {
    t.names.forEach((name, nr) => {
      const action = actions[nr];
      if (action === undefined) return;
      const verdict = action === SCMP_ACT_ALLOW ? "ALLOW" : `ERRNO(${action & 0xffff})`;
      const c = classOf(name);
      const why = COMPAT_ENOSYS.has(name) && (t.name === "x86" || t.name === "x32") && action !== SCMP_ACT_ALLOW
        ? "newer than libseccomp 2.5's tables, which build the 32-bit ABIs' rules"
        : c === undefined ? "table.ts row: checked per the sandbox modes" : c.trust ? `${c.why}; core/trust/${c.trust}` : c.why;
      lines.push(`# ${t.name} ${nr} ${name}: ${verdict} (${why})`);
    });
  }
  return lines.join("\n") + "\n";
}
