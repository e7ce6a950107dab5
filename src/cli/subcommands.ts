/**
 * Subcommands that run no sandbox: `sydbox config check|convert|show` and
 * `sydbox fmt exec -- PROG ARGS` (the magic path of cmd/exec).
 * They print byte strings (configs hold latin1 byte strings), so output is
 * written as latin1.
 */
import { Command, CommanderError, Option } from "commander";
import { configCheck, configConvert, configShow, type CommandOutput } from "../config/commands";
import type { SourceItem } from "../config/sources";
import { formatCommand, MAGIC_PREFIX } from "../config/magic";
import { VERSION_TEXT } from "../version";

function emit(o: CommandOutput): number {
  if (o.stdout) process.stdout.write(Buffer.from(o.stdout, "latin1"));
  if (o.stderr) process.stderr.write(Buffer.from(o.stderr, "latin1"));
  return o.exitCode;
}

/** Runs `sydbox config ...`; returns the exit status. */
export function runSubcommand(argv: string[]): number {
  let status = 0;
  const sources: SourceItem[] = [];
  const push = (kind: SourceItem["kind"]) => (v: string) => { sources.push({ kind, value: v }); return v; };
  const program = new Command("sydbox").exitOverride().helpOption("-h, --help", "show help");
  const config = program.command("config").description("check, convert and show configurations").exitOverride();
  config.command("check").description("validate configuration files and print every error")
    .argument("<pathspec...>", "FILE.syd-2, FILE.toml or @profile")
    .addHelpText("after", "\nExample:\n  sydbox config check my.syd-2 @paludis")
    .action((specs: string[]) => { status = emit(configCheck(specs)); });
  config.command("convert").description("convert a configuration between .syd-2 and TOML, losslessly")
    .argument("<pathspec>", "FILE.syd-2, FILE.toml or @profile")
    .addOption(new Option("--to <format>", "output format").choices(["toml", "syd-2"]).makeOptionMandatory())
    .addHelpText("after", "\nExample:\n  sydbox config convert @paludis --to toml > paludis.toml")
    .action((spec: string, o: { to: "toml" | "syd-2" }) => { status = emit(configConvert(spec, o.to)); });
  config.command("show").description("print the effective configuration as TOML")
    .option("-c, --config <pathspec>", "apply a file or @profile (repeatable)", push("config"))
    .option("--profile <name>", "same as -c @NAME", (v: string) => push("config")("@" + v))
    .option("-m, --magic <command>", "apply a magic command (repeatable)", push("magic"))
    .addHelpText("after", "\nExample:\n  sydbox config show --profile paludis -m core/sandbox/read:deny")
    .action(() => { status = emit(configShow({ sources, env: process.env.SYDBOX_CONFIG })); });
  // `sydfmt` (a link to sydbox) is `sydbox fmt`; SydBox's sydfmt answered -v/--version.
  const fmt = program.command("fmt").description("format magic commands (also run as `sydfmt`)").exitOverride()
    .version(VERSION_TEXT, "-v, --version", "print the version and exit");
  fmt.command("exec").description("print the magic path that runs PROG outside the sandbox (cmd/exec)")
    .argument("<prog>", "the program").argument("[args...]", "its arguments")
    .addHelpText("after", "\nExample:\n  test -e \"$(sydbox fmt exec -- touch /tmp/stamp)\"")
    .action((prog: string, args: string[]) => {
      // argv arrives decoded as UTF-8: print it the same way (emit() writes latin1 byte strings).
      process.stdout.write(`${MAGIC_PREFIX}/${formatCommand([prog, ...args])}\n`);
      status = 0;
    });
  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return ["commander.helpDisplayed", "commander.help", "commander.version"].includes(e.code) ? 0 : 1;
    throw e;
  }
  return status;
}
