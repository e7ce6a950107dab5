/** Formats the build bench's results as Markdown (printed and written to bench/BUILD-RESULTS.md). */
import type { BinutilsSource, Plan } from "./binutils";
import { EXPECTED_VERSION } from "./binutils";
import type { BuildSample, ColumnResult } from "./buildrun";
import { median } from "./measure";
import { type Environment, environmentLines } from "./report";

/** What the report says about the run besides the samples. */
export interface BuildRunInfo {
  env: Environment;
  src: BinutilsSource;
  plan: Plan;
  rounds: number;
  work: string;
  /** Set while rounds are still running: the report says it is incomplete. */
  partial?: boolean;
}

/** Target of issue #10: sandboxed wall ≤ 1.05× native, median over rounds, emulation off. */
export const TARGET = 1.05;

function good(res: ColumnResult): BuildSample[] {
  return res.samples.filter((s) => !s.error);
}

/** "95.1 (94.0–96.2)": median and range, with `digits` decimals and a unit suffix on each number. */
function spread(xs: number[], digits = 1, unit = ""): string {
  const f = (x: number) => `${x.toFixed(digits)}${unit}`;
  return xs.length > 1 ? `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})` : f(xs[0]);
}

function secs(xs: number[]): string {
  return xs.length ? spread(xs) : "**FAILED**";
}

function ratios(xs: number[]): string {
  return xs.length ? spread(xs, 3, "×") : "—";
}

/** Per-round ratio of a column to native over builds that both succeeded in that round. */
export function roundRatios(res: ColumnResult, native: ColumnResult | undefined, f: (s: BuildSample) => number): number[] {
  const out: number[] = [];
  if (!native) return out;
  for (const s of good(res)) {
    const n = good(native).find((x) => x.round === s.round);
    if (n && f(n) > 0) out.push(f(s) / f(n));
  }
  return out;
}

/** Violations of one build: the supervisor's count, or the reports seen if more. */
export function violationCount(s: BuildSample): number {
  return Math.max(s.stats?.violations ?? 0, s.violations.length);
}

function medianOf(samples: BuildSample[], f: (s: BuildSample) => number | undefined): number | undefined {
  const xs = samples.map(f).filter((x): x is number => x !== undefined);
  return xs.length ? median(xs) : undefined;
}

/** The main table: one row per column. */
export function buildTable(results: ColumnResult[]): string {
  const native = results.find((r) => r.spec.column === "native");
  const head = [
    "| build | ok / runs | wall s | user s | sys s | wall / native | (user+sys) / native | notifications | supervisor time | violations |",
    "|---|---:|---:|---:|---:|---|---|---:|---:|---:|",
  ];
  const body = results.map((res) => {
    const ok = good(res);
    const isNative = res === native;
    const wall = isNative ? "—" : ratios(roundRatios(res, native, (s) => s.wallS));
    const cpu = isNative ? "—" : ratios(roundRatios(res, native, (s) => s.userS + s.sysS));
    const notif = medianOf(res.samples, (s) => s.stats?.notifications);
    const supMs = medianOf(res.samples, (s) => s.stats?.supervisorMs);
    const wallMed = medianOf(ok, (s) => s.wallS);
    // Share of wall: how busy the single supervisor thread was, i.e. how close to saturation.
    const busy = wallMed ? `, ${((supMs ?? 0) / 10 / wallMed).toFixed(1)} % of wall` : "";
    const sup = supMs === undefined || !notif ? "—" : `${(supMs / 1000).toFixed(1)} s (${((supMs * 1000) / notif).toFixed(1)} µs each${busy})`;
    const viol = res.spec.sydbox ? res.samples.map(violationCount).join(", ") : "—";
    return `| ${res.spec.label} | ${ok.length} / ${res.samples.length} | ${secs(ok.map((s) => s.wallS))} | ${secs(ok.map((s) => s.userS))} | ${secs(ok.map((s) => s.sysS))} | ${wall} | ${cpu} | ${notif === undefined ? "—" : Math.round(notif)} | ${sup} | ${viol} |`;
  });
  return [...head, ...body].join("\n");
}

/** Notifications by syscall, median per build, for each sandboxed column; most frequent first. */
export function syscallTable(results: ColumnResult[]): string {
  const cols = results.filter((r) => r.samples.some((s) => s.stats));
  if (!cols.length) return "No sandboxed build printed --stats.";
  const names = new Map<string, number>();
  for (const r of cols) for (const s of r.samples) for (const [k, n] of s.stats?.bySyscall ?? []) names.set(k, Math.max(names.get(k) ?? 0, n));
  const order = [...names.keys()].sort((a, b) => names.get(b)! - names.get(a)!);
  const total = (r: ColumnResult) => medianOf(r.samples, (s) => s.stats?.notifications) ?? 0;
  const head = [`| syscall | ${cols.map((r) => r.spec.column).join(" | ")} | share (${cols[0].spec.column}) |`, `|---|${cols.map(() => "---:").join("|")}|---:|`];
  const body = order.map((k) => {
    const ms = cols.map((r) => medianOf(r.samples, (s) => (s.stats ? (s.stats.bySyscall.get(k) ?? 0) : undefined)) ?? 0);
    const t = total(cols[0]);
    return `| ${k} | ${ms.map((m) => Math.round(m)).join(" | ")} | ${t ? `${((ms[0] / t) * 100).toFixed(1)} %` : "—"} |`;
  });
  return [...head, ...body].join("\n");
}

/** Wall seconds per phase, median per column. */
export function phaseTable(results: ColumnResult[], p: Plan): string {
  const head = [`| phase | ${results.map((r) => r.spec.column).join(" | ")} |`, `|---|${results.map(() => "---:").join("|")}|`];
  const body = p.phases.map((ph) => `| ${ph.name} | ${results.map((r) => secs(good(r).map((s) => s.phaseWallS[ph.name]))).join(" | ")} |`);
  return [...head, ...body].join("\n");
}

/** Whether the target was met, as the verdict line under the table. */
export function verdict(results: ColumnResult[], quick: boolean): string {
  const native = results.find((r) => r.spec.column === "native");
  const sb = results.find((r) => r.spec.column === "sydbox");
  const csup = results.find((r) => r.spec.column === "csup");
  const floor = csup ? roundRatios(csup, native, (s) => s.wallS) : [];
  const floorNote = floor.length
    ? `The C yardstick, the kernel's own charge for these notifications with no policy: ${median(floor).toFixed(3)}× native wall.`
    : "";
  const paired = sb ? roundRatios(sb, native, (s) => s.wallS) : [];
  if (!paired.length) return floorNote || `Target ≤ ${TARGET}× native wall (median, emulation off): no paired rounds to judge.`;
  const m = median(paired);
  const note = quick ? " (quick mode: libiberty only, not the target workload)" : "";
  return `Target ≤ ${TARGET}× native wall (median, emulation off): ${m <= TARGET ? "met" : "**missed**"} at ${m.toFixed(3)}×${note}.${floorNote ? ` ${floorNote}` : ""}`;
}

/** Failures, violations and binary checks, one bullet each. */
export function problems(results: ColumnResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    for (const s of r.samples) {
      if (s.error) out.push(`- **${r.spec.column} round ${s.round} FAILED**: ${s.error}`);
      const n = violationCount(s);
      if (n) out.push(`- **${r.spec.column} round ${s.round}: ${n} violation(s)**${s.violations.length ? `:\n${s.violations.slice(0, 20).map((v) => `  - \`${v}\``).join("\n")}` : ""}`);
    }
  }
  const checks = new Set(results.flatMap((r) => r.samples.flatMap((s) => s.checks)));
  for (const c of checks) out.push(`- binary check: \`${c}\``);
  return out.join("\n");
}

/** The whole BUILD-RESULTS.md. */
export function buildMarkdown(info: BuildRunInfo, results: ColumnResult[], quick: boolean): string {
  const { env, src, plan, rounds } = info;
  const version = src.version === EXPECTED_VERSION ? src.version : `${src.version} (**not ${EXPECTED_VERSION}, the version issue #10 names**)`;
  return `# sydbox build bench results

Generated by \`npm run bench:build\` (bench/build.ts); see bench/README.md for what the columns mean.
${info.partial ? "\n**Partial: the bench is still running (or was interrupted); rows hold the builds done so far.**\n" : ""}
${environmentLines(env, "a build runs 2 jobs on 2 CPUs, so any other load slows sandboxed and native builds unevenly.")}
- package: GNU binutils ${version}, \`${src.tarball}\` from Debian binutils-source ${src.debVersion} (upstream tarball, Debian's patches not applied)
- build: \`${plan.what}\` in a fresh unpacked tree per build, under ${info.work}
- method: ${rounds} round(s); each round builds once per column, order alternating between rounds; cells are median (min–max) over successful builds; ratios are taken within each round (sandboxed / native of the same round), then median (min–max); user and sys are wait4 rusage of the whole process tree (for sydbox including its own supervisor); sandboxed builds run with \`--stats\`

${buildTable(results)}

${verdict(results, quick)}

## Notifications by syscall (median per build, configure + make)

${syscallTable(results)}

## Wall seconds by phase

${phaseTable(results, plan)}

## Checks, failures and violations

${problems(results) || "- none"}
`;
}
