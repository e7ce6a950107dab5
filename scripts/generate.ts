/**
 * The generated documentation files: the man pages (man/*.1, man/*.5.in) and the
 * bash completion (completion/sydbox.bash.in), with the magic key reference and
 * the key, profile and subcommand lists filled in from the code's own tables
 * (src/config/schema.ts and friends), so that the docs cannot drift from the code.
 * scripts/install.ts installs these; `bun run scripts/generate.ts DIR` writes
 * them to DIR to look at (`man -l DIR/man/sydbox.5`).
 */
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { SCHEMA, UNSUPPORTED_KEYS, type KeyDef } from "../src/config/schema.ts";
import { tomlPath } from "../src/config/toml.ts";
import { EMBEDDED_PROFILES } from "../src/config/profiles.ts";
import { SUBCOMMANDS } from "../src/cli/subcommand-names.ts";
import { VERSION } from "../src/version.ts";

const ROOT = join(import.meta.dir, "..");

/** Escapes text for roff: backslashes, and a leading `.` or `'` that would start a request. */
export function roff(text: string): string {
  return text.replace(/\\/g, "\\e").replace(/-/g, "\\-").replace(/^([.'])/gm, "\\&$1");
}

const OP_NAMES: Record<string, string> = { ":": "set", "?": "query", "+": "append", "-": "remove", "!": "run" };

/** What values a key takes, in words. */
function valuesOf(def: KeyDef): string {
  switch (def.type) {
    case "bool": return "boolean";
    case "int": return def.range ? `integer, ${def.range[0]} to ${def.range[1]}` : "integer";
    case "enum": return `one of ${def.values!.join(", ")}`;
    case "list": return `list of ${def.entry === "address" ? "address" : "path"} patterns`;
    case "command": return "a command";
  }
}

/** Where the key lives in a TOML profile, in words. */
function tomlPlace(def: KeyDef): string {
  if (def.type === "command") return "no TOML form";
  const path = tomlPath(def);
  if (def.action) return `TOML: \`${path} = ["${def.action} PATTERN"]'`;
  const dot = path.lastIndexOf(".");
  return `TOML: \`${path.slice(dot + 1)}' in table \`[${path.slice(0, dot)}]'`;
}

/** The key reference of sydbox(5): one `.TP` paragraph per schema key. */
export function keyReference(): string {
  const out: string[] = [];
  for (const def of SCHEMA) {
    const facts = [valuesOf(def)];
    if (def.default !== undefined) facts.push(`default ${String(def.default)}`);
    facts.push(`operators ${def.ops.map((o) => `${o} (${OP_NAMES[o]})`).join(", ")}`);
    facts.push(tomlPlace(def));
    const line = facts.join("; ");
    const doc = def.doc.charAt(0).toUpperCase() + def.doc.slice(1);
    out.push(".TP", `.B ${roff(def.key)}`, roff(doc) + ".", ".br", roff(line.charAt(0).toUpperCase() + line.slice(1)) + ".");
  }
  return out.join("\n");
}

/** The SydBox 2.0.1 keys sydbox refuses with ENOTSUP, for sydbox(5). */
export function unsupportedKeys(): string {
  return UNSUPPORTED_KEYS.map((k) => `.IP \\(bu 2\n.B ${roff(k)}`).join("\n");
}

/** Every `-m` completion candidate: `key:value` for enums and booleans, `key:` for integers, `key+`/`key-` for lists. */
export function magicCandidates(): string[] {
  const out: string[] = [];
  for (const def of SCHEMA) {
    if (def.type === "enum") for (const v of def.values!) out.push(`${def.key}:${v}`);
    else if (def.type === "bool") out.push(`${def.key}:true`, `${def.key}:false`);
    else if (def.type === "int") out.push(`${def.key}:`);
    else if (def.type === "list") out.push(`${def.key}+`, `${def.key}-`);
  }
  return out;
}

/** Fills `@NAME@` placeholders; a placeholder without a value is an error, not silent text. */
function fill(template: string, values: Record<string, string>, what: string): string {
  return template.replace(/@([A-Z_]+)@/g, (m, name: string) => {
    if (!(name in values)) throw new Error(`${what}: unknown placeholder ${m}`);
    return values[name]!;
  });
}

const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8");

/**
 * The pages' date: SOURCE_DATE_EPOCH's when the build sets it (reproducible builds),
 * else today's.
 */
function pageDate(): string {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return new Date(Number.isFinite(epoch) && process.env.SOURCE_DATE_EPOCH ? epoch * 1000 : Date.now()).toISOString().slice(0, 10);
}

/** The generated files, by path relative to PREFIX/share (man/man1/sydbox.1, bash-completion/completions/sydbox). */
export function generatedFiles(): Record<string, string> {
  const man = { VERSION: VERSION, DATE: pageDate(), KEY_REFERENCE: keyReference(), UNSUPPORTED_KEYS: unsupportedKeys() };
  const completion = {
    MAGIC: magicCandidates().join(" "),
    PROFILES: Object.keys(EMBEDDED_PROFILES).join(" "),
    SUBCOMMANDS: [...SUBCOMMANDS, "learn"].join(" "),
  };
  const pages = {
    "man/man1/sydbox.1": fill(read("man/sydbox.1"), man, "man/sydbox.1"),
    "man/man1/sydfmt.1": fill(read("man/sydfmt.1"), man, "man/sydfmt.1"),
    "man/man5/sydbox.5": fill(read("man/sydbox.5.in"), man, "man/sydbox.5.in"),
  };
  const bash = fill(read("completion/sydbox.bash.in"), completion, "completion/sydbox.bash.in");
  // bash-completion loads a command's completion from the file of its name: one for each.
  return {
    ...pages,
    "bash-completion/completions/sydbox": bash,
    "bash-completion/completions/sydfmt": bash,
  };
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write("usage: bun run scripts/generate.ts DIR\n");
    process.exit(1);
  }
  for (const [rel, text] of Object.entries(generatedFiles())) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}
