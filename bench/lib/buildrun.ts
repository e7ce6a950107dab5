/**
 * The build bench's columns and rounds: one fresh binutils tree per build, native and
 * under sydbox, either interleaved (classic: one build at a time, make -j2) or paired
 * (two builds at once, each pinned to its own CPU, make -j1, CPUs swapped between rounds).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type BinutilsSource, checkBinaries, type Plan, unpack } from "./binutils";
import { floorArgs } from "./floor";
import { program, SYDBOX } from "./prepare";
import { describeFailure, runBounded } from "./proc";
import { addStats, parseCsupStats, parseStats, type SydStats, violationReports } from "./sydstats";

/** Which way a build runs. */
export type BuildColumn = "native" | "sydbox" | "emulate" | "csup" | "floor" | "before";

/** `--before PATH`: the sydbox binary of the `before` column (a build of an earlier commit). */
let beforeBinary: string | undefined;
export function setBeforeBinary(path: string): void {
  beforeBinary = path;
}

/** How one column runs a phase's command. */
export interface ColumnSpec {
  column: BuildColumn;
  /** Table label. */
  label: string;
  /** The argv that runs `cmd` for a build whose tree (and nothing else of ours) lies below dir. */
  wrap: (dir: string, cmd: string[]) => string[];
  /** Runs under sydbox: its --stats and violation reports are expected. */
  sydbox: boolean;
  /** Untimed set-up in the build's directory before its first phase (the floor exports sydbox's filter there). */
  prepare?: (dir: string) => Promise<void>;
  /** A column that is not sydbox but counts its notifications too (the floor): reads them from stderr. */
  statsOf?: (stderr: string, dir: string) => SydStats | undefined;
}

/** What one build (all phases) cost and produced. */
export interface BuildSample {
  round: number;
  wallS: number;
  userS: number;
  sysS: number;
  /** Wall seconds by phase name. */
  phaseWallS: Record<string, number>;
  /** Summed over phases; undefined for native builds. */
  stats?: SydStats;
  /** Violation reports, one line each. */
  violations: string[];
  /** First output line of each binary check. */
  checks: string[];
  /** Set when a phase or the binary check failed. */
  error?: string;
}

/** All samples of one column. */
export interface ColumnResult {
  spec: ColumnSpec;
  samples: BuildSample[];
}

/** The paludis profile with the build directory allowed, as Paludis runs a phase. */
function paludisOptions(dir: string, extra: string[]): string[] {
  return ["--profile", "paludis", "-m", `allowlist/write+${dir}/***`, ...extra];
}

/**
 * sydbox with paludisOptions, plus --stats for the notification counts (it adds two
 * clock reads per notification).
 */
function sandboxed(extra: string[], binary = () => SYDBOX): ColumnSpec["wrap"] {
  return (dir, cmd) => [binary(), ...paludisOptions(dir, extra), "--stats", "--", ...cmd];
}

/**
 * The exact floor (lib/floor.ts): csup loading the filter that the sydbox column
 * (emulation off) loads for the same build directory, answering each notification
 * after copying what sydbox must read.
 */
function floorColumn(): ColumnSpec {
  const args = new Map<string, string[]>();
  const names = new Map<string, Map<number, string>>();
  return {
    column: "floor",
    label: "exact floor: csup with sydbox's own filter (--export bpf), reads what sydbox must, CONTINUE",
    sydbox: false,
    prepare: async (dir) => {
      const f = await floorArgs(paludisOptions(dir, ["-m", "core/trace/emulate:false"]), dir);
      args.set(dir, f.args);
      names.set(dir, f.names);
    },
    // --stats as the sydbox columns have it: one thread-CPU clock read per notification, and the counts.
    wrap: (dir, cmd) => {
      const a = args.get(dir);
      if (!a) throw new Error(`floor column: no filter exported for ${dir}`);
      return [program("csup"), ...a, "--stats", "--", ...cmd];
    },
    statsOf: (stderr, dir) => parseCsupStats(stderr, names.get(dir) ?? new Map()),
  };
}

/** Every column, in run order. */
export const ALL_COLUMNS: readonly BuildColumn[] = ["native", "sydbox", "emulate", "csup", "floor", "before"];
/** The columns of a run without --columns: the C yardstick doubles a run's length and is asked for. */
export const DEFAULT_COLUMNS: readonly BuildColumn[] = ["native", "sydbox", "emulate"];

/**
 * The C yardstick's notified calls: the ones that make up 93 % of a sandboxed
 * binutils build's notifications (BUILD-RESULTS.md), each read 12 bytes from as
 * the magic-stat check does, then answered CONTINUE. What it costs over native
 * is what the kernel charges for those notifications with no policy at all.
 */
const CSUP_CALLS = "newfstatat,stat,execve";

/** The wanted columns, in run order (native, sydbox, then sydbox with emulation). */
export function columns(wanted: readonly BuildColumn[]): ColumnSpec[] {
  const all: ColumnSpec[] = [
    { column: "native", label: "native", wrap: (_dir, cmd) => cmd, sydbox: false },
    // Emulation is sydbox's default; the issue's ≤ 1.05× target is for CONTINUE.
    { column: "sydbox", label: "sydbox --profile paludis, core/trace/emulate:false", wrap: sandboxed(["-m", "core/trace/emulate:false"]), sydbox: true },
    { column: "emulate", label: "sydbox --profile paludis, core/trace/emulate:true (the default)", wrap: sandboxed(["-m", "core/trace/emulate:true"]), sydbox: true },
    {
      column: "csup",
      label: `C yardstick: csup notifying ${CSUP_CALLS} (not fstat), 12-byte read, CONTINUE`,
      wrap: (_dir, cmd) => [program("csup"), "--skip-empty-path", "--read", "12", CSUP_CALLS, "--", ...cmd],
      sydbox: false,
    },
    floorColumn(),
    {
      // The sydbox column's options with another binary: before/after of a change, paired.
      column: "before",
      label: "sydbox column with the --before binary",
      wrap: sandboxed(["-m", "core/trace/emulate:false"], () => {
        if (!beforeBinary) throw new Error("the before column needs --before PATH");
        return beforeBinary;
      }),
      sydbox: true,
    },
  ];
  return all.filter((c) => wanted.includes(c.column));
}

/** Unpacks a fresh tree in dir and runs the column's set-up; returns the tree. Not timed. */
async function prepareBuild(src: BinutilsSource, spec: ColumnSpec, dir: string): Promise<string> {
  const tree = await unpack(src, dir);
  await spec.prepare?.(dir);
  return tree;
}

/**
 * The clock starts on a quiet disk: the unpacked tree's writeback and the last
 * build's deletion (ext4 here issues its discards at journal commit) are flushed
 * first, so that no build pays for the one before it. Rounds that built native
 * last had given higher ratios than those that built it first.
 */
async function quietDisk(): Promise<void> {
  await runBounded(["sync"], 300_000);
}

/**
 * Unpacks a fresh tree in dir, syncs, runs every phase through the column's wrapper and
 * checks the binaries. Unpacking, syncing and checking are not timed. Each phase's output
 * goes to logDir/<name>.log for post-mortems.
 */
export async function buildOnce(src: BinutilsSource, p: Plan, spec: ColumnSpec, dir: string, logDir: string, round: number): Promise<BuildSample> {
  const tree = await prepareBuild(src, spec, dir);
  await quietDisk();
  return timedBuild(p, spec, dir, tree, logDir, round);
}

/**
 * Runs every phase of a prepared tree through the column's wrapper (under `taskset -c cpu`
 * when cpu is given: the build, and for sydbox its own threads, which inherit the mask),
 * then checks the binaries (not timed).
 */
async function timedBuild(p: Plan, spec: ColumnSpec, dir: string, tree: string, logDir: string, round: number, cpu?: number): Promise<BuildSample> {
  const sample: BuildSample = { round, wallS: 0, userS: 0, sysS: 0, phaseWallS: {}, violations: [], checks: [] };
  const stats: SydStats[] = [];
  mkdirSync(logDir, { recursive: true });
  for (const phase of p.phases) {
    const argv = spec.wrap(dir, phase.argv);
    const r = await runBounded(cpu === undefined ? argv : ["taskset", "-c", String(cpu), ...argv], phase.timeoutMs, tree);
    writeFileSync(join(logDir, `${phase.name}.log`), `${r.stdout}\n--- stderr ---\n${r.stderr}`);
    sample.wallS += r.wallS;
    sample.userS += r.userS;
    sample.sysS += r.sysS;
    sample.phaseWallS[phase.name] = r.wallS;
    sample.violations.push(...violationReports(r.stderr));
    if (spec.sydbox) {
      const s = parseStats(r.stderr);
      if (s) stats.push(s);
      else sample.error ??= `${phase.name}: no sydbox --stats output`;
    } else if (spec.statsOf) {
      const s = spec.statsOf(r.stderr, dir);
      if (s) stats.push(s);
    }
    if (r.code !== 0) {
      // The build's first "error:" line says more than the exit status or sydbox's stats.
      const out = `${r.stderr}\n${r.stdout}`;
      const why = (!r.timedOut && (/^.*\berror:.*$/im.exec(out) ?? /^.*\*\*\*.*\bError \d+.*$/m.exec(out))?.[0].trim()) || describeFailure(r, phase.timeoutMs);
      sample.error = `${phase.name} exit ${r.code}: ${why.slice(0, 200)} (log: ${join(logDir, `${phase.name}.log`)})`;
      break;
    }
  }
  if (stats.length) sample.stats = addStats(stats);
  if (!sample.error) {
    try {
      sample.checks = await checkBinaries(p, tree);
    } catch (e) {
      sample.error = e instanceof Error ? e.message : String(e);
    }
  }
  return sample;
}

/**
 * Runs rounds × columns builds. Order alternates between rounds (native first,
 * then last) so no column always builds on a cold or a warm page cache.
 * Trees of clean builds are deleted unless keep is set; logs stay in work/logs.
 * afterEach sees the results so far after every build (a full run takes long enough
 * that a partial table is worth having).
 */
export async function buildRounds(
  src: BinutilsSource,
  p: Plan,
  specs: ColumnSpec[],
  rounds: number,
  work: string,
  keep: boolean,
  afterEach: (results: ColumnResult[]) => void = () => {},
): Promise<ColumnResult[]> {
  const results = specs.map((spec) => ({ spec, samples: [] as BuildSample[] }));
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? results : [...results].reverse();
    for (const res of order) {
      const name = `r${round}-${res.spec.column}`;
      const dir = join(work, name);
      console.log(`bench: round ${round}/${rounds}, ${res.spec.column}: building in ${dir}`);
      const s = await buildOnce(src, p, res.spec, dir, join(work, "logs", name), round);
      res.samples.push(s);
      afterEach(results);
      console.log(`bench: round ${round}/${rounds}, ${res.spec.column}: ${summary(s)}`);
      // A failed or violating build's tree stays for the post-mortem.
      if (!keep && !s.error && !s.violations.length && !s.stats?.violations) rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

function summary(s: BuildSample): string {
  const t = `wall ${s.wallS.toFixed(1)} s, user ${s.userS.toFixed(1)} s, sys ${s.sysS.toFixed(1)} s`;
  const n = s.stats ? `, ${s.stats.notifications} notifications, ${s.stats.violations} violations` : "";
  return `${t}${n}${s.error ? `, FAILED: ${s.error}` : ""}`;
}

/** Two columns built at the same time, each on its own CPU; a, b name them. */
export interface PairSpec {
  a: ColumnSpec;
  b: ColumnSpec;
}

/** One paired build: b's wall over a's is the pair's ratio. */
export interface PairSample {
  round: number;
  /** The CPUs a and b were pinned to. */
  cpus: [number, number];
  a: BuildSample;
  b: BuildSample;
}

/** All pairs of one kind (e.g. native against sydbox). */
export interface PairResult {
  pair: PairSpec;
  samples: PairSample[];
}

/** Parses `native:sydbox,floor:sydbox,native:native` into pairs of columns. */
export function parsePairs(list: string): PairSpec[] {
  const all = new Map(columns(ALL_COLUMNS).map((c) => [c.column as string, c]));
  return list.split(",").filter(Boolean).map((item) => {
    const [a, b, extra] = item.split(":");
    const ca = all.get(a), cb = all.get(b);
    if (!ca || !cb || extra !== undefined) throw new Error(`--pairs: expected A:B items, each one of ${ALL_COLUMNS.join(",")}, got \`${item}'`);
    return { a: ca, b: cb };
  });
}

/**
 * The paired method: for each round and each pair, two fresh trees are unpacked and
 * synced (not timed), then both builds start at the same moment, a pinned to one CPU
 * and b to the other, swapped every round. Whatever the host does to the machine's speed
 * meanwhile, it does to both sides of the pair, so b/a cancels the drift that separate
 * rounds cannot. `load`, when given, starts a CPU hog on each CPU for each pair and
 * stops it when both builds are done. A/A pairs run in the first `aaRounds` rounds only.
 */
export async function pairedRounds(
  src: BinutilsSource,
  p: Plan,
  pairs: PairSpec[],
  rounds: number,
  work: string,
  keep: boolean,
  afterEach: (results: PairResult[]) => void = () => {},
  load?: () => { stop: () => void },
  aaRounds = rounds,
): Promise<PairResult[]> {
  const results = pairs.map((pair) => ({ pair, samples: [] as PairSample[] }));
  for (let round = 1; round <= rounds; round++) {
    for (const res of results) {
      // A/A pairs (a column against itself) only in the first aaRounds rounds.
      if (res.pair.a.column === res.pair.b.column && round > aaRounds) continue;
      const cpus: [number, number] = round % 2 ? [0, 1] : [1, 0];
      const { a, b } = res.pair;
      const name = (side: string, c: ColumnSpec) => `r${round}-${a.column}-${b.column}-${side}-${c.column}`;
      const dirA = join(work, name("a", a)), dirB = join(work, name("b", b));
      console.log(`bench: round ${round}/${rounds}, ${a.column} (CPU ${cpus[0]}) against ${b.column} (CPU ${cpus[1]})`);
      const [treeA, treeB] = [await prepareBuild(src, a, dirA), await prepareBuild(src, b, dirB)];
      await quietDisk();
      const hog = load?.();
      let sa: BuildSample, sb: BuildSample;
      try {
        [sa, sb] = await Promise.all([
          timedBuild(p, a, dirA, treeA, join(work, "logs", name("a", a)), round, cpus[0]),
          timedBuild(p, b, dirB, treeB, join(work, "logs", name("b", b)), round, cpus[1]),
        ]);
      } finally {
        hog?.stop();
      }
      res.samples.push({ round, cpus, a: sa, b: sb });
      afterEach(results);
      console.log(`bench:   ${a.column}: ${summary(sa)}\nbench:   ${b.column}: ${summary(sb)}${!sa.error && !sb.error ? `\nbench:   ${b.column} / ${a.column} = ${(sb.wallS / sa.wallS).toFixed(3)}` : ""}`);
      for (const [s, dir] of [[sa, dirA], [sb, dirB]] as const) {
        if (!keep && !s.error && !s.violations.length && !s.stats?.violations) rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return results;
}
