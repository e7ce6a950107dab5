/** `--export bpf|pfc`: print the filter libseccomp would load, run nothing. */
import { nodeFs } from "../lazy-node";
import { loadSeccomp } from "../../ffi/seccomp";
import { SCMP_ACT_ALLOW } from "../../ffi/constants";
import type { FilterSpec, ProgramSpec } from "../launch/filter-spec";
import { loadLibc } from "../../ffi/libc";
import { compileFilter, createContext, filterBpf } from "../launch/seccomp-context";
import { classOf, COMPAT_ENOSYS } from "../syscalls/classes";

/**
 * Writes the filter to stdout; returns the exit status. bpf: the program sydbox loads (the
 * classification, refusals and rules spliced into one), then, with core/restrict/general > 0,
 * the restriction program, in load order. pfc: the classification number by number (compiled
 * by sydbox, src/launch/classes-bpf.ts), then libseccomp's listing of the other parts.
 */
export function exportFilter(filter: FilterSpec, format: "bpf" | "pfc"): number {
  const sc = loadSeccomp();
  const write = (s: string | Uint8Array) => (typeof s === "string" ? nodeFs().writeSync(1, s) : nodeFs().writeSync(1, s));
  if (format === "bpf") {
    write(filterBpf(loadLibc(), sc, filter));
    if (filter.restrict) write(compileFilter(loadLibc(), sc, filter.restrict));
    return 0;
  }
  write(classificationText(filter));
  const titles = new Map<ProgramSpec | null, string>([
    [filter.refusals, "refusals: argument values of allowed calls refused in BPF, consulted second (its ALLOW goes on to the rules)"],
    [filter, "rules: the supervisor's notifications and bpf-mode refusals, consulted last"],
    [filter.restrict, "core/restrict filter: a second program, loaded just before the command's execve"],
  ]);
  for (const [spec, title] of titles) {
    if (spec === null) continue;
    write(`#\n# ${title}\n`);
    const ctx = createContext(sc, spec);
    const rc = sc.seccomp_export_pfc(ctx, 1);
    sc.seccomp_release(ctx);
    if (rc < 0) return 1;
  }
  return 0;
}

/** The classification program, one comment line per assigned number, with the reason for its verdict. */
function classificationText(filter: FilterSpec): string {
  const lines = [
    "#", "# classification: every syscall number's verdict, consulted first (src/syscalls/; compiled by src/launch/classes-bpf.ts)",
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
