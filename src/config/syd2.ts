/**
 * `.syd-2` configuration files: SydBox 2.0.1's format, one magic command per line.
 */
import { ConfigError, Errno } from "../errors.ts";
import { applyMagic } from "./magic.ts";
import { API_VERSION, OLD_API_VERSION, SCHEMA, atDefaultApi1, defaultConfig, getField } from "./schema.ts";
import type { Config, Rule } from "./types.ts";

/**
 * Refuse a file whose name does not say API 2 or API 1, with SydBox 2.0.1's
 * messages: the API number lives in the extension so an old sydbox never
 * misreads a newer file. A `.syd-1` file is SydBox 1's: its key names
 * (whitelist/*, blacklist/*, core/whitelist/*, and the API-1-only keys) are
 * accepted by every magic command (schema.ts), so it loads with the same
 * parser. `-` (standard input) carries no name and is not checked.
 */
export function checkSyd2Name(file: string): void {
  if (file === "-") return;
  const base = file.slice(file.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  const ext = dot >= 0 ? base.slice(dot + 1) : "";
  const api = /^syd-([0-9]+)$/.exec(ext);
  if (!api) throw new ConfigError(`no API information in file name \`${file}', current API is ${API_VERSION}`, Errno.EINVAL, { file });
  if (Number(api[1]) !== API_VERSION && Number(api[1]) !== OLD_API_VERSION) {
    throw new ConfigError(`config file name \`${file}' API mismatch: ${Number(api[1])} != ${API_VERSION} (sydbox reads .syd-${API_VERSION} and .syd-${OLD_API_VERSION} files)`, Errno.EINVAL, { file });
  }
}

/** Options for {@link parseSyd2}. */
export interface Syd2Options {
  /** Check that the file name says API 2 (default true; embedded profiles and stdin skip it). */
  checkName?: boolean;
  /** Report each bad line here and go on with the next, instead of throwing at the first. */
  onError?: (err: ConfigError) => void;
}

/**
 * Apply a `.syd-2` document to `cfg` (a fresh default config if omitted) and
 * return it. Lines starting with `#` and blank lines are skipped; every other
 * line is one magic command, taken verbatim (a trailing CR is dropped so CRLF
 * files work). The first bad line throws a ConfigError naming the file, the
 * line number and the line.
 */
export function parseSyd2(text: string, file: string, cfg: Config = defaultConfig(), opts: Syd2Options = {}): Config {
  if (opts.checkName !== false) checkSyd2Name(file);
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith("\r") ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line.startsWith("#") || line.trim() === "") continue;
    try {
      applyMagic(cfg, line);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const why = err.message.replace(/^invalid magic /, "");
      const located = new ConfigError(`invalid magic in file \`${file}' on line ${i + 1}: ${why}`, err.errno, { file, line: i + 1, column: 1, key: err.where?.key });
      if (!opts.onError) throw located;
      opts.onError(located);
    }
  }
  return cfg;
}

/**
 * Write `cfg` as a `.syd-2` document that loads back to the same config: every
 * scalar key (defaults included, so the file documents itself), then every
 * list entry in order. Throws a ConfigError for a pattern holding a line break,
 * which one-command-per-line cannot express (use TOML for those).
 */
export function toSyd2(cfg: Config, header = "sydbox configuration, API 2"): string {
  const out = header.split("\n").map((l) => `# ${l}`.trimEnd());
  let section = "";
  for (const def of SCHEMA) {
    const top = def.key.split("/").slice(0, 2).join("/");
    if (def.type === "command" || (def.action && def.action !== "allow") || atDefaultApi1(cfg, def)) continue;
    if (top !== section) {
      out.push("");
      section = top;
    }
    if (def.type === "list" && def.action) {
      // Both actions of a category share one ordered list: write it once, in order.
      for (const rule of getField(cfg, def) as Rule[]) {
        const key = def.key.replace(/^allowlist\//, rule.action === "allow" ? "allowlist/" : "denylist/");
        out.push(`${key}+${line(rule.pattern)}`);
      }
    } else if (def.type === "list") {
      for (const pattern of getField(cfg, def) as string[]) out.push(`${def.key}+${line(pattern)}`);
    } else {
      out.push(`${def.key}:${getField(cfg, def)}`);
    }
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
}

function line(pattern: string): string {
  if (/[\r\n]/.test(pattern)) {
    throw new ConfigError(`pattern ${JSON.stringify(pattern)} holds a line break and cannot be written to a .syd-2 file`, Errno.EINVAL);
  }
  return pattern;
}
