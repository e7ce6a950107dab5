/**
 * The man pages against the code: every option the built binary's --help
 * prints (for a run, learn and the config subcommands) is described in
 * sydbox(1), every key of the schema has its entry in sydbox(5), and no
 * placeholder is left unfilled. The README stays a front door.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SCHEMA, UNSUPPORTED_KEYS } from "../../src/config/schema";
import { generatedFiles, roff } from "../../scripts/generate";
import { DIST, ROOT } from "../lib/sydbox";

const pages = generatedFiles();

/** The option flags (`-c`, `--config`, ...) in the Options: section of a --help text. */
function helpOptions(args: string[]): string[] {
  const p = Bun.spawnSync([DIST, ...args], { stdout: "pipe", stderr: "pipe" });
  expect(p.exitCode).toBe(0);
  const text = p.stdout.toString();
  const start = text.indexOf("\nOptions:\n");
  expect(start).toBeGreaterThanOrEqual(0);
  // The section runs to the next blank line.
  const end = text.indexOf("\n\n", start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  const flags = new Set<string>();
  for (const line of section.split("\n")) {
    // `  -c, --config <pathspec>  description`: the flags come before the two-space gap.
    const m = /^  (-.*?)(?:  |$)/.exec(line);
    if (m) for (const f of m[1]!.match(/-{1,2}[A-Za-z][\w-]*/g)!) flags.add(f);
  }
  return [...flags];
}

describe("sydbox(1) describes every option --help prints", () => {
  const page = pages["man/man1/sydbox.1"]!;
  const cases: [string, string[]][] = [
    ["sydbox", ["--help"]],
    ["sydbox learn", ["learn", "--help"]],
    ["sydbox config show", ["config", "show", "--help"]],
    ["sydbox config convert", ["config", "convert", "--help"]],
    ["sydbox fmt", ["fmt", "--help"]],
  ];
  for (const [what, args] of cases) {
    test(what, () => {
      const flags = helpOptions(args);
      expect(flags.length).toBeGreaterThanOrEqual(2);
      // In the roff source an option is written with escaped hyphens, in bold: \-\-dry\-run.
      const missing = flags.filter((f) => !page.includes(roff(f)));
      expect(missing).toEqual([]);
    });
  }
  test("and every subcommand", () => {
    for (const sub of ["learn", "config check", "config convert", "config show", "fmt exec"]) expect(page).toContain(sub);
  });
});

describe("sydbox(5)", () => {
  const page = pages["man/man5/sydbox.5"]!;
  test("has an entry for every schema key, with its doc string", () => {
    for (const def of SCHEMA) {
      expect(page).toContain(`.B ${roff(def.key)}\n`);
      expect(page).toContain(roff(def.doc.slice(1)));
    }
  });
  test("names every unsupported SydBox 2.0.1 key", () => {
    for (const key of UNSUPPORTED_KEYS) expect(page).toContain(roff(key));
  });
});

test("every placeholder of the man pages and the completion is filled", () => {
  for (const [path, text] of Object.entries(pages)) expect({ path, left: text.match(/@[A-Z_]+@/g) }).toEqual({ path, left: null });
});

describe("README.md", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  test("is a front door: at most 200 lines", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(200);
  });
  test("opens with the fresh-machine commands CI runs", () => {
    const firstScreen = readme.split("\n").slice(0, 40).join("\n");
    expect(firstScreen).toContain("npm ci && npm run build && dist/sydbox --profile paludis --");
    expect(firstScreen).toContain("npm test");
    expect(readFileSync(join(ROOT, ".ci/run"), "utf8")).toContain("npm test");
  });
  test("links only to files that exist", () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(3);
    expect(links.filter((l) => !existsSync(join(ROOT, l)))).toEqual([]);
  });
});
