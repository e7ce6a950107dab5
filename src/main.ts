/**
 * sydbox's entry point: one clear path from argv to the sandboxed execve.
 * The same binary is re-executed as the child stage (`--internal-child`),
 * because Bun cannot fork. No top-level await: it breaks `--bytecode`.
 * Modules are `require`d lazily so each stage evaluates only what it needs.
 */
import { CHILD_FLAG } from "./launch/protocol";

// The Worker is an extra entry point of `bun build --compile`. A compiled binary
// must name it by the plain relative specifier, which Bun maps to the embedded
// bundle; a URL built from import.meta.url would point at the source tree on disk.
const COMPILED = Bun.main.startsWith("/$bunfs/");
const newWorker = () =>
  COMPILED ? new Worker("./supervisor/worker.ts") : new Worker(new URL("./supervisor/worker.ts", import.meta.url).href);

/** Does this command line run a command (rather than print help, a version, a filter, or a config)? */
function runsCommand(argv: string[]): boolean {
  const dashdash = argv.indexOf("--");
  const opts = dashdash < 0 ? argv : argv.slice(0, dashdash);
  if (["config", "fmt"].includes(argv[0])) return false;
  return !opts.some((a) => /^(-h|--help|-v|--version|-t|--test|--export(=.*)?)$/.test(a));
}

const argv = process.argv.slice(2);
if (argv[0] === CHILD_FLAG) {
  (require("./launch/child") as typeof import("./launch/child")).childMain();
} else {
  // Start the child stage and the Worker first: their runtimes boot while we parse.
  const pre = runsCommand(argv) ? (require("./launch/run") as typeof import("./launch/run")).prelaunch(newWorker) : null;
  const { main } = require("./cli/main") as typeof import("./cli/main");
  main(argv, pre).then((status: number) => process.exit(status));
}
