/**
 * Paired comparison of two commands (`npm run bench:pair -- --a 'CMD' --b 'CMD'`): the
 * build bench's paired method for anything short. Each pair starts a and b at the same
 * moment, each pinned to its own CPU (swapped every pair), and takes b's wall time over
 * a's; the host's slow phases hit both. Prints every ratio, the median and the range.
 * With --a equal to --b it is an A/A run: how small a difference the method resolves.
 * Used for before/after of a change: --a runs the old binary, --b the new one.
 *
 * Options: see USAGE.
 */
import { checkArgs, option } from "./lib/args";
import { median } from "./lib/measure";
import { runBounded } from "./lib/proc";

const USAGE = `usage: bun run bench/pair.ts --a CMD --b CMD [--pairs N] [--repeat K]
  --a CMD, --b CMD   shell command lines (run with sh -c)
  --pairs N          pairs (default 10); CPUs swapped every pair
  --repeat K         run each command K times back to back per pair (default 1)`;

async function timed(cmd: string, cpu: number, repeat: number): Promise<number> {
  const loop = repeat > 1 ? `for _ in $(seq ${repeat}); do ${cmd} || exit 1; done` : cmd;
  const r = await runBounded(["taskset", "-c", String(cpu), "sh", "-c", loop], 600_000);
  if (r.code !== 0) throw new Error(`\`${cmd}' failed: exit ${r.code}: ${r.stderr.trim().split("\n").slice(-2).join(" ")}`);
  return r.wallS;
}

async function main(): Promise<void> {
  checkArgs(USAGE, [], ["--a", "--b", "--pairs", "--repeat"]);
  const a = option("--a"), b = option("--b");
  if (!a || !b) throw new Error("--a and --b are both needed");
  const n = Math.max(1, Number(option("--pairs") ?? 10) || 10);
  const repeat = Math.max(1, Number(option("--repeat") ?? 1) || 1);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) {
    const [ca, cb] = i % 2 ? [1, 0] : [0, 1];
    const [ta, tb] = await Promise.all([timed(a, ca, repeat), timed(b, cb, repeat)]);
    ratios.push(tb / ta);
    console.log(`pair ${i + 1}: a ${(ta * 1000).toFixed(1)} ms (CPU ${ca}), b ${(tb * 1000).toFixed(1)} ms (CPU ${cb}), b / a ${(tb / ta).toFixed(3)}`);
  }
  console.log(`b / a: median ${median(ratios).toFixed(3)}, range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)} over ${n} pairs`);
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
