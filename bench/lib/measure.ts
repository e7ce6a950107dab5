/** Runs the rows in interleaved rounds and keeps the median of each cell. */
import { describeFailure, runBounded } from "./proc";
import type { Column, Measured, Row } from "./workloads";

/** Per-run deadline: the slowest healthy run (a 100k loop at 50 µs without sync wake-up) takes ~5 s. */
export const RUN_TIMEOUT_MS = 30_000;

/** Result of one cell across rounds. */
export interface Cell {
  samples: number[];
  /** The same samples by round (undefined where the run failed), for paired per-round ratios. */
  byRound: (number | undefined)[];
  errors: string[];
  /** Extra stderr facts worth reporting, e.g. whether the C yardstick had sync wake-up. */
  notes: Set<string>;
}

/** Medians plus raw cells for one row. */
export interface RowResult {
  row: Row;
  medians: Measured;
  cells: Partial<Record<Column, Cell>>;
  /** sydbox --stats summary line(s), from one extra run. */
  stats?: string;
}

const NUMBER = /([\d.]+) (?:us\/call|ms\/run)/;

/** The fastest batch or run (statbench getpid/read, spawnloop -m): on a shared machine, the cost without preemptions. */
const MIN = /min ([\d.]+) (?:us\/call|ms\/run)/;

/** The number a load program printed (its fastest batch where it gives one, else µs/call or ms/run), if any. */
export function reported(stdout: string): number | undefined {
  const m = MIN.exec(stdout) ?? NUMBER.exec(stdout);
  return m ? Number(m[1]) : undefined;
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs every variant of every row once per round. Within a round all variants of a
 * row run back to back (alternating order) and the starting row rotates, so native, C and sydbox see the
 * same machine state (thermal, page cache, noisy neighbours on a shared VM).
 * Stops adding rounds once budgetMs is spent, keeping at least one.
 */
export async function measure(rows: Row[], rounds: number, budgetMs: number): Promise<RowResult[]> {
  const results: RowResult[] = rows.map((row) => ({ row, medians: {}, cells: {} }));
  const start = performance.now();
  for (let round = 0; round < rounds; round++) {
    if (round > 0 && performance.now() - start > budgetMs) {
      console.log(`bench: time budget spent, stopping after ${round} round(s)`);
      break;
    }
    const t0 = performance.now();
    for (let k = 0; k < rows.length; k++) {
      const res = results[(k + round) % rows.length];
      // Alternate the order inside a row too, so no column always runs right after sydbox.
      const variants = round % 2 ? [...res.row.variants].reverse() : res.row.variants;
      for (const v of variants) {
        const cell = (res.cells[v.column] ??= { samples: [], byRound: [], errors: [], notes: new Set() });
        cell.byRound[round] = await sample(v.argv, cell);
      }
    }
    console.log(`bench: round ${round + 1}/${rounds} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  for (const res of results) {
    for (const [col, cell] of Object.entries(res.cells) as [Column, Cell][]) {
      if (cell.samples.length) res.medians[col] = median(cell.samples);
    }
  }
  return results;
}

async function sample(argv: string[], cell: Cell): Promise<number | undefined> {
  const r = await runBounded(argv, RUN_TIMEOUT_MS);
  const v = reported(r.stdout);
  for (const line of r.stderr.split("\n")) if (line.startsWith("csup: sync wake-up")) cell.notes.add(line.slice(6));
  if (r.code === 0 && v !== undefined) {
    cell.samples.push(v);
    return v;
  }
  const why = r.code === 0 ? `no number in output: ${r.stdout.trim().slice(0, 120)}` : describeFailure(r, RUN_TIMEOUT_MS);
  cell.errors.push(why);
  console.error(`bench: FAILED ${argv.map((a) => (a.startsWith("/") ? a.replace(/^.*\//, "") : a)).join(" ")}: ${why}`);
  return undefined;
}

/** One --stats run per sydbox variant: what the supervisor saw and how long it spent. */
export async function collectStats(results: RowResult[]): Promise<void> {
  for (const res of results) {
    const v = res.row.variants.find((x) => x.statsArgv);
    if (!v?.statsArgv) continue;
    const r = await runBounded(v.statsArgv, RUN_TIMEOUT_MS);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("sydbox: stats:"));
    res.stats = lines.length
      ? lines.map((l) => l.slice("sydbox: stats: ".length)).join("; ")
      : `no stats (${describeFailure(r, RUN_TIMEOUT_MS)})`;
  }
}
