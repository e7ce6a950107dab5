/**
 * sydbox bench (`npm run bench`): C load programs run natively, under the C reference
 * supervisor and under dist/sydbox, interleaved over several rounds; prints the
 * median table and writes it to bench/RESULTS.md.
 *
 * Options: see USAGE.
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { checkArgs, flag, option, rounds } from "./lib/args";
import { collectStats, measure, reported } from "./lib/measure";
import { floorArgs } from "./lib/floor";
import { BUILD, compileC, ensureSydbox, gitHead, ROOT } from "./lib/prepare";
import { environment, markdown } from "./lib/report";
import { paired, type PairedResult } from "./lib/paired";
import { PAIRS, type PairedRow, pairedRows, rows } from "./lib/workloads";

async function measurePaired(list: PairedRow[]): Promise<PairedResult[]> {
  const out: PairedResult[] = [];
  for (const row of list) {
    console.log(`bench: paired: ${row.name}`);
    out.push({
      row,
      vsNative: await paired(row.native, row.sydbox, PAIRS.compare, reported),
      vsFloor: await paired(row.floor, row.sydbox, PAIRS.compare, reported),
      aa: await paired(row.native, row.native, PAIRS.aa, reported),
    });
  }
  return out;
}

// Rounds stop early past this, so npm run bench stays under ~3 minutes even on a slow VM.
const BUDGET_MS = 120_000;

/** What `npm run bench -- --help` prints. */
const USAGE = `usage: bun run bench/run.ts [options]
  --rounds N   rounds (default 9; fewer if they take over 2 minutes)
  --rebuild    rebuild dist/sydbox first
  --no-write   print only, leave bench/RESULTS.md alone
  --only TEXT  only the rows whose name contains TEXT (implies --no-write, skips the paired section)
  --no-paired  skip the paired section (exec storm and syscall loops, native | floor | sydbox at once)`;

async function main(): Promise<void> {
  checkArgs(USAGE, ["--rebuild", "--no-write", "--no-paired"], ["--rounds", "--only"]);
  const n = rounds(9);
  await ensureSydbox(flag("--rebuild"));
  await compileC();
  const head = await gitHead();
  const loadBefore = loadavg();
  const floor = await floorArgs(["--profile", "paludis"], BUILD);
  const only = option("--only");
  const results = await measure(rows(floor.args).filter((r) => !only || r.name.includes(only)), n, BUDGET_MS);
  await collectStats(results);
  const pairedResults = flag("--no-paired") || only ? [] : await measurePaired(pairedRows(floor.args));
  const done = Math.max(...results.flatMap((r) => Object.values(r.cells).map((c) => c!.samples.length + c!.errors.length)));
  const report = markdown(environment(head, loadBefore), done, results, pairedResults);
  console.log(`\n${report}`);
  if (!flag("--no-write") && !only) {
    writeFileSync(join(ROOT, "bench", "RESULTS.md"), report);
    console.log("bench: wrote bench/RESULTS.md");
  }
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
