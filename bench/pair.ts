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
import { paired, pairedText } from "./lib/paired";

const USAGE = `usage: bun run bench/pair.ts --a CMD --b CMD [--pairs N] [--repeat K]
  --a CMD, --b CMD   shell command lines (run with sh -c)
  --pairs N          pairs (default 10); CPUs swapped every pair
  --repeat K         run each command K times back to back per pair (default 1)`;

async function main(): Promise<void> {
  checkArgs(USAGE, [], ["--a", "--b", "--pairs", "--repeat"]);
  const a = option("--a"), b = option("--b");
  if (!a || !b) throw new Error("--a and --b are both needed");
  const n = Math.max(1, Number(option("--pairs") ?? 10) || 10);
  const repeat = Math.max(1, Number(option("--repeat") ?? 1) || 1);
  const sh = (cmd: string) => ["sh", "-c", repeat > 1 ? `for _ in $(seq ${repeat}); do ${cmd} || exit 1; done` : cmd];
  const p = await paired(sh(a), sh(b), n, undefined, (i, ta, tb, cpus) =>
    console.log(`pair ${i + 1}: a ${(ta * 1000).toFixed(1)} ms (CPU ${cpus[0]}), b ${(tb * 1000).toFixed(1)} ms (CPU ${cpus[1]}), b / a ${(tb / ta).toFixed(3)}`));
  console.log(`b / a: ${pairedText(p)}`);
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
