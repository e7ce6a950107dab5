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

if (import.meta.main) await buildExecutable();

async function buildExecutable(): Promise<void> {
  const result = await Bun.build({
    ...BUNDLE,
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
