/**
 * Builds dist/sydbox: one standalone executable with the supervisor Worker as an
 * extra entry point, and bytecode to cut the startup of both Bun runtimes the
 * launch needs (parent and child stage).
 */
import type { BunPlugin } from "bun";

/** The JIT policy every runtime of the executable starts with (see Bun.unsafe.setJITPolicy). */
const START_JIT_POLICY = 100;

/**
 * commander requires node:child_process at load time, for executable
 * subcommands, which sydbox does not use: loading that builtin costs ~0.7 ms of
 * every `sydbox -- cmd` (measured side by side). The bundled copy gets an empty
 * object instead; the build fails if commander's line ever changes, so the
 * substitution cannot silently stop applying (or apply to something else).
 */
const commanderWithoutChildProcess: BunPlugin = {
  name: "commander-without-child-process",
  setup(build) {
    build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async ({ path }) => {
      const line = "const childProcess = require('node:child_process');";
      const source = await Bun.file(path).text();
      if (!source.includes(line)) throw new Error(`build.ts: ${path} no longer has \`${line}\`: update the commander plugin`);
      return { contents: source.replace(line, "const childProcess = {}; // build.ts: executable subcommands unused"), loader: "js" };
    });
  },
};

const result = await Bun.build({
  // Entry points, each its own bundle: the launcher, the child stage and the
  // CLI (loaded by src/main.ts's entry()), the supervisor Worker, and its helper
  // thread for calls that must block (src/supervisor/emulate/blocking.ts),
  // and the child stage's watchdog thread (src/launch/reaper.ts).
  entrypoints: ["src/main.ts", "src/launch/child.ts", "src/cli/main.ts", "src/supervisor/worker.ts", "src/supervisor/emulate/opener.ts", "src/launch/reaper-worker.ts"],
  target: "bun",
  bytecode: true,
  minify: true,
  plugins: [commanderWithoutChildProcess],
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
