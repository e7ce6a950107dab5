/**
 * What each runtime of the binary loads at start. The first node: module a Bun
 * runtime loads costs it milliseconds (src/lazy-node.ts), and every runtime is
 * on the path to the command's start: the launcher and the CLI (parent), the
 * child stage, the supervisor Worker. None may import one statically; a static
 * import added anywhere in their graphs fails here, naming the chain that
 * pulls it in. commander requires builtins itself: the bundle build.ts makes
 * must have those substituted.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BUNDLE } from "../../build";

const ROOT = join(import.meta.dir, "..", "..");
const SRC = join(ROOT, "src");
const transpiler = new Bun.Transpiler({ loader: "ts" });

/** Every node: module in the static import graph of `entry`, with the chain of files that imports it. */
function nodeImports(entry: string): string[] {
  return staticImports(entry, (spec) => spec.startsWith("node:"));
}

/** Every import matching `wanted` in the static import graph of `entry` (our own files followed), with its chain. */
function staticImports(entry: string, wanted: (spec: string) => boolean): string[] {
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
      if (wanted(spec)) found.push(`${here.join(" -> ")} -> ${spec}`);
      else if (spec.startsWith(".")) {
        const target = Bun.resolveSync(spec, dirname(file));
        if (target.endsWith(".ts")) visit(target, here); // not the profiles' text or package.json
      }
    }
  };
  visit(entry.startsWith("/") ? entry : join(SRC, entry), []);
  return found;
}

test("the supervisor Worker imports no node: module at start", () => {
  expect(nodeImports("supervisor/worker.ts")).toEqual([]);
});

test("the child stage imports no node: module at start", () => {
  expect(nodeImports("launch/child.ts")).toEqual([]);
});

test("the launcher and the CLI import no node: module at start", () => {
  expect(nodeImports("main.ts")).toEqual([]);
  expect(nodeImports("cli/main.ts")).toEqual([]);
});

test("the launcher and the CLI load the TOML parser only for a TOML document", () => {
  expect(staticImports("main.ts", (spec) => spec === "smol-toml")).toEqual([]);
  expect(staticImports("cli/main.ts", (spec) => spec === "smol-toml")).toEqual([]);
  expect(staticImports("config/toml.ts", (spec) => spec === "smol-toml")).toEqual(["src/config/toml.ts -> smol-toml"]);
});

test("the check finds a static node: import where there is one", () => {
  // This file imports node:fs: the walk must see it.
  expect(nodeImports(import.meta.path).some((s) => s.endsWith("-> node:fs"))).toBe(true);
});

test("the CLI bundle loads node:fs, node:os and node:path lazily, and no other builtin (commander's are substituted)", async () => {
  const out = mkdtempSync(join(tmpdir(), "sydbox-bundle-"));
  try {
    const result = await Bun.build({ ...BUNDLE, entrypoints: [join(SRC, "cli/main.ts")], bytecode: false, minify: false, outdir: out });
    expect(result.success).toBe(true);
    const text = await result.outputs[0].text();
    // Static imports load at link time: only bun:ffi may be one.
    expect(transpiler.scanImports(text).filter((i) => i.kind === "import-statement" && !i.path.startsWith("bun:"))).toEqual([]);
    // The bundler turns require("node:x") into __require("x"). node:fs, node:os and node:path are
    // required lazily (src/lazy-node.ts, build.ts); node:process is the process global.
    const required = new Set([...text.matchAll(/__require\("([^"]+)"\)/g)].map((m) => m[1]));
    expect([...required].sort()).toEqual(["fs", "os", "path", "process"]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("nodeFs, nodeOs and nodePath load node:fs, node:os and node:path once, on first use", () => {
  const { nodeFs, nodeOs, nodePath } = require("../../src/lazy-node") as typeof import("../../src/lazy-node");
  expect(nodeFs()).toBe(nodeFs());
  expect(nodeFs().readFileSync).toBe(readFileSync);
  expect(nodeOs().constants.signals.SIGKILL).toBe(9);
  expect(nodePath().join).toBe(join);
});
