/**
 * The paired method for short commands: a and b start at the same moment, each pinned
 * to its own CPU (swapped every pair), and each pair gives one ratio b / a. Whatever the
 * host or the other tenants do to the machine's speed meanwhile, they do to both sides.
 */
import { median } from "./measure";
import type { PairedRow } from "./workloads";
import { describeFailure, runBounded } from "./proc";

/** One paired row's comparisons: sydbox against native and the floor, and native against itself (A/A). */
export interface PairedResult {
  row: PairedRow;
  vsNative: Paired;
  vsFloor: Paired;
  aa: Paired;
}

/** Ratios of one paired comparison, and both sides' values. */
export interface Paired {
  ratios: number[];
  a: number[];
  b: number[];
}

/** The value a run reports: what `value` reads from its stdout, else its wall seconds. */
async function run(argv: string[], cpu: number, value?: (stdout: string) => number | undefined): Promise<number> {
  const r = await runBounded(["taskset", "-c", String(cpu), ...argv], 600_000);
  const v = r.code === 0 ? (value ? value(r.stdout) : r.wallS) : undefined;
  if (v === undefined) throw new Error(`${argv.map((x) => x.replace(/^.*\//, "")).join(" ")}: ${r.code === 0 ? "no number in its output" : describeFailure(r, 600_000)}`);
  return v;
}

/** Runs `pairs` pairs of a against b; `onPair` sees each as it completes. */
export async function paired(a: string[], b: string[], pairs: number, value?: (stdout: string) => number | undefined, onPair?: (i: number, va: number, vb: number, cpus: [number, number]) => void): Promise<Paired> {
  const out: Paired = { ratios: [], a: [], b: [] };
  for (let i = 0; i < pairs; i++) {
    const cpus: [number, number] = i % 2 ? [1, 0] : [0, 1];
    const [va, vb] = await Promise.all([run(a, cpus[0], value), run(b, cpus[1], value)]);
    out.a.push(va);
    out.b.push(vb);
    out.ratios.push(vb / va);
    onPair?.(i, va, vb, cpus);
  }
  return out;
}

/** "1.012× (0.981–1.040, 6 pairs)". */
export function pairedText(p: Paired): string {
  if (!p.ratios.length) return "—";
  const f = (x: number) => x.toFixed(3);
  return `${f(median(p.ratios))}× (${f(Math.min(...p.ratios))}–${f(Math.max(...p.ratios))}, ${p.ratios.length} pairs)`;
}
