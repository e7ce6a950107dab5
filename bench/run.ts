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
import { collectStats, measure } from "./lib/measure";
import { compileC, ensureSydbox, ROOT } from "./lib/prepare";
import { runBounded } from "./lib/proc";
import { environment, markdown } from "./lib/report";
import { rows } from "./lib/workloads";

// Rounds stop early past this, so npm run bench stays under ~3 minutes even on a slow VM.
const BUDGET_MS = 120_000;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const rounds = Math.max(1, Number(option("--rounds") ?? 9) || 9);
  await ensureSydbox(process.argv.includes("--rebuild"));
  await compileC();
  const head = await runBounded(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], 10_000);
  const dirty = await runBounded(["git", "-C", ROOT, "status", "--porcelain", "--", "src"], 10_000);
  const gitHead = `${head.stdout.trim() || "?"}${dirty.stdout.trim() ? " (src/ has uncommitted changes)" : ""}`;

  const loadBefore = loadavg()[0];
  const results = await measure(rows(), rounds, BUDGET_MS);
  await collectStats(results);
  const done = Math.max(...results.flatMap((r) => Object.values(r.cells).map((c) => c!.samples.length + c!.errors.length)));
  const report = markdown(environment(gitHead, loadBefore), done, results);
  console.log(`\n${report}`);
  if (!process.argv.includes("--no-write")) {
    writeFileSync(join(ROOT, "bench", "RESULTS.md"), report);
    console.log("bench: wrote bench/RESULTS.md");
  }
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
