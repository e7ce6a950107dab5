/**
 * sydbox bench (`npm run bench`): C load programs run natively, under the C reference
 * supervisor and under dist/sydbox, interleaved over several rounds; prints the
 * median table and writes it to bench/RESULTS.md.
 *
 * Options: --rounds N (default 9), --rebuild (rebuild dist/sydbox first),
 * --no-write (print only, leave RESULTS.md alone).
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { flag, rounds } from "./lib/args";
import { collectStats, measure } from "./lib/measure";
import { compileC, ensureSydbox, gitHead, ROOT } from "./lib/prepare";
import { environment, markdown } from "./lib/report";
import { rows } from "./lib/workloads";

// Rounds stop early past this, so npm run bench stays under ~3 minutes even on a slow VM.
const BUDGET_MS = 120_000;

async function main(): Promise<void> {
  const n = rounds(9);
  await ensureSydbox(flag("--rebuild"));
  await compileC();
  const head = await gitHead();
  const loadBefore = loadavg();
  const results = await measure(rows(), n, BUDGET_MS);
  await collectStats(results);
  const done = Math.max(...results.flatMap((r) => Object.values(r.cells).map((c) => c!.samples.length + c!.errors.length)));
  const report = markdown(environment(head, loadBefore), done, results);
  console.log(`\n${report}`);
  if (!flag("--no-write")) {
    writeFileSync(join(ROOT, "bench", "RESULTS.md"), report);
    console.log("bench: wrote bench/RESULTS.md");
  }
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
