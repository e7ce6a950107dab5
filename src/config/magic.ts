/**
 * The magic language: parse and apply one `section/key OP value` command.
 *
 * This is the only code that changes a Config. `-m`, `.syd-2` lines, TOML
 * profiles (translated to commands) and the runtime `/dev/sydbox/...` stat all
 * come through `applyMagic`, so they accept and refuse exactly the same things.
 *
 * Errors are ConfigErrors carrying the errno a tracee sees from the magic stat:
 * - EINVAL: unknown key, wrong type, bad value, operator the key does not take
 *   (SydBox's invalid key/type/value/operation all map to EINVAL).
 * - ENOTSUP: a real SydBox 2.0.1 key this implementation does not support.
 * - EPERM: `cmd/exec` outside the run-time magic stat. 2.0.1 refused it there
 *   too ("invalid operation"), but that errno was never observable: a config
 *   file error just ended sydbox. EPERM says what happened more precisely.
 */
import { ConfigError, Errno } from "../errors.ts";
import { compilePattern, normalizePattern } from "../policy/pattern.ts";
import { parseAddressPattern } from "../policy/address.ts";
import {
  API_VERSION, OLD_API_VERSION, canonicalKey, MAGIC_OPS, SCHEMA, SECTIONS, UNSUPPORTED_KEYS, getField, lookupKey, setField, suggest,
  type KeyDef, type MagicOp,
} from "./schema.ts";
import type { Config, Rule } from "./types.ts";

/** What a successful magic command produced. A false query is ENOENT at the magic stat. */
export type MagicResult =
  | { kind: "ok" }
  | { kind: "query"; value: boolean }
  | { kind: "command"; argv: string[] };

/** Where a command comes from. Only the run-time magic stat may run `cmd/exec`. */
export interface MagicContext {
  runtime?: boolean;
}

/** A syntactically split command. `op` is null for the bare `/dev/sydbox` and `/dev/sydbox/2` forms. */
export interface ParsedMagic {
  key: string;
  op: MagicOp | null;
  value: string;
}

/** The device path the magic stat answers on. */
export const MAGIC_PREFIX = "/dev/sydbox";

/** The argument separator of `cmd/exec` (ASCII unit separator, octal 037). */
export const COMMAND_SEPARATOR = "\x1f";

const KEY_CHARS = /^[A-Za-z0-9_/]*/;

/**
 * Split a command into key, operator and value without judging the key.
 * An optional `/dev/sydbox/` prefix is accepted so the same text works in
 * `-m`, files and the stat path.
 */
export function parseMagic(command: string): ParsedMagic {
  let cmd = command;
  if (cmd === MAGIC_PREFIX) return { key: "", op: null, value: "" };
  if (cmd.startsWith(MAGIC_PREFIX + "/")) cmd = cmd.slice(MAGIC_PREFIX.length + 1);
  const key = KEY_CHARS.exec(cmd)![0];
  const rest = cmd.slice(key.length);
  if (rest === "") return { key, op: null, value: "" };
  const op = rest[0] as MagicOp;
  if (!MAGIC_OPS.includes(op)) {
    throw new ConfigError(`invalid magic \`${command}': expected an operator (: ? + - !) after \`${key}', got \`${rest[0]}'`, Errno.EINVAL, { key });
  }
  return { key, op, value: rest.slice(1) };
}

/**
 * The command a stat of `path` asks for, or null when the path is not magic
 * (neither `/dev/sydbox` nor below it; `/dev/sydboxFOO` is not magic either).
 */
export function magicCommandFromPath(path: string): string | null {
  if (path === MAGIC_PREFIX) return "";
  if (path.startsWith(MAGIC_PREFIX + "/")) return path.slice(MAGIC_PREFIX.length + 1);
  return null;
}

/**
 * The magic stat: run the command a stat of `path` encodes against `cfg`
 * (the calling process's config), or return null when `path` is not magic and
 * the call should go to the kernel. `/dev/sydbox`, `/dev/sydbox/2` and
 * `/dev/sydbox/1` answer ok (API 1's names are accepted too, see schema.ts). The caller checks the magic lock first.
 */
export function castMagicPath(cfg: Config, path: string): MagicResult | null {
  const command = magicCommandFromPath(path);
  return command === null ? null : applyMagic(cfg, command, { runtime: true });
}

/** Parse a boolean the SydBox way: 1/0, t/f, true/false, in any case. */
export function parseBoolean(text: string): boolean | undefined {
  switch (text.toLowerCase()) {
    case "1": case "t": case "true": return true;
    case "0": case "f": case "false": return false;
    default: return undefined;
  }
}

/** Parse a decimal integer, refusing trailing junk (SydBox's safe_atoi). */
export function parseInteger(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Apply one magic command to `cfg` in place, or throw a ConfigError and leave
 * `cfg` untouched (every check runs before the first write).
 */
export function applyMagic(cfg: Config, command: string, ctx: MagicContext = {}): MagicResult {
  const { key, op, value } = parseMagic(command);
  if (op === null) {
    // The bare forms answer "yes, sydbox is here, and speaks this API" (2, and 1 for Paludis's wrapper).
    if (key === "" || key === String(API_VERSION) || key === String(OLD_API_VERSION)) return { kind: "ok" };
  }
  const def = lookupKey(key);
  if (!def) throw unknownKey(command, key, op);
  if (op === null) throw new ConfigError(`invalid magic \`${command}': missing operator after \`${key}' (one of ${def.ops.join(" ")})`, Errno.EINVAL, { key });
  if (!def.ops.includes(op)) {
    throw new ConfigError(`invalid magic \`${command}': ${key} does not take \`${op}' (it takes ${def.ops.map((o) => `\`${o}'`).join(", ")})`, Errno.EINVAL, { key });
  }
  switch (op) {
    case ":": setScalar(cfg, def, value, command); return { kind: "ok" };
    case "?": return { kind: "query", value: def.query!(getField(cfg, def)) };
    case "+": appendEntry(cfg, def, value, command); return { kind: "ok" };
    case "-": removeEntry(cfg, def, value, command); return { kind: "ok" };
    case "!": return { kind: "command", argv: runCommand(def, value, command, ctx) };
  }
}

function unknownKey(command: string, key: string, op: MagicOp | null): ConfigError {
  if (UNSUPPORTED_KEYS.includes(key)) {
    return new ConfigError(`invalid magic \`${command}': ${key} is a SydBox 2.0.1 key that sydbox does not support`, Errno.ENOTSUP, { key });
  }
  const isApi = key === String(API_VERSION) || key === String(OLD_API_VERSION);
  if (isApi || SECTIONS.has(canonicalKey(key))) {
    return new ConfigError(`invalid magic \`${command}': \`${key}' is ${isApi ? "an API version" : "a section"}, not a key${op ? ` that takes \`${op}'` : ""}`, Errno.EINVAL, { key });
  }
  const hint = suggest(key, SCHEMA.map((d) => d.key));
  return new ConfigError(`invalid magic \`${command}': unknown key \`${key}'${hint ? ` (did you mean ${hint}?)` : ""}`, Errno.EINVAL, { key });
}

function setScalar(cfg: Config, def: KeyDef, text: string, command: string): void {
  let value: boolean | number | string | undefined;
  let expected: string;
  switch (def.type) {
    case "bool":
      value = parseBoolean(text);
      expected = "a boolean (1/0, t/f, true/false)";
      break;
    case "int": {
      const n = parseInteger(text);
      const [lo, hi] = def.range!;
      value = n !== undefined && n >= lo && n <= hi ? n : undefined;
      expected = `an integer from ${lo} to ${hi}`;
      break;
    }
    default:
      value = def.values!.includes(text) ? text : undefined;
      expected = `one of ${def.values!.join(", ")}`;
  }
  if (value === undefined) throw new ConfigError(`invalid magic \`${command}': ${def.key} must be ${expected}, not \`${text}'`, Errno.EINVAL, { key: def.key });
  setField(cfg, def, value);
}

/**
 * Check an entry the way its matcher will read it, so a bad pattern fails
 * where it was written rather than at the first syscall it would have matched.
 */
export function validateEntry(cfg: Config, def: KeyDef, value: string, command = `${def.key}+${value}`): void {
  if (value === "") throw new ConfigError(`invalid magic \`${command}': empty pattern`, Errno.EINVAL, { key: def.key });
  try {
    const opts = { caseSensitive: cfg.core.match.case_sensitive, noWildcard: cfg.core.match.no_wildcard };
    if (def.entry === "address") parseAddressPattern(value, opts);
    else compilePattern(value, opts);
  } catch (err) {
    // Anything the policy modules throw is a bad value to us; keep their errno if typed.
    const errno = err instanceof ConfigError ? err.errno : Errno.EINVAL;
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`invalid magic \`${command}': ${why}`, errno, { key: def.key });
  }
}

function appendEntry(cfg: Config, def: KeyDef, value: string, command: string): void {
  validateEntry(cfg, def, value, command);
  const list = getField(cfg, def) as Array<string | Rule>;
  list.push(def.action ? { action: def.action, pattern: value } : value);
}

/**
 * SydBox 2.0.1 (acl_remove_*) walks the list from its head and unlinks the
 * first entry with the same action and pattern, once per call: a pattern added
 * twice needs two removes, and removing an absent pattern succeeds. Path
 * patterns compare after SydBox's normalisation (collapsed slashes, and under
 * no_wildcard=prefix `/tmp` is `/tmp/***`), so `-/tmp/***` removes `+/tmp`.
 */
function removeEntry(cfg: Config, def: KeyDef, value: string, command: string): void {
  if (value === "") throw new ConfigError(`invalid magic \`${command}': empty pattern`, Errno.EINVAL, { key: def.key });
  const list = getField(cfg, def) as Array<string | Rule>;
  const mode = cfg.core.match.no_wildcard;
  const same = def.entry === "path"
    ? (p: string) => normalizePattern(p, mode) === normalizePattern(value, mode)
    : (p: string) => p === value;
  const i = list.findIndex((e) => typeof e === "string" ? same(e) : e.action === def.action && same(e.pattern));
  if (i >= 0) list.splice(i, 1);
}

function runCommand(def: KeyDef, value: string, command: string, ctx: MagicContext): string[] {
  if (!ctx.runtime) {
    throw new ConfigError(`invalid magic \`${command}': ${def.key} runs a program and is only permitted at run time, through the magic stat`, Errno.EPERM, { key: def.key });
  }
  const argv = value.split(COMMAND_SEPARATOR);
  if (argv[0] === "") throw new ConfigError(`invalid magic \`${command}': no program to run`, Errno.EINVAL, { key: def.key });
  return argv;
}

/** Format `prog args...` as the value of `cmd/exec!` (the esandbox `exec` encoding). */
export function formatCommand(argv: readonly string[]): string {
  return `cmd/exec!${argv.join(COMMAND_SEPARATOR)}`;
}
