/**
 * sydbox's entry point: one clear path from argv to the sandboxed execve.
 * The same binary is re-executed as the child stage (`--internal-child`),
 * because Bun cannot fork. No top-level await: it breaks `--bytecode`.
 *
 * Start-up is two Bun runtimes in a row (this one, then the child stage), so
 * each must evaluate as little as it can. The child stage and the CLI are
 * separate entry points of the compiled binary (build.ts), loaded at run time
 * by `entry()`: the child stage never loads the CLI's bundle (commander, the
 * configuration language, the policy engine), and the parent spawns the child
 * stage before it loads that bundle itself.
 */
import { SUBCOMMANDS } from "./cli/subcommand-names";
import { CHILD_FLAG, WATCHDOG_FIRST_FLAG } from "./launch/protocol";

/** Does this command line run a command (rather than print help, a version, a filter, or a config)? */
function runsCommand(argv: string[]): boolean {
  const dashdash = argv.indexOf("--");
  const opts = dashdash < 0 ? argv : argv.slice(0, dashdash);
  if (SUBCOMMANDS.includes(argv[0])) return false;
  return !opts.some((a) => /^(-h|--help|-v|--version|-t|--test|--export(=.*)?)$/.test(a));
}

/**
 * Loads another entry point of the binary. The specifier arrives as a parameter
 * so the bundler cannot inline the module into this one; at run time it
 * resolves to the embedded bundle (compiled) or the source file (bun src/main.ts).
 */
function entry<T>(specifier: string): T {
  return require(specifier) as T;
}

/**
 * Started as `sydfmt` (a link to this binary), it is `sydbox fmt`: Paludis's API-1
 * wrapper runs `sydfmt exec -- CMD`. argv0 is the name it was started under; a
 * compiled binary's process.argv[0] is always "bun" and execPath follows links.
 */
const asSydfmt = process.argv0.slice(process.argv0.lastIndexOf("/") + 1) === "sydfmt";
const argv = asSydfmt ? ["fmt", ...process.argv.slice(2)] : process.argv.slice(2);
if (argv[0] === CHILD_FLAG) {
  entry<typeof import("./launch/child")>("./launch/child.ts").childMain(argv[1] === WATCHDOG_FIRST_FLAG);
} else {
  // Start the child stage first: its runtime boots while we parse.
  const launch = runsCommand(argv) ? (require("./launch/prelaunch") as typeof import("./launch/prelaunch")) : null;
  const pre = launch ? launch.prelaunch(launch.watchdogFirst(argv, process.env)) : null;
  const { main } = entry<typeof import("./cli/main")>("./cli/main.ts");
  main(argv, pre).then((status: number) => process.exit(status));
}
