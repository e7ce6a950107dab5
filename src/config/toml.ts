/**
 * TOML profiles: the key schema spelled as TOML (format described in profiles/README.md).
 *
 *     version = 1
 *     [core.sandbox]            # core/sandbox/*  (every core/X/Y is [core.X] Y)
 *     write = "deny"
 *     [exec]                    # exec/kill_if_match+..., exec/resume_if_match+...
 *     kill_if_match = ["/bin/sh"]
 *     [filter]                  # filter/{exec,read,write,network}+...
 *     write = ["/var/cache/fontconfig/***"]
 *     [rules]                   # allowlist/* and denylist/*, one ordered list per category
 *     write = ["allow /tmp/***", "deny /tmp/secret"]
 *     bind = ["allow LOOPBACK@0"]
 *
 * A document is translated into magic commands and applied by `applyMagic`,
 * so it is validated by exactly the code that validates `-m` and `.syd-2`.
 * `[rules]` keeps allow and deny entries of a category in one array because
 * the last matching entry decides: splitting them would lose the order.
 */
import { parse, TomlError } from "smol-toml";
import { ConfigError, Errno } from "../errors.ts";
import { applyMagic } from "./magic.ts";
import { SCHEMA, atDefaultApi1, defaultConfig, getField, suggest, type KeyDef } from "./schema.ts";
import type { Config, Rule, RuleCategory } from "./types.ts";

/** The TOML profile format version this code reads and writes. */
export const TOML_VERSION = 1;

const RULE_CATEGORIES: readonly RuleCategory[] = ["exec", "read", "write", "bind", "connect"];

/** A key's TOML path: core/sandbox/write is core.sandbox.write, allowlist/network/bind is rules.bind. */
export function tomlPath(def: KeyDef): string {
  if (def.action) return `rules.${def.field[1]}`;
  return def.key.replace(/\//g, ".");
}

/** Every valid TOML key path, for validation and "did you mean" suggestions. */
const VALID_PATHS: ReadonlyMap<string, KeyDef | "rules"> = new Map<string, KeyDef | "rules">([
  ...SCHEMA.filter((d) => d.type !== "command" && !d.action).map((d) => [tomlPath(d), d] as const),
  ...RULE_CATEGORIES.map((c) => [`rules.${c}`, "rules"] as const),
]);
const TABLES: ReadonlySet<string> = new Set(
  [...VALID_PATHS.keys()].flatMap((p) => p.split(".").slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join("."))),
);

/** One magic command a TOML document stands for, and where it came from. */
interface Step {
  path: string;
  command: string;
  /** The array element's text, to point at the element rather than the key. */
  element?: string;
}

/**
 * Apply a TOML profile to `cfg` (a fresh default config if omitted) and return
 * it. Scalars set their key; arrays append their entries in order, exactly
 * like `+` lines. Throws a ConfigError naming the file, line, column and key.
 */
export function parseToml(text: string, file: string, cfg: Config = defaultConfig()): Config {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "");
      throw new ConfigError(`${file}:${err.line}:${err.column}: invalid TOML: ${first}`, Errno.EINVAL, { file, line: err.line, column: err.column });
    }
    // smol-toml throws only TomlError for bad input; anything else is still a bad document to us.
    throw new ConfigError(`${file}: invalid TOML: ${err instanceof Error ? err.message : String(err)}`, Errno.EINVAL, { file });
  }
  const fail = (path: string, message: string, errno: number = Errno.EINVAL, element?: string): never => {
    const { line, column } = locate(text, path, element);
    throw new ConfigError(`${file}:${line}:${column}: ${path}: ${message}`, errno, { file, line, column, key: path });
  };

  if (!("version" in doc)) fail("version", `missing \`version = ${TOML_VERSION}' (the profile format version)`);
  if (doc.version !== TOML_VERSION) fail("version", `unsupported profile format version ${JSON.stringify(doc.version)}: this sydbox reads version ${TOML_VERSION}`);

  const steps: Step[] = [];
  walk(doc, "", steps, fail);
  // Match settings first: they decide how the patterns that follow are checked.
  steps.sort((a, b) => rank(a.path) - rank(b.path));
  for (const step of steps) {
    try {
      applyMagic(cfg, step.command);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      fail(step.path, err.message.replace(/^invalid magic `[^]*?': /, ""), err.errno, step.element);
    }
  }
  return cfg;
}

function rank(path: string): number {
  return path.startsWith("core.match.") ? 0 : path.startsWith("core.") ? 1 : 2;
}

type Fail = (path: string, message: string, errno?: number, element?: string) => never;

/** Top-level tables accepted as short names: `[trace]` is `[core.trace]` (issue #9's spelling). */
const ALIASES: Readonly<Record<string, string>> = { trace: "core.trace" };

function walk(node: Record<string, unknown>, prefix: string, steps: Step[], fail: Fail): void {
  for (const [name, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${name}` : (Object.hasOwn(ALIASES, name) ? ALIASES[name] : name);
    if (path === "version") continue;
    if (TABLES.has(path)) {
      if (!isTable(value)) fail(path, `must be a table ([${path}]), not ${describe(value)}`);
      walk(value as Record<string, unknown>, path, steps, fail);
      continue;
    }
    const def = VALID_PATHS.get(path);
    if (!def) {
      const hint = suggest(path, [...VALID_PATHS.keys(), ...TABLES]);
      fail(path, `unknown key${hint ? ` (did you mean ${hint}?)` : ""}`);
    }
    if (def === "rules") rulesSteps(path, value, steps, fail);
    else if (def!.type === "list") {
      for (const item of stringArray(path, value, fail)) steps.push({ path, command: `${def!.key}+${item}`, element: item });
    } else steps.push({ path, command: `${def!.key}:${scalar(def!, path, value, fail)}` });
  }
}

function rulesSteps(path: string, value: unknown, steps: Step[], fail: Fail): void {
  const category = path.slice("rules.".length);
  const network = category === "bind" || category === "connect";
  for (const item of stringArray(path, value, fail)) {
    const m = /^(allow|deny) (.*)$/s.exec(item);
    if (!m) fail(path, `rule ${JSON.stringify(item)} must be "allow PATTERN" or "deny PATTERN"`, Errno.EINVAL, item);
    const list = m![1] === "allow" ? "allowlist" : "denylist";
    steps.push({ path, command: `${list}/${network ? "network/" : ""}${category}+${m![2]}`, element: item });
  }
}

function scalar(def: KeyDef, path: string, value: unknown, fail: Fail): string {
  switch (def.type) {
    case "bool":
      if (typeof value !== "boolean") fail(path, `must be true or false, not ${describe(value)}`);
      return String(value);
    case "int":
      if (typeof value !== "number" || !Number.isInteger(value)) fail(path, `must be an integer, not ${describe(value)}`);
      return String(value);
    default:
      if (typeof value !== "string") fail(path, `must be a string, one of ${def.values!.map((v) => JSON.stringify(v)).join(", ")}; not ${describe(value)}`);
      return value as string;
  }
}

function stringArray(path: string, value: unknown, fail: Fail): string[] {
  if (!Array.isArray(value)) fail(path, `must be an array of strings, not ${describe(value)}`);
  for (const item of value as unknown[]) if (typeof item !== "string") fail(path, `must be an array of strings; it holds ${describe(item)}`);
  return value as string[];
}

function isTable(v: unknown): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null; // smol-toml builds tables without a prototype

}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (isTable(v)) return "a table";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (v instanceof Date) return "a date/time";
  return `${typeof v} ${String(v)}`;
}

/**
 * Find where `path` (a dotted key) is written, for error positions. Tracks
 * `[table]` headers and dotted keys; with `element`, points at that array
 * element's text after the key. Falls back to line 1, column 1.
 */
export function locate(text: string, path: string, element?: string): { line: number; column: number } {
  const lines = text.split("\n");
  let table: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?/.exec(raw);
    if (header) {
      table = splitKey(header[1]!);
      if (table.join(".") === path && element === undefined) return { line: i + 1, column: raw.indexOf("[") + 1 };
      continue;
    }
    const assign = /^(\s*)((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/.exec(raw);
    if (!assign) continue;
    const full = [...table, ...splitKey(assign[2]!)].join(".");
    if (full !== path && !(full.startsWith(path + ".") && element === undefined)) continue;
    if (element === undefined) return { line: i + 1, column: assign[1]!.length + 1 };
    const rest = lines.slice(i).join("\n");
    const at = rest.indexOf(element, assign[0].length);
    if (at < 0) return { line: i + 1, column: assign[1]!.length + 1 };
    const before = rest.slice(0, at).split("\n");
    return { line: i + before.length, column: (before.length === 1 ? at : before[before.length - 1]!.length) + 1 };
  }
  return { line: 1, column: 1 };
}

function splitKey(key: string): string[] {
  return (key.match(/"[^"]*"|'[^']*'|[^.\s]+/g) ?? []).map((p) => p.replace(/^["']|["']$/g, ""));
}

/**
 * Write `cfg` as a TOML profile that loads back to the same config: every
 * section and key, defaults included, so the document shows the whole
 * effective configuration.
 */
export function toToml(cfg: Config, header = "sydbox configuration (TOML profile format, see profiles/README.md)"): string {
  const out = header.split("\n").map((l) => `# ${l}`.trimEnd());
  out.push("", `version = ${TOML_VERSION}`);
  let table = "";
  for (const def of SCHEMA) {
    if (def.type === "command" || def.action || atDefaultApi1(cfg, def)) continue;
    const path = tomlPath(def);
    const parent = path.slice(0, path.lastIndexOf("."));
    if (parent !== table) {
      out.push("", `[${parent}]`);
      table = parent;
    }
    const value = getField(cfg, def);
    out.push(`${path.slice(parent.length + 1)} = ${def.type === "list" ? array(value as string[]) : tomlValue(value)}`);
  }
  out.push("", "[rules]");
  for (const category of RULE_CATEGORIES) {
    out.push(`${category} = ${array(cfg.lists[category].map((r: Rule) => `${r.action} ${r.pattern}`))}`);
  }
  return out.join("\n") + "\n";
}

function array(items: readonly string[]): string {
  if (items.length === 0) return "[]";
  return `[\n${items.map((s) => `  ${tomlValue(s)},`).join("\n")}\n]`;
}

/** A TOML literal. Strings use basic-string escapes so any byte survives the round trip. */
function tomlValue(v: unknown): string {
  if (typeof v !== "string") return String(v);
  return `"${v.replace(/[\x00-\x1f\x7f"\\]/g, (c) => {
    const named: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f" };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  })}"`;
}
