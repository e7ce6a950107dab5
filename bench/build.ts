/**
 * Build bench (`npm run bench:build`): GNU binutils built natively and under
 * `dist/sydbox --profile paludis`, interleaved over rounds; prints the table and
 * writes it to bench/BUILD-RESULTS.md. Exits non-zero when a build failed, its
 * binaries do not work, or a sandboxed build had a violation.
 *
 * Options: see USAGE.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { checkArgs, flag, option, rounds } from "./lib/args";
import { ensureSource, plan } from "./lib/binutils";
import { buildMarkdown, violationCount } from "./lib/buildreport";
import { ALL_COLUMNS, type BuildColumn, buildRounds, type ColumnResult, columns, DEFAULT_COLUMNS } from "./lib/buildrun";
import { compileC, ensureSydbox, gitHead, ROOT } from "./lib/prepare";
import { environment } from "./lib/report";

/** What `npm run bench:build -- --help` prints. */
const USAGE = `usage: bun run bench/build.ts [options]
  --rounds N       rounds (default 2); each builds once per column, order alternating
  --quick          configure + libiberty only, 1 round unless --rounds
  --columns LIST   comma-separated subset of native,sydbox,emulate,csup (default native,sydbox,emulate);
                   e.g. --columns sydbox for notification counts only, --columns native,csup
                   for the kernel's own cost of the notifications
  --rebuild        rebuild dist/sydbox first
  --no-write       leave bench/BUILD-RESULTS.md alone
  --out FILE       write the table to FILE instead of bench/BUILD-RESULTS.md
  --workdir DIR    where build trees go (default the system temp directory)
  --keep           keep the build trees`;

function parseColumns(list: string | undefined): BuildColumn[] {
  if (list === undefined) return [...DEFAULT_COLUMNS];
  const cols = list.split(",").filter(Boolean);
  const bad = cols.filter((c) => !(ALL_COLUMNS as readonly string[]).includes(c));
  if (bad.length || !cols.length) throw new Error(`--columns: expected a comma-separated subset of ${ALL_COLUMNS.join(",")}, got \`${list}'`);
  return cols as BuildColumn[];
}

async function main(): Promise<void> {
  checkArgs(USAGE, ["--quick", "--rebuild", "--no-write", "--keep"], ["--rounds", "--columns", "--out", "--workdir"]);
  const quick = flag("--quick");
  const n = rounds(quick ? 1 : 2);
  const wanted = parseColumns(option("--columns"));
  const src = await ensureSource();
  await ensureSydbox(flag("--rebuild"));
  if (wanted.includes("csup")) await compileC();
  const head = await gitHead();
  const p = plan(quick);
  const work = mkdtempSync(join(option("--workdir") ?? tmpdir(), "sydbox-build-bench-"));
  console.log(`bench: binutils ${src.version} (${src.tarball}, Debian ${src.debVersion}); ${p.what}; ${n} round(s); work in ${work}`);

  const loadBefore = loadavg();
  const out = option("--out") ?? join(ROOT, "bench", "BUILD-RESULTS.md");
  const report = (results: ColumnResult[], partial: boolean) =>
    buildMarkdown({ env: environment(head, loadBefore, 2 /* make -j2 */), src, plan: p, rounds: n, work, partial }, results, quick);
  // Rewritten after every build, marked partial, so an interrupted run still leaves its numbers.
  const progress = (results: ColumnResult[]) => {
    if (!flag("--no-write")) writeFileSync(out, report(results, true));
  };
  const results = await buildRounds(src, p, columns(wanted), n, work, flag("--keep"), progress);
  const final = report(results, false);
  console.log(`\n${final}`);
  if (!flag("--no-write")) {
    writeFileSync(out, final);
    console.log(`bench: wrote ${out}`);
  }

  const samples = results.flatMap((r) => r.samples);
  const failed = samples.filter((s) => s.error).length;
  const violations = samples.reduce((a, s) => a + violationCount(s), 0);
  if (failed || violations) {
    console.error(`bench: FAILED: ${failed} build(s) failed, ${violations} violation(s); logs (and the failed trees) kept in ${work}`);
    process.exit(1);
  }
  if (!flag("--keep")) rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
