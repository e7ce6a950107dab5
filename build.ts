/**
 * Builds dist/sydbox: one standalone executable with the supervisor Worker as an
 * extra entry point, and bytecode to cut the startup of both Bun runtimes the
 * launch needs (parent and child stage).
 */
import { mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
const args = [
  "build", "--compile", "--bytecode", "--minify",
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
