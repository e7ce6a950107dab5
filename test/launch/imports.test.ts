/**
 * What each runtime of the binary loads at start. The first node: module a Bun
 * runtime loads costs it milliseconds (src/lazy-node.ts), so the runtimes whose
 * start is on the path to the command's first answered call must not import one
 * statically: the supervisor Worker and the child stage. A static import added
 * anywhere in their graphs fails here, naming the chain that pulls it in.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");
const SRC = join(ROOT, "src");
const transpiler = new Bun.Transpiler({ loader: "ts" });

/** Every node: module in the static import graph of `entry`, with the chain of files that imports it. */
function nodeImports(entry: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    // Type-only imports vanish in the bundle; scanImports leaves them out too.
    for (const imp of transpiler.scanImports(readFileSync(file, "utf8"))) {
      if (imp.kind !== "import-statement") continue;
      const spec = imp.path;
      const here = [...chain, file.slice(ROOT.length + 1)];
      if (spec.startsWith("node:")) found.push(`${here.join(" -> ")} -> ${spec}`);
      else if (spec.startsWith(".")) {
        const target = Bun.resolveSync(spec, dirname(file));
        if (target.endsWith(".ts")) visit(target, here); // not the profiles' text or package.json
      }
    }
  };
  visit(join(SRC, entry), []);
  return found;
}

test("the supervisor Worker imports no node: module at start", () => {
  expect(nodeImports("supervisor/worker.ts")).toEqual([]);
});

test("the child stage imports no node: module at start", () => {
  expect(nodeImports("launch/child.ts")).toEqual([]);
});

test("the check finds a static node: import where there is one", () => {
  // The CLI's graph has them (commander's parsing runs there anyway): the walk must see them.
  expect(nodeImports("cli/main.ts").some((s) => s.endsWith("-> node:fs"))).toBe(true);
});

test("nodeFs and nodeOs load node:fs and node:os once, on first use", () => {
  const { nodeFs, nodeOs } = require("../../src/lazy-node") as typeof import("../../src/lazy-node");
  expect(nodeFs()).toBe(nodeFs());
  expect(nodeFs().readFileSync).toBe(readFileSync);
  expect(nodeOs().constants.signals.SIGKILL).toBe(9);
});
