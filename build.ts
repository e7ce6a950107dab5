/**
 * Builds dist/sydbox: one standalone executable with the supervisor Worker as an
 * extra entry point, and bytecode to cut the startup of both Bun runtimes the
 * launch needs (parent and child stage).
 */
import { mkdirSync } from "node:fs";

/** The JIT policy every runtime of the executable starts with (see Bun.unsafe.setJITPolicy). */
const START_JIT_POLICY = 100;

mkdirSync("dist", { recursive: true });
const args = [
  "build", "--compile", "--bytecode", "--minify",
  // A sandbox must not take its environment or runtime settings from the directory it is
  // started in (a package's source tree): no .env, no bunfig.toml. (Both also cost start-up.)
  "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig",
  // Start-up code runs once: JSC's tier-up thresholds scaled by 100 keep it in the
  // interpreter instead of JIT-compiling it (-5 ms of `sydbox -- true`, measured side by
  // side). The supervisor Worker sets the normal policy back for its hot loop (worker.ts).
  `--compile-jit-policy=${START_JIT_POLICY}`,
  // Entry points, each its own bundle: the launcher, the child stage and the
  // CLI (loaded by src/main.ts's entry()), the supervisor Worker, and its helper
  // thread for opens that must block (src/supervisor/emulate/blocking.ts).
  "src/main.ts", "src/launch/child.ts", "src/cli/main.ts", "src/supervisor/worker.ts", "src/supervisor/emulate/opener.ts",
  "--outfile", "dist/sydbox",
];
const proc = Bun.spawnSync([process.execPath, ...args], { stdio: ["inherit", "inherit", "inherit"] });
if (proc.exitCode !== 0) {
  console.error("build.ts: bun build failed");
  process.exit(proc.exitCode ?? 1);
}
console.log("build.ts: wrote dist/sydbox");
