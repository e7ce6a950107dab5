/**
 * `sydbox config ...` subcommands, as functions returning what to print.
 *
 * Output strings are byte strings (src/policy/bytes.ts): write them with
 * `Buffer.from(s, "latin1")` so patterns keep their exact bytes.
 */
import { ConfigError } from "../errors.ts";
import { defaultConfig } from "./schema.ts";
import { applyDocument, loadConfig, readPathspec, type LoadOptions } from "./sources.ts";
import { parseSyd2, toSyd2 } from "./syd2.ts";
import { parseToml, toToml } from "./toml.ts";
import type { Config } from "./types.ts";
import { validateConfig } from "./validate.ts";

/** What a subcommand prints and the status it exits with. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Options shared by the subcommands. */
export interface CommandOptions {
  /** Directory searched for `@NAME` profiles that are not embedded. */
  systemDir?: string;
}

/**
 * `config check PATHSPEC...`: validate each file (or `@profile`) on its own,
 * from the defaults. Every error is printed (a .syd-2 file reports all of its
 * bad lines); `PATHSPEC: ok` goes to stdout for each good one. Exit 1 if any
 * file has an error.
 */
export function configCheck(specs: readonly string[], opts: CommandOptions = {}): CommandOutput {
  const out: string[] = [];
  const err: string[] = [];
  for (const spec of specs) {
    const errors: ConfigError[] = [];
    try {
      const cfg = applyDocument(defaultConfig(), readPathspec(spec, opts.systemDir), (e) => errors.push(e));
      if (errors.length === 0) validateConfig(cfg);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      errors.push(e);
    }
    for (const e of errors) err.push(`${e.message.includes(spec) ? "" : `${spec}: `}${e.message}`);
    if (errors.length === 0) out.push(`${spec}: ok`);
  }
  return result(out, err, err.length > 0 ? 1 : 0);
}

/** The target formats of `config convert`. */
export type ConvertTarget = "toml" | "syd-2";

/**
 * `config convert PATHSPEC --to toml|syd-2`: print the file in the other
 * format. Lossless: the output loads back to the same effective config, and
 * this is checked before anything is printed.
 */
export function configConvert(spec: string, to: ConvertTarget, opts: CommandOptions = {}): CommandOutput {
  try {
    const doc = readPathspec(spec, opts.systemDir);
    const cfg = applyDocument(defaultConfig(), doc);
    validateConfig(cfg);
    const header = `converted from ${doc.origin} by sydbox config convert`;
    const text = to === "toml" ? toToml(cfg, header) : toSyd2(cfg, header);
    const again = to === "toml" ? parseToml(text, "(converted)") : parseSyd2(text, "(converted)", defaultConfig(), { checkName: false });
    if (!sameConfig(cfg, again)) return result([], [`${spec}: internal error: the ${to} output does not load back to the same configuration`], 1);
    return { stdout: text, stderr: "", exitCode: 0 };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return result([], [e.message], 1);
  }
}

/**
 * `config show [-c ...] [-m ...]`: print the effective configuration, built
 * exactly as a sandboxed run would build it, as a TOML profile.
 */
export function configShow(load: LoadOptions = {}): CommandOutput {
  try {
    return { stdout: toToml(loadConfig(load), "effective sydbox configuration"), stderr: "", exitCode: 0 };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return result([], [e.message], 1);
  }
}

/** True when two configs are the same effective configuration (same values, same lists in the same order). */
export function sameConfig(a: Config, b: Config): boolean {
  return Bun.deepEquals(a, b, true);
}

function result(out: string[], err: string[], exitCode: number): CommandOutput {
  const lines = (l: string[]) => (l.length ? l.join("\n") + "\n" : "");
  return { stdout: lines(out), stderr: lines(err), exitCode };
}
