/**
 * `sydbox learn [-c BASE]... [-m MAGIC]... [--fold N] -o OUT.toml|OUT.syd-2 -- cmd args`:
 * runs the command in a dry run under the base configuration, collects every
 * access the base would deny, and writes the base plus the allowlist entries
 * that permit them (folded with config/fold.ts), so that
 * `sydbox -c OUT -- cmd args` runs the same command without a violation.
 *
 * The profile is written atomically: a temporary file beside OUT, fsync'd,
 * then renamed over OUT. An interrupted learn leaves OUT as it was.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { loadConfig, refuseIfUnconfined, type SourceItem } from "../config/sources";
import { DEFAULT_FOLD, foldPaths } from "../config/fold";
import { toSyd2 } from "../config/syd2";
import { toToml } from "../config/toml";
import type { Config, RuleCategory } from "../config/types";
import { UsageError } from "../errors";
import { nodeFs, nodePath } from "../lazy-node";
import { loadSeccomp } from "../../ffi/seccomp";
import { buildFilter } from "../launch/filter";
import { filterInputs } from "../launch/filter-inputs";
import { resolveCommand } from "../launch/command";
import { run } from "../launch/run";
import type { Prelaunch } from "../launch/prelaunch";
import { allowable, allowPattern, formatSummaryText, VIOLATION_KINDS, type ViolationSummary } from "../report/summary";
import { commandEnvironment } from "./environment";

/** What `sydbox learn` was asked to do. */
export interface LearnOptions {
  sources: SourceItem[];
  env: string[];
  fold: number;
  out: string;
  format: "toml" | "syd-2";
  command: string[];
}

const HELP_AFTER = `
The base is the configuration the command is checked against (-c, --profile and -m,
in order; SYDBOX_CONFIG is not read). OUT holds the base plus one allow entry per
denied path or address; a directory with N or more entries becomes DIR/***.
Run the command again with: sydbox -c OUT -- cmd args
Learning is a dry run: nothing is denied, the command's writes really happen.

Examples:
  sydbox learn -c @paludis -o build.syd-2 -- make
  sydbox learn -c base.toml -m core/sandbox/read:deny --fold 4 -o learned.toml -- ./configure
`;

/** Parses learn's arguments (without the word learn). Throws UsageError on bad input. */
export function parseLearn(argv: string[]): LearnOptions | { exit: number } {
  const sources: SourceItem[] = [];
  const env: string[] = [];
  const push = (kind: SourceItem["kind"]) => (value: string) => { sources.push({ kind, value }); return value; };
  const fold = (v: string) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError("expected a number of entries (0: never fold)");
    return Number(v);
  };
  const program = new Command("sydbox learn")
    .usage("[-c BASE]... [-m MAGIC]... [--fold N] -o OUT.toml|OUT.syd-2 -- command [args...]")
    .description("Run a command in a dry run and write a profile that allows everything it did.")
    .helpOption("-h, --help", "show this help and exit")
    .option("-c, --config <pathspec>", "base: a .syd-2/.toml file or @profile (repeatable)", push("config"))
    .option("--profile <name>", "base: shipped profile NAME, same as -c @NAME", (v: string) => push("config")("@" + v))
    .option("-m, --magic <command>", "base: one magic command (repeatable)", push("magic"))
    .option("-E, --env <var[=val]>", "set var=val, or remove var, in the command's environment (repeatable)", (v: string) => { env.push(v); return v; })
    .option("--fold <n>", `fold a directory's entries into DIR/*** once it has N (0: never)`, fold, DEFAULT_FOLD)
    .requiredOption("-o, --output <file>", "the profile to write: FILE.toml or FILE.syd-2 (replaced atomically)")
    .argument("<command...>", "the command to run and its arguments")
    .passThroughOptions()
    .addHelpText("after", HELP_AFTER)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return { exit: e.code === "commander.helpDisplayed" || e.code === "commander.help" ? 0 : 1 };
    throw e;
  }
  const o = program.opts();
  const out: string = o.output;
  const format = out.endsWith(".toml") ? "toml" : out.endsWith(".syd-2") ? "syd-2" : null;
  if (format === null) throw new UsageError(`learn: -o ${out}: the profile must be named FILE.toml or FILE.syd-2`);
  const { dirname } = nodePath();
  let isDir = false;
  try { isDir = nodeFs().statSync(dirname(out) || ".").isDirectory(); } catch {}
  if (!isDir) throw new UsageError(`learn: -o ${out}: directory ${dirname(out)} does not exist`);
  return { sources, env, fold: o.fold, out, format, command: program.args };
}

const RULE_OF: Record<string, RuleCategory> = { exec: "exec", read: "read", write: "write", bind: "bind", connect: "connect" };

/** `base` plus allow rules for every violation of `s`; `base` is not changed. */
export function learnedConfig(base: Config, s: ViolationSummary, fold: number): Config {
  const cfg = structuredClone(base);
  for (const kind of VIOLATION_KINDS) {
    const k = s.kinds[kind];
    if (!k) continue;
    if (kind === "family") { cfg.core.allowlist.unsupported_socket_families = true; continue; }
    const cat = RULE_OF[kind];
    const patterns = cat === "bind" || cat === "connect"
      ? [...new Set(k.subjects.map((a) => allowPattern(kind, a)))].sort()
      : foldPaths(k.subjects.filter((p) => allowable(kind, p)), fold);
    for (const pattern of patterns) cfg.lists[cat].push({ action: "allow", pattern });
  }
  return cfg;
}

/** Writes `data` to `path` through a temporary file and a rename: `path` is never half-written. */
export function writeAtomically(path: string, data: Uint8Array): void {
  const { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } = nodeFs();
  const { basename, dirname, join } = nodePath();
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, "wx", 0o644);
  try {
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try { closeSync(fd); } catch {}
    try { unlinkSync(tmp); } catch {}
    throw e;
  }
}

/** Runs `sydbox learn ...`; returns the command's exit status. `launching` is called once the prelaunch is committed. */
export async function learn(argv: string[], pre: Prelaunch | null, launching: () => void): Promise<number> {
  const o = parseLearn(argv);
  if ("exit" in o) return o.exit;
  const base = loadConfig({ sources: o.sources });
  refuseIfUnconfined(base, o.command[0]);
  if (base.core.violation.decision === "bpf") throw new UsageError("learn: the base sets core/violation/decision:bpf (bpf only), which sees no call to learn from");
  const env = commandEnvironment(process.env, o.env);
  const path = resolveCommand(o.command[0], env.PATH);
  if (!pre) throw new Error("internal error: no prelaunched child stage");
  launching();
  const result = await run(pre, { path, argv: o.command, env, filter: buildFilter(filterInputs(base, [], true), loadSeccomp().seccomp_arch_native()), timing: false, config: base, dryRun: true });
  process.stderr.write(formatSummaryText(result.summary));
  const learned = learnedConfig(base, result.summary, o.fold);
  const shell = o.command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
  const header = [
    `learned by sydbox learn from: ${shell}`,
    `${result.summary.total} violation(s) in the dry run; base: ${o.sources.map((s) => (s.kind === "magic" ? `-m ${s.value}` : s.value)).join(" ") || "(defaults)"}`,
    `run with: sydbox -c ${o.out} -- ${shell}`,
  ].join("\n");
  const doc = o.format === "toml" ? toToml(learned, header) : toSyd2(learned, header);
  writeAtomically(o.out, Buffer.from(doc, "latin1"));
  const added = (Object.keys(RULE_OF) as RuleCategory[]).reduce((n, c) => n + learned.lists[c].length - base.lists[c].length, 0);
  process.stderr.write(`sydbox: learn: wrote ${o.out} (${added} allow rule${added === 1 ? "" : "s"} added to the base)\n`);
  return result.status;
}
