/**
 * Build bench (`npm run bench:build`): GNU binutils built natively and under
 * `dist/sydbox --profile paludis`, interleaved over rounds (classic, make -j2) or
 * paired (`--paired`: two builds at once, one per CPU, make -j1); prints the table and
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
import { buildMarkdown, pairedMarkdown, violationCount } from "./lib/buildreport";
import { ALL_COLUMNS, type BuildColumn, type BuildSample, buildRounds, type ColumnResult, columns, DEFAULT_COLUMNS, pairedRounds, type PairResult, parsePairs, setBeforeBinary } from "./lib/buildrun";
import { compileC, ensureSydbox, gitHead, ROOT } from "./lib/prepare";
import { startHog } from "./lib/proc";
import { environment } from "./lib/report";

/** The paired method's default pairs: the target, the floor, and the A/A run. */
const DEFAULT_PAIRS = "native:sydbox,floor:sydbox,native:native";

/** What `npm run bench:build -- --help` prints. */
const USAGE = `usage: bun run bench/build.ts [options]
  --rounds N       rounds (default 2, paired 4); each builds once per column (pair), order alternating
  --quick          configure + libiberty only, 1 round (paired: 2) unless --rounds
  --columns LIST   comma-separated subset of native,sydbox,emulate,csup,floor (default native,sydbox,emulate);
                   e.g. --columns sydbox for notification counts only, --columns native,floor
                   for the kernel's own cost of the notifications
  --paired         the paired method: both builds of a pair at once, each pinned to its own CPU,
                   make -j1, CPUs swapped every round; ratios per pair (cancels the host's drift)
  --pairs LIST     with --paired: A:B pairs, b / a reported (default ${DEFAULT_PAIRS});
                   native:native is the A/A run that shows the method's resolution
  --load           with --paired: a busy-loop CPU hog on every CPU during every pair
  --exec-lock      every phase starts as Paludis's do, with \`esandbox exec_lock' (a magic stat
                   of core/trace/magic_lock:exec by the phase's shell); the same wrapper, a
                   failing stat, in the native and floor columns
  --aa-rounds N    with --paired: A/A pairs (a column against itself) in the first N rounds only
  --before PATH    the sydbox binary of the \`before' column (e.g. --pairs before:sydbox for a change's gain)
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
  checkArgs(USAGE, ["--quick", "--rebuild", "--no-write", "--keep", "--paired", "--load", "--exec-lock"], ["--rounds", "--columns", "--out", "--workdir", "--pairs", "--aa-rounds", "--before"]);
  const quick = flag("--quick");
  const paired = flag("--paired");
  if (!paired && (option("--pairs") || flag("--load") || option("--aa-rounds"))) throw new Error("--pairs, --load and --aa-rounds go with --paired");
  if (paired && option("--columns")) throw new Error("--paired takes --pairs, not --columns");
  const n = rounds(paired ? (quick ? 2 : 4) : quick ? 1 : 2);
  const before = option("--before");
  if (before) setBeforeBinary(before);
  const pairs = paired ? parsePairs(option("--pairs") ?? DEFAULT_PAIRS) : [];
  const wanted = paired ? [...new Set(pairs.flatMap((x) => [x.a.column, x.b.column]))] : parseColumns(option("--columns"));
  const src = await ensureSource();
  await ensureSydbox(flag("--rebuild"));
  if (wanted.includes("csup") || wanted.includes("floor")) await compileC();
  const head = await gitHead();
  const p = plan(quick, paired ? 1 : 2, flag("--exec-lock"));
  const work = mkdtempSync(join(option("--workdir") ?? tmpdir(), "sydbox-build-bench-"));
  console.log(`bench: binutils ${src.version} (${src.tarball}, Debian ${src.debVersion}); ${p.what}; ${n} round(s); work in ${work}`);

  const loadBefore = loadavg();
  const out = option("--out") ?? join(ROOT, "bench", "BUILD-RESULTS.md");
  if (paired) return runPaired(pairs, src, p, n, work, out, quick, head, loadBefore);
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

  finish(results.flatMap((r) => r.samples), work);
}

/** Exits 1 when a build failed or had a violation (keeping work), else removes work unless --keep. */
function finish(samples: BuildSample[], work: string): void {
  const failed = samples.filter((s) => s.error).length;
  const violations = samples.reduce((a, s) => a + violationCount(s), 0);
  if (failed || violations) {
    console.error(`bench: FAILED: ${failed} build(s) failed, ${violations} violation(s); logs (and the failed trees) kept in ${work}`);
    process.exit(1);
  }
  if (!flag("--keep")) rmSync(work, { recursive: true, force: true });
}

/** --paired: the pairs, their report, and the same exit rules as the classic run. */
async function runPaired(pairs: ReturnType<typeof parsePairs>, src: Awaited<ReturnType<typeof ensureSource>>, p: ReturnType<typeof plan>, n: number, work: string, out: string, quick: boolean, head: string, loadBefore: number[]): Promise<void> {
  const loaded = flag("--load");
  const report = (results: PairResult[], partial: boolean) =>
    pairedMarkdown({ env: environment(head, loadBefore, loaded ? 4 : 2), src, plan: p, rounds: n, work, partial }, results, quick, loaded);
  const progress = (results: PairResult[]) => {
    if (!flag("--no-write")) writeFileSync(out, report(results, true));
  };
  // Bounded by the longest a pair may take: every phase's timeout.
  const hog = loaded ? () => startHog([0, 1], p.phases.reduce((a, ph) => a + ph.timeoutMs, 0)) : undefined;
  const aa = Math.max(0, Number(option("--aa-rounds") ?? n) || 0);
  const results = await pairedRounds(src, p, pairs, n, work, flag("--keep"), progress, hog, Math.min(aa, n));
  const final = report(results, false);
  console.log(`\n${final}`);
  if (!flag("--no-write")) {
    writeFileSync(out, final);
    console.log(`bench: wrote ${out}`);
  }
  finish(results.flatMap((r) => r.samples.flatMap((s) => [s.a, s.b])), work);
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
