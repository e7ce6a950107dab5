/** Formats the build bench's results as Markdown (printed and written to bench/BUILD-RESULTS.md). */
import type { BinutilsSource, Plan } from "./binutils";
import { EXPECTED_VERSION } from "./binutils";
import type { BuildSample, ColumnResult, PairResult } from "./buildrun";
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

/** Targets of issue #22 for the paired method. */
export const PAIRED_TARGET = { native: 1.03, floor: 1.01 } as const;

/** b/a wall of each pair where both builds succeeded. */
export function pairRatios(res: PairResult, f: (s: BuildSample) => number = (s) => s.wallS): number[] {
  return res.samples.filter((s) => !s.a.error && !s.b.error && f(s.a) > 0).map((s) => f(s.b) / f(s.a));
}

function pairName(res: PairResult): string {
  return `${res.pair.b.column} / ${res.pair.a.column}`;
}

/** One row per kind of pair: both sides' walls, every pair's ratio (with the CPU b ran on), median and range. */
export function pairTable(results: PairResult[]): string {
  const head = [
    "| pair (b / a) | ok / pairs | a wall s | b wall s | b / a wall, each pair (b's CPU) | median | min–max | geometric mean | (user+sys) b / a, median | notifications a, b | violations |",
    "|---|---:|---:|---:|---|---:|---|---:|---:|---|---|",
  ];
  const body = results.map((res) => {
    const ok = res.samples.filter((s) => !s.a.error && !s.b.error);
    const r = pairRatios(res);
    const each = ok.map((s) => `${(s.b.wallS / s.a.wallS).toFixed(3)} (${s.cpus[1]})`).join(", ") || "—";
    const cpu = pairRatios(res, (s) => s.userS + s.sysS);
    const notif = (side: "a" | "b") => medianOf(res.samples.map((s) => s[side]), (s) => s.stats?.notifications);
    const n = [notif("a"), notif("b")].map((x) => (x === undefined ? "—" : String(Math.round(x)))).join(", ");
    const viol = [res.pair.a, res.pair.b].some((c) => c.sydbox) ? res.samples.map((s) => violationCount(s.a) + violationCount(s.b)).join(", ") : "—";
    const geo = r.length ? `${Math.exp(r.reduce((x, y) => x + Math.log(y), 0) / r.length).toFixed(3)}×` : "—";
    return `| ${pairName(res)} | ${ok.length} / ${res.samples.length} | ${secs(ok.map((s) => s.a.wallS))} | ${secs(ok.map((s) => s.b.wallS))} | ${each} | ${r.length ? `${median(r).toFixed(3)}×` : "—"} | ${r.length ? `${Math.min(...r).toFixed(3)}–${Math.max(...r).toFixed(3)}` : "—"} | ${geo} | ${cpu.length ? `${median(cpu).toFixed(3)}×` : "—"} | ${n} | ${viol} |`;
  });
  return [...head, ...body].join("\n");
}

/** What the A/A pairs (a column against itself) say about the method's resolution. */
export function resolution(results: PairResult[]): string {
  const aa = results.filter((r) => r.pair.a.column === r.pair.b.column).flatMap((r) => pairRatios(r));
  if (!aa.length) return "No A/A pairs in this run (`--pairs native:native,...`): the method's resolution was not measured.";
  const dev = Math.max(...aa.map((x) => Math.abs(x - 1)));
  return `A/A (a column against itself, ${aa.length} pair(s)): median ${median(aa).toFixed(3)}×, every pair within ±${(dev * 100).toFixed(1)} % of 1: a difference smaller than that is not resolved by a single pair; the median of n pairs resolves less.`;
}

/** The paired verdicts: sydbox / native and sydbox / floor medians against #22's targets, plus violations. */
export function pairedVerdict(results: PairResult[], quick: boolean): string {
  const out: string[] = [];
  const find = (a: string, b: string) => results.find((r) => r.pair.a.column === a && r.pair.b.column === b);
  for (const [base, target] of [["native", PAIRED_TARGET.native], ["floor", PAIRED_TARGET.floor]] as const) {
    const r = find(base, "sydbox");
    const xs = r ? pairRatios(r) : [];
    if (xs.length) out.push(`sydbox / ${base}: median ${median(xs).toFixed(3)}× over ${xs.length} pair(s), target ≤ ${target}×: ${median(xs) <= target ? "met" : "**missed**"}`);
  }
  const v = results.reduce((a, r) => a + r.samples.reduce((b, s) => b + violationCount(s.a) + violationCount(s.b), 0), 0);
  out.push(`violations: ${v}`);
  if (quick) out.push("quick mode: libiberty only, not the target workload");
  return out.map((l) => `- ${l}`).join("\n");
}

/** Notifications by syscall of every side that counted them (sydbox, the floor), median per build. */
function pairSyscallTable(results: PairResult[]): string {
  const cols: ColumnResult[] = [];
  for (const r of results) {
    for (const side of ["a", "b"] as const) {
      const spec = r.pair[side];
      if (!r.samples.some((s) => s[side].stats)) continue;
      const have = cols.find((c) => c.spec.column === spec.column);
      const samples = r.samples.map((s) => s[side]);
      if (have) have.samples.push(...samples);
      else cols.push({ spec, samples });
    }
  }
  return syscallTable(cols);
}

/** The paired method's BUILD-RESULTS.md. */
export function pairedMarkdown(info: BuildRunInfo, results: PairResult[], quick: boolean, loaded: boolean): string {
  const { env, src, plan, rounds } = info;
  return `# sydbox build bench results: paired method

Generated by \`npm run bench:build -- --paired\` (bench/build.ts); see bench/README.md for the method.
${info.partial ? "\n**Partial: the bench is still running (or was interrupted); rows hold the pairs done so far.**\n" : ""}
${environmentLines(env, "the paired method is meant to cope with it: both builds of a pair share whatever slows the machine.")}
- package: GNU binutils ${src.version}, \`${src.tarball}\` from Debian binutils-source ${src.debVersion}
- build: \`${plan.what}\` in a fresh unpacked tree per build, under ${info.work}
- method: ${rounds} round(s) of paired builds: in each pair both builds start together, a pinned to one CPU and b to the other (\`taskset -c\`; sydbox's threads inherit it, so the supervisor runs on its build's CPU), CPUs swapped every round; ratio b / a per pair, then median and range; with as many pairs on each CPU assignment, the geometric mean cancels a constant speed difference between the two CPUs exactly${loaded ? "; **loaded**: a busy-loop hog on every CPU during every pair" : ""}; sandboxed and floor builds run with \`--stats\`

${pairTable(results)}

${pairedVerdict(results, quick)}

${resolution(results)}

## Notifications by syscall (median per build, configure + make)

${pairSyscallTable(results)}

## Checks, failures and violations

${problems(results.map((r) => ({ spec: r.pair.a, samples: r.samples.map((s) => s.a) })).concat(results.map((r) => ({ spec: r.pair.b, samples: r.samples.map((s) => s.b) })))) || "- none"}
`;
}
