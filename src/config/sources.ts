/**
 * Where configuration comes from, and in which order it is applied.
 */
import { AT, statx } from "../../ffi/at";
import { nodeFs } from "../lazy-node";
import { ConfigError, Errno } from "../errors.ts";
import { textToByteString } from "../policy/bytes.ts";
import { applyMagic } from "./magic.ts";
import { findProfile, SYSTEM_PROFILE_DIR } from "./profiles.ts";
import { defaultConfig } from "./schema.ts";
import { checkSyd2Name, parseSyd2 } from "./syd2.ts";
import type { Config } from "./types.ts";
import { confinesNothing, validateConfig } from "./validate.ts";

/**
 * Configuration order, as SydBox 2.0.1 applies it (suitable for --help):
 *
 *   Settings are applied in this order; a later setting of a key wins, and
 *   list entries (allowlist, denylist, filter, exec) append in order, so the
 *   last matching pattern decides:
 *     1. the built-in defaults;
 *     2. every -c PATHSPEC, --profile NAME and -m MAGIC, in the order they
 *        appear on the command line (--profile NAME is -c @NAME);
 *     3. SYDBOX_CONFIG, one more pathspec, after all command-line options.
 *   A PATHSPEC is @NAME (a shipped profile), a FILE.syd-2, a FILE.toml, or -
 *   (a .syd-2 document on standard input). The result is then checked as a
 *   whole (restrict options need core/restrict/general > 0).
 *
 * (2.0.1 handled -c and -m inside its getopt loop, so each took effect where
 * it stood on the command line; its SYDBOX_CONFIG came after the loop.)
 */
export const CONFIG_ORDER_HELP = `Settings are applied in this order; a later setting of a key wins, and
list entries (allowlist, denylist, filter, exec) append in order, so the
last matching pattern decides:
  1. the built-in defaults;
  2. every -c PATHSPEC, --profile NAME and -m MAGIC, in the order they
     appear on the command line (--profile NAME is -c @NAME);
  3. SYDBOX_CONFIG, one more pathspec, after all command-line options.
Right after a profile @NAME (or --profile NAME), every *.syd-2 and *.toml
file in /etc/sydbox/NAME.d/ is applied, in name order: a site's additions,
which reach Paludis's builds (Paludis clears SYDBOX_CONFIG from them).
A PATHSPEC is @NAME (a shipped profile), a FILE.syd-2, a FILE.toml, or -
(a .syd-2 document on standard input). The result is then checked as a
whole (restrict options need core/restrict/general > 0).`;

/** One configuration option from the command line: `-c PATHSPEC` (or `--profile NAME` as `@NAME`) or `-m MAGIC`. */
export type SourceItem = { kind: "config"; value: string } | { kind: "magic"; value: string };

/** Inputs to {@link loadConfig}. */
export interface LoadOptions {
  /** -c, --profile (as `@NAME`) and -m, in command-line order. */
  sources?: readonly SourceItem[];
  /**
   * Alternative to `sources` when the interleaving is not known: `profile`
   * (--profile NAME), then every `configs` entry, then every `magics` entry.
   * Ignored when `sources` is given.
   */
  profile?: string;
  configs?: readonly string[];
  magics?: readonly string[];
  /** SYDBOX_CONFIG, applied after `sources`. Empty or undefined means unset. */
  env?: string | undefined;
  /** Directory searched for `@NAME` profiles that are not embedded. */
  systemDir?: string;
  /** Directory holding each profile's site additions, `NAME.d/` (default /etc/sydbox). */
  siteDir?: string;
  /** Start from this config instead of the defaults (it is not modified). */
  base?: Config;
}

/**
 * Build the effective configuration (see {@link CONFIG_ORDER_HELP} for the
 * order). `-m` values are taken as decoded text and converted to byte strings
 * (UTF-8), the form patterns are matched in. Throws a ConfigError naming the
 * source of the first error.
 */
export function loadConfig(opts: LoadOptions = {}): Config {
  const cfg = opts.base ? structuredClone(opts.base) : defaultConfig();
  const systemDir = opts.systemDir ?? SYSTEM_PROFILE_DIR;
  const sources = opts.sources ?? sourcesOf([...(opts.profile ? [`@${opts.profile}`] : []), ...(opts.configs ?? [])], opts.magics);
  for (const item of sources) {
    if (item.kind === "config") {
      loadPathspec(cfg, item.value, systemDir);
      if (item.value.startsWith("@")) applySiteAdditions(cfg, item.value.slice(1), opts.siteDir ?? SITE_DIR);
    } else applyCommandLineMagic(cfg, item.value);
  }
  if (opts.env) loadPathspec(cfg, opts.env, systemDir);
  validateConfig(cfg);
  return cfg;
}

/** Helper for callers holding -c and -m in separate arrays: every -c, then every -m (their order when not interleaved). */
export function sourcesOf(configs: readonly string[] = [], magics: readonly string[] = []): SourceItem[] {
  return [...configs.map((value) => ({ kind: "config" as const, value })), ...magics.map((value) => ({ kind: "magic" as const, value }))];
}

/** Where a site puts additions to a profile: `/etc/sydbox/NAME.d/`. */
export const SITE_DIR = "/etc/sydbox";

/** The extensions of site-addition files; other files in the directory (README, backups) are skipped. */
const SITE_FILE = /\.(syd-2|toml)$/;

/**
 * Applies the site additions of profile `name` (`@paludis` or `@paludis.toml`
 * both name `paludis`): every *.syd-2 and *.toml file of `SITE_DIR/NAME.d/`,
 * in name (byte) order, so `10-ccache.syd-2` comes before `20-distcc.toml`.
 * No directory, no additions. A bad file stops everything with its path and
 * line, like any config file: a half-applied site policy is no policy.
 */
export function applySiteAdditions(cfg: Config, name: string, siteDir: string = SITE_DIR): void {
  const base = name.replace(/\.(syd-2|toml)$/, "");
  const dir = `${siteDir}/${base}.d`;
  // Most sites have none: a statx says so without node:fs, whose loading costs every
  // `--profile paludis` start milliseconds (src/lazy-node.ts). Any other answer goes on to readdir.
  if (statx(AT.FDCWD, Buffer.from(dir).toString("latin1"), 0) === -Errno.ENOENT) return;
  let entries: string[];
  try {
    entries = nodeFs().readdirSync(dir);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT") return;
    throw new ConfigError(`cannot read the site additions of profile \`${base}' in \`${dir}': ${e.code ?? e.message}`, Errno.EINVAL, { file: dir });
  }
  for (const entry of entries.filter((f) => SITE_FILE.test(f)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    loadPathspec(cfg, `${dir}/${entry}`);
  }
}

function applyCommandLineMagic(cfg: Config, magic: string): void {
  try {
    applyMagic(cfg, textToByteString(magic));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(`-m: ${err.message}`, err.errno, err.where);
  }
}

/** A configuration document read from a pathspec. */
export interface ConfigDocument {
  /** The document as a byte string (latin1), so a pattern's bytes are the bytes in the file. */
  text: string;
  format: "syd-2" | "toml";
  /** The name errors report: the path, `-`, or `embedded:NAME.EXT`. */
  origin: string;
}

/**
 * Read one pathspec: `@NAME` (profile lookup, see profiles.ts), `-` (a .syd-2
 * document on stdin), `*.toml`, or a `.syd-2` file. A file name with the
 * wrong API is refused before the file is opened.
 */
export function readPathspec(spec: string, systemDir: string = SYSTEM_PROFILE_DIR): ConfigDocument {
  if (spec.startsWith("@")) {
    const p = findProfile(spec.slice(1), systemDir);
    return { text: p.text, format: p.format, origin: p.origin };
  }
  if (spec.endsWith(".toml")) return { text: readText(spec), format: "toml", origin: spec };
  checkSyd2Name(spec);
  return { text: readText(spec === "-" ? "/dev/stdin" : spec), format: "syd-2", origin: spec };
}

/** Apply a document to `cfg` (its name was checked by readPathspec); with `onError`, a .syd-2 document reports every bad line instead of stopping at the first. */
export function applyDocument(cfg: Config, doc: ConfigDocument, onError?: (err: ConfigError) => void): Config {
  // The TOML parser (smol-toml) is loaded only for a TOML document: the command line's
  // own path (-m, --profile paludis) never needs it, and every module a run loads is start-up time.
  return doc.format === "toml"
    ? (require("./toml.ts") as typeof import("./toml.ts")).parseToml(doc.text, doc.origin, cfg)
    : parseSyd2(doc.text, doc.origin, cfg, { checkName: false, onError });
}

/** Apply one pathspec to `cfg` (see {@link readPathspec}). */
export function loadPathspec(cfg: Config, spec: string, systemDir: string = SYSTEM_PROFILE_DIR): Config {
  return applyDocument(cfg, readPathspec(spec, systemDir));
}

function readText(path: string): string {
  try {
    return nodeFs().readFileSync(path, "latin1");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const errno = e.code && e.code in Errno ? Errno[e.code as keyof typeof Errno] : Errno.EINVAL;
    throw new ConfigError(`cannot read config file \`${path}': ${e.code ?? e.message}`, errno, { file: path });
  }
}

/** sydbox refuses to run a program it would not confine at all; this is that refusal. */
export class RefusalError extends ConfigError {
  /** The message lines, each printed with the `sydbox: ` prefix, as 2.0.1 does. */
  readonly lines: readonly string[];
  constructor(readonly program: string) {
    const lines = ["All restrict and sandbox options are off.", `Refusing to run the program \`${program}'.`];
    super(lines.join("\n"), Errno.EPERM);
    this.lines = lines;
  }
}

/** Throw a {@link RefusalError} if every sandbox mode is off and core/restrict/general is 0 (exit status 1, like 2.0.1). */
export function refuseIfUnconfined(cfg: Config, program: string): void {
  if (confinesNothing(cfg)) throw new RefusalError(program);
}
