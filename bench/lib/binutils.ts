/**
 * The package the build bench compiles: GNU binutils from Debian's binutils-source
 * package, which ships the upstream tarball under /usr/src/binutils.
 */
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describeFailure, runBounded } from "./proc";

/** Where binutils-source puts the tarball. */
export const SOURCE_DIR = "/usr/src/binutils";
/** The version issue #10 names; another one is measured but flagged in the report. */
export const EXPECTED_VERSION = "2.40";

/** The tarball found and the versions it stands for. */
export interface BinutilsSource {
  tarball: string;
  /** Upstream version from the tarball's name, e.g. 2.40. */
  version: string;
  /** The Debian package version, e.g. 2.40-2, or "not from a package". */
  debVersion: string;
}

/** One step of the build, run with the unpacked tree as working directory. */
export interface Phase {
  name: string;
  argv: string[];
  timeoutMs: number;
}

/** What one build does and how its result is checked. */
export interface Plan {
  /** Shown in the report: what was built. */
  what: string;
  phases: Phase[];
  /** Commands (relative to the tree) whose success and first output line prove the build works. */
  checks: string[][];
}

const TARBALL = /^binutils-(\d+(?:\.\d+)+)\.tar\.(?:xz|gz|bz2)$/;

function findTarball(): string | undefined {
  if (!existsSync(SOURCE_DIR)) return undefined;
  const name = readdirSync(SOURCE_DIR).filter((f) => TARBALL.test(f)).sort().pop();
  return name && join(SOURCE_DIR, name);
}

/**
 * Packages the default build needs beyond a C toolchain, by the command that shows
 * they are there: gprofng's configure refuses to run without bison, and the 2.40
 * tarball ships binutils/arlex.l newer than its arlex.c, so make runs flex.
 */
const BUILD_DEPENDS: Record<string, string> = { bison: "bison", flex: "flex" };

/**
 * Finds the binutils tarball and the build's tools, installing binutils-source and
 * the missing tools with apt-get when we are root (the bench's setup step);
 * otherwise says what to install.
 */
export async function ensureSource(): Promise<BinutilsSource> {
  const missing = Object.entries(BUILD_DEPENDS).filter(([cmd]) => !Bun.which(cmd)).map(([, pkg]) => pkg);
  if (!findTarball()) missing.push("binutils-source");
  if (missing.length) {
    const cmd = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
    if (process.getuid?.() !== 0) throw new Error(`the build bench needs ${missing.join(", ")}: run \`${cmd}' as root`);
    console.log(`bench: installing ${missing.join(", ")} (${cmd})`);
    const r = await runBounded(cmd.split(" "), 900_000);
    if (r.code !== 0) throw new Error(`${cmd} failed: ${describeFailure(r, 900_000)}\n${r.stderr}`);
  }
  const tarball = findTarball();
  if (!tarball) throw new Error(`binutils-source is installed but ${SOURCE_DIR} holds no binutils-*.tar.* file`);
  const version = TARBALL.exec(tarball.slice(SOURCE_DIR.length + 1))![1];
  const dpkg = await runBounded(["dpkg-query", "-W", "-f", "${Version}", "binutils-source"], 30_000);
  const debVersion = dpkg.code === 0 && dpkg.stdout.trim() ? dpkg.stdout.trim() : "not from a package";
  return { tarball, version, debVersion };
}

/**
 * Unpacks a fresh copy of the tarball below parent and returns the source tree.
 * tar keeps the tarball's timestamps, so make regenerates only what upstream
 * shipped stale (see BUILD_DEPENDS).
 */
export async function unpack(src: BinutilsSource, parent: string): Promise<string> {
  mkdirSync(parent, { recursive: true });
  const r = await runBounded(["tar", "-xf", src.tarball, "-C", parent], 300_000);
  if (r.code !== 0) throw new Error(`unpacking ${src.tarball} failed: ${describeFailure(r, 300_000)}`);
  const tree = join(parent, `binutils-${src.version}`);
  if (!existsSync(join(tree, "configure"))) throw new Error(`${src.tarball} did not unpack to ${tree}/configure`);
  return tree;
}

/**
 * The full build (`./configure && make -jN`, N = 2 by default), or with quick only
 * libiberty: configure runs the same, make stops after one small library (about a minute).
 * The paired method builds with -j1, one CPU per build.
 */
export function plan(quick: boolean, jobs = 2, execLock = false): Plan {
  // --exec-lock: the phase's shell makes Paludis's `esandbox exec_lock' first and stays, so
  // every process it starts locks at its exec (sydbox tracks them all); natively, and under
  // the floor, the stat just fails.
  const phase = (name: string, argv: string[], timeoutMs: number): Phase =>
    ({ name, argv: execLock ? ["sh", "-c", `test -e ${EXEC_LOCK}; "$@"`, "sh", ...argv] : argv, timeoutMs });
  const lock = execLock ? ", each phase after esandbox exec_lock (--exec-lock)" : "";
  const configure = phase("configure", ["./configure"], 15 * 60_000);
  if (quick) {
    return {
      what: `./configure && make -j${jobs} all-libiberty (--quick)${lock}`,
      phases: [configure, phase("make", ["make", `-j${jobs}`, "all-libiberty"], 20 * 60_000)],
      checks: [["ar", "t", "libiberty/libiberty.a"]],
    };
  }
  return {
    what: `./configure && make -j${jobs}${lock}`,
    phases: [configure, phase("make", ["make", `-j${jobs}`], 90 * 60_000)],
    checks: [["ld/ld-new", "--version"], ["binutils/objdump", "--version"], ["gas/as-new", "--version"]],
  };
}

/** The magic stat behind Paludis's `esandbox exec_lock`. */
const EXEC_LOCK = "/dev/sydbox/core/trace/magic_lock:exec";

/**
 * Runs the plan's checks in the built tree: each must exit 0 and print something.
 * Returns the first output line of each, or throws naming the one that failed.
 */
export async function checkBinaries(p: Plan, tree: string): Promise<string[]> {
  const seen: string[] = [];
  for (const argv of p.checks) {
    const cmd = argv[0].includes("/") ? [join(tree, argv[0]), ...argv.slice(1)] : argv;
    const r = await runBounded(cmd, 60_000, tree);
    const first = r.stdout.split("\n")[0].trim();
    if (r.code !== 0 || !first) throw new Error(`built binaries do not work: \`${argv.join(" ")}' ${describeFailure(r, 60_000)}`);
    seen.push(`${argv.join(" ")}: ${first}`);
  }
  return seen;
}
