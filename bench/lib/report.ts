/** Formats bench results as a Markdown report (printed and written to bench/RESULTS.md). */
import { readFileSync, statSync } from "node:fs";
import { availableParallelism, loadavg, release } from "node:os";
import { median, type RowResult } from "./measure";
import { SYDBOX } from "./prepare";
import { roundTrip, type Column } from "./workloads";
import { type Paired, type PairedResult, pairedText } from "./paired";

/** Facts about the machine and build that the numbers depend on. */
export interface Environment {
  nproc: number;
  cpu: string;
  kernel: string;
  bun: string;
  date: string;
  sydbox: string;
  /** 1/5/15-minute load averages before and after: others' test runs on the box skew everything. */
  load: string;
  /** Set when the box was busy enough (load > half the CPUs) to distrust the numbers. */
  busy: boolean;
}

/**
 * Reads nproc, CPU model, kernel release, Bun version, date and the sydbox build time;
 * loadBefore is os.loadavg() taken before the runs, ownLoad how many CPUs the bench itself keeps busy.
 */
export function environment(gitHead: string, loadBefore: number[], ownLoad = 1): Environment {
  let cpu = "unknown";
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpu;
  } catch {
    // not Linux /proc: keep "unknown"
  }
  let built = "?";
  try {
    built = statSync(SYDBOX).mtime.toISOString();
  } catch {
    // reported as ? when missing; the rows will say FAILED anyway
  }
  return {
    nproc: availableParallelism(),
    cpu,
    kernel: release(),
    bun: Bun.version,
    date: new Date().toISOString(),
    sydbox: `dist/sydbox built ${built}, repo HEAD ${gitHead}`,
    load: `${loads(loadBefore)} before, ${loads(loadavg())} after`,
    // The bench's own load (ownLoad CPUs) is part of the after-value.
    busy: loadBefore[0] > availableParallelism() / 2 || loadavg()[0] > availableParallelism() / 2 + ownLoad,
  };
}

function loads(l: number[]): string {
  return l.map((x) => x.toFixed(2)).join(" / ");
}

/** The Markdown bullet list describing the machine and build, with a warning when it was busy; `why` says what contention does to this bench. */
export function environmentLines(env: Environment, why: string): string {
  return `- machine: ${env.nproc} CPUs, ${env.cpu}
- kernel: ${env.kernel}
- Bun: ${env.bun}
- date: ${env.date}
- build: ${env.sydbox}
- load average (1 / 5 / 15 min): ${env.load}${env.busy ? `\n\n**Warning: other work was running on this machine; ${why} Rerun on an idle machine for target checks.**` : ""}`;
}

function num(v: number | undefined, unit: string): string {
  if (v === undefined) return "—";
  return unit === "µs/call" ? v.toFixed(2) : v.toFixed(unit === "ms/run" && v < 10 ? 3 : 1);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? "—" : `${(a / b).toFixed(2)}×`;
}

function cell(res: RowResult, col: Column): string {
  const c = res.cells[col];
  if (!c) return "—";
  const v = num(res.medians[col], res.row.unit);
  if (!c.samples.length) return "**FAILED**";
  return c.errors.length ? `${v} (${c.errors.length} failed)` : v;
}

/** The main table: medians per column, ratios vs native and the per-notification ratio vs C. */
export function table(results: RowResult[]): string {
  const head = [
    "| workload | unit | native | C yardstick | C + path read | sydbox | sydbox / native | C / native | round trip sydbox / C | round trip sydbox / (C + path read) | target |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  const body = results.map((res) => {
    const m = res.medians;
    const rt = res.row.perNotification ? roundTrip(m) : undefined;
    const rtRead = res.row.perNotification ? roundTrip(m, "cread") : undefined;
    const t = res.row.target;
    const verdict = t ? `${t.what}: ${({ true: "met", false: "**missed**", undefined: "?" } as const)[String(t.check(m)) as "true"]}` : "";
    return `| ${res.row.name} | ${res.row.unit} | ${cell(res, "native")} | ${cell(res, "c")} | ${cell(res, "cread")} | ${cell(res, "sydbox")} | ${ratio(m.sydbox, m.native)} | ${ratio(m.c, m.native)} | ${rt === undefined ? "—" : `${rt.toFixed(2)}×`} | ${rtRead === undefined ? "—" : `${rtRead.toFixed(2)}×`} | ${verdict} |`;
  });
  return [...head, ...body].join("\n");
}

/** Per-row notes: sydbox --stats, C yardstick sync state, sample counts and failures. */
export function details(results: RowResult[]): string {
  const out: string[] = [];
  for (const res of results) {
    const parts: string[] = [];
    const n = Object.entries(res.cells).map(([col, c]) => `${col} ${c!.samples.length}`).join(", ");
    parts.push(`samples: ${n}`);
    const whole = ratioSpread(res, "native");
    if (whole) parts.push(`sydbox / native per round: ${whole}`);
    const vsC = res.row.perNotification ? undefined : ratioSpread(res, "c");
    if (vsC) parts.push(`sydbox / C per round: ${vsC}`);
    const spread = roundTripSpread(res, "c");
    if (spread) parts.push(`round trip sydbox / C per round: ${spread}`);
    const spreadRead = roundTripSpread(res, "cread");
    if (spreadRead) parts.push(`round trip sydbox / (C + path read) per round: ${spreadRead}`);
    const cNotes = res.cells.c?.notes;
    if (cNotes?.size) parts.push(`C yardstick: ${[...cNotes].join(", ")}`);
    if (res.stats) parts.push(`sydbox --stats: ${res.stats}`);
    for (const [col, c] of Object.entries(res.cells)) {
      for (const e of new Set(c!.errors)) parts.push(`${col} error: ${e}`);
    }
    out.push(`- **${res.row.name}** — ${parts.join("; ")}`);
  }
  return out.join("\n");
}

/** sydbox / base computed within each round (they ran back to back), as median and min–max. */
function ratioSpread(res: RowResult, base: Column): string | undefined {
  const b = res.cells[base], sb = res.cells.sydbox;
  if (!b || !sb) return undefined;
  const ratios = sb.byRound.flatMap((s, i) => (s !== undefined && b.byRound[i] ? [s / b.byRound[i]!] : []));
  return ratios.length ? rangeText(ratios) : undefined;
}

function rangeText(ratios: number[]): string {
  const f = (x: number) => `${x.toFixed(2)}×`;
  return `median ${f(median(ratios))}, range ${f(Math.min(...ratios))}–${f(Math.max(...ratios))} over ${ratios.length} rounds`;
}

/**
 * Round trip ratio computed within each round (native, C and sydbox ran back to back)
 * as median and min–max: shows how much of a target miss or pass is noise.
 */
function roundTripSpread(res: RowResult, base: "c" | "cread"): string | undefined {
  if (!res.row.perNotification) return undefined;
  const { native, sydbox } = res.cells, c = res.cells[base];
  if (!native || !c || !sydbox) return undefined;
  const ratios: number[] = [];
  sydbox.byRound.forEach((s, i) => {
    const r = roundTrip({ native: native.byRound[i], [base]: c.byRound[i], sydbox: s }, base);
    if (r !== undefined) ratios.push(r);
  });
  return ratios.length ? rangeText(ratios) : undefined;
}

/** Issue #22's targets for the paired rows: sydbox / native. */
const PAIRED_TARGET = 1.05;

/** The paired section: per row, sydbox / native, sydbox / floor and the A/A, each median (range, pairs). */
export function pairedTable(results: PairedResult[]): string {
  if (!results.length) return "";
  const med = (p: Paired) => (p.a.length ? median(p.a) : undefined);
  const head = [
    "| workload (--profile paludis) | unit | native | exact floor | sydbox | sydbox / native | sydbox / floor | A/A native / native | target sydbox / native ≤ 1.05× |",
    "|---|---|---:|---:|---:|---:|---:|---:|---|",
  ];
  const body = results.map((r) => {
    const v = (x: number | undefined) => num(x, r.row.unit);
    const m = r.vsNative.ratios.length ? median(r.vsNative.ratios) : undefined;
    const verdict = m === undefined ? "?" : m <= PAIRED_TARGET ? "met" : "**missed**";
    return `| ${r.row.name} | ${r.row.unit} | ${v(med(r.vsNative))} | ${v(med(r.vsFloor))} | ${v(r.vsNative.b.length ? median(r.vsNative.b) : undefined)} | ${pairedText(r.vsNative)} | ${pairedText(r.vsFloor)} | ${pairedText(r.aa)} | ${verdict} |`;
  });
  return `## Paired: exec storm and non-notified syscalls

Each pair runs both commands at the same moment, each pinned to its own CPU (swapped every pair); the ratio is taken within the pair, then median (min–max). The A/A column (native against native) shows how small a difference this resolves on this machine now. The exact floor is the C yardstick loading sydbox's own filter (bench/lib/floor.ts).

${[...head, ...body].join("\n")}
`;
}

/** The whole RESULTS.md. */
export function markdown(env: Environment, rounds: number, results: RowResult[], pairedResults: PairedResult[] = []): string {
  return `# sydbox bench results

Generated by \`npm run bench\` (bench/run.ts); see bench/README.md for what each row means.
The binutils build benchmark (\`npm run bench:build\`) writes bench/BUILD-RESULTS.md.

${environmentLines(env, "sydbox (several threads) suffers more from CPU contention than the C yardstick.")}
- method: ${rounds} interleaved round(s), median per cell

${table(results)}

${pairedTable(pairedResults)}
## Details

${details(results)}
`;
}
