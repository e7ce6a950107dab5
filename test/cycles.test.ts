/**
 * The import graph of src/ and ffi/ has no cycles. Every kind of import counts:
 * static, type-only (a type cycle is still two modules that cannot be understood,
 * tested or changed apart) and lazy (`require`, `import()`), which only defers a cycle.
 * A cycle fails the test, naming its files.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

const ROOT = join(import.meta.dir, "..");

/** `import ... from "x"`, `export ... from "x"`, `import "x"`, `import("x")`, `require("x")`. */
const IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']|\b(?:import|require)\(\s*["']([^"']+)["']\s*\)/gm;

/** Every .ts file under `dirs` (declaration files aside), with the files of the same tree it imports. */
function importGraph(base: string, dirs: string[]): Map<string, string[]> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) files.push(p);
    }
  };
  for (const d of dirs) walk(join(base, d));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps: string[] = [];
    for (const m of readFileSync(f, "utf8").matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec.startsWith(".")) continue;
      const target = Bun.resolveSync(spec, dirname(f));
      if (target.endsWith(".ts")) deps.push(target); // not package.json or the profiles' text
    }
    graph.set(f, deps);
  }
  return graph;
}

/** The strongly connected components with more than one file (or a file importing itself): the cycles. */
function cycles(graph: Map<string, string[]>, base: string): string[] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const found: string[] = [];
  const connect = (v: string) => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { connect(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
    if (scc.length > 1 || graph.get(v)!.includes(v)) found.push(scc.map((f) => relative(base, f)).sort().join(" <-> "));
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return found.sort();
}


test("src/ and ffi/ import each other without cycles (static, type-only and lazy imports alike)", () => {
  expect(cycles(importGraph(ROOT, ["src", "ffi"]), ROOT)).toEqual([]);
});

test("the check finds a cycle of each kind of import where there is one", () => {
  const dir = mkdtempSync(join(tmpdir(), "sydbox-cycles-"));
  try {
    writeFileSync(join(dir, "a.ts"), `import type { B } from "./b";\nexport type A = B;\n`);
    writeFileSync(join(dir, "b.ts"), `export type B = number;\nexport const f = () => require("./c");\n`);
    writeFileSync(join(dir, "c.ts"), `export { A } from "./a.ts";\n`);
    writeFileSync(join(dir, "d.ts"), `import "./d";\n`);
    writeFileSync(join(dir, "e.ts"), `import { A } from "./a";\n// import { E } from "./e";\n`);
    expect(cycles(importGraph(dir, ["."]), dir)).toEqual(["a.ts <-> b.ts <-> c.ts", "d.ts"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
