/**
 * Builds dist/sydbox: one standalone executable with the supervisor Worker as an
 * extra entry point, and bytecode to cut the startup of both Bun runtimes the
 * launch needs (parent and child stage).
 */
import type { BunPlugin } from "bun";

/** The JIT policy every runtime of the executable starts with (see Bun.unsafe.setJITPolicy). */
const START_JIT_POLICY = 100;

/**
 * commander loads four node: builtins when it is loaded, and each costs every
 * `sydbox -- cmd` start-up time (bench/README.md, start-up costs). sydbox uses
 * none of what needs them: executable
 * subcommands (child_process, fs, path) and event listeners beyond on/emit/
 * listenerCount (events). The bundled copy gets src/cli/emitter.ts for
 * node:events, nothing for child_process, and fs and path loaded on first use.
 * The build fails if any of these lines changes, so a substitution cannot
 * silently stop applying (or apply to something else).
 */
const emitter = new URL("./src/cli/emitter.ts", import.meta.url).pathname;
const COMMANDER_BUILTINS: [string, string][] = [
  ["const EventEmitter = require('node:events').EventEmitter;", `const { EventEmitter } = require(${JSON.stringify(emitter)});`],
  ["const childProcess = require('node:child_process');", "const childProcess = {}; // build.ts: executable subcommands unused"],
  ["const path = require('node:path');", "const path = new Proxy({}, { get: (_, k) => require('node:path')[k] });"],
  ["const fs = require('node:fs');", "const fs = new Proxy({}, { get: (_, k) => require('node:fs')[k] });"],
];
const commanderWithoutBuiltins: BunPlugin = {
  name: "commander-without-builtins",
  setup(build) {
    build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async ({ path }) => {
      let source = await Bun.file(path).text();
      for (const [line, replacement] of COMMANDER_BUILTINS) {
        if (!source.includes(line)) throw new Error(`build.ts: ${path} no longer has \`${line}\`: update the commander plugin`);
        source = source.replace(line, replacement);
      }
      return { contents: source, loader: "js" };
    });
  },
};

/**
 * The bundles of the executable, without its packaging: the test suite builds
 * these too, to check what each runtime loads at start (test/launch/imports.test.ts).
 */
export const BUNDLE = {
  // Entry points, each its own bundle: the launcher, the child stage and the
  // CLI (loaded by src/main.ts's entry()), the supervisor Worker, and its helper
  // thread for calls that must block (src/supervisor/emulate/blocking.ts), its one-shot
  // thread for a unix bind (src/supervisor/bind.ts),
  // and the child stage's watchdog thread (src/launch/reaper.ts).
  entrypoints: ["src/main.ts", "src/launch/child.ts", "src/cli/main.ts", "src/supervisor/worker.ts", "src/supervisor/emulate/opener.ts", "src/supervisor/emulate/binder.ts", "src/launch/reaper-worker.ts"],
  target: "bun",
  bytecode: true,
  minify: true,
  plugins: [commanderWithoutBuiltins],
} satisfies Parameters<typeof Bun.build>[0];

/**
 * The filter programs of the usual runs, compiled now (src/launch/precompiled.ts): no
 * options and `--profile paludis`, as root and not. Each is stored under the key of the
 * exact FilterSpec it was compiled from; the executable compiles any other at start.
 */
async function precompiledFilters(): Promise<BunPlugin> {
  const { loadLibc } = await import("./ffi/libc");
  const { loadSeccomp } = await import("./ffi/seccomp");
  const { loadConfig } = await import("./src/config/sources");
  const { buildFilter } = await import("./src/launch/filter");
  const { filterInputs } = await import("./src/launch/filter-inputs");
  const { compileWholeFilter } = await import("./src/launch/seccomp-context");
  const { precompiledKey } = await import("./src/launch/precompiled");
  const table: Record<string, string> = {};
  const plugin = (): BunPlugin => ({
    name: "precompiled-filters",
    setup(build) {
      const contents = `export const PRECOMPILED = ${JSON.stringify(table)};\n`;
      build.onLoad({ filter: /[\\/]src[\\/]launch[\\/]precompiled-table\.ts$/ }, () => ({ contents, loader: "ts" }));
    },
  });
  let sc: ReturnType<typeof loadSeccomp>;
  try { sc = loadSeccomp(); }
  catch (e) {
    // Building where libseccomp is absent (a packaging host): every start compiles its filter.
    console.warn(`build.ts: no filter precompiled: ${(e as Error).message}`);
    return plugin();
  }
  const L = loadLibc();
  for (const profile of [undefined, "paludis"]) {
    for (const rootful of [false, true]) {
      const spec = buildFilter({ ...filterInputs(loadConfig({ profile })), rootful }, sc.seccomp_arch_native());
      table[precompiledKey(sc, spec)] = Buffer.from(compileWholeFilter(L, sc, spec)).toString("base64");
    }
  }
  return plugin();
}

if (import.meta.main) await buildExecutable();

async function buildExecutable(): Promise<void> {
  const result = await Bun.build({
    ...BUNDLE,
    plugins: [...BUNDLE.plugins, await precompiledFilters()],
    compile: {
      outfile: "dist/sydbox",
      // A sandbox must not take its environment or runtime settings from the directory it is
      // started in (a package's source tree): no .env, no bunfig.toml. (Both also cost start-up.)
      autoloadDotenv: false,
      autoloadBunfig: false,
      // Start-up code runs once: JSC's tier-up thresholds scaled by 100 keep it in the
      // interpreter instead of JIT-compiling it (-5 ms of `sydbox -- true`, measured side by
      // side). The supervisor Worker sets the normal policy back for its hot loop (worker.ts).
      jitPolicy: START_JIT_POLICY,
    },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    console.error("build.ts: bun build failed");
    process.exit(1);
  }
  console.log("build.ts: wrote dist/sydbox");
}
