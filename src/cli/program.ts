/**
 * The command line, SydBox 2.0.1's interface:
 *   sydbox [options] [--] command [args...]
 *   sydbox --test
 *   sydbox config check|convert|show ...
 */
import { Command, CommanderError, Option } from "commander";
import { CONFIG_ORDER_HELP } from "../config/sources";
import { UsageError } from "../errors";
import { VERSION_TEXT } from "../version";

/** One configuration source, in command-line order. */
export interface Source {
  kind: "config" | "magic";
  value: string;
}

/** What the command line asks for. */
export interface Invocation {
  command: string[];
  sources: Source[];
  env: string[];
  test: boolean;
  stats: boolean;
  exportFormat?: "bpf" | "pfc";
  /** -a: extra architectures, by name. */
  arches: string[];
  /** -b: bpf only (core/violation/decision:bpf after every other source). */
  bpf: boolean;
  /** -d: where to dump events (fd number, path, or tmp). */
  dump?: string;
  /** --dry-run: deny nothing, report what would have been denied. */
  dryRun: boolean;
  /** --summary: how to print the run summary at exit. */
  summary: "off" | "text" | "json";
}

const HELP_AFTER = `
${CONFIG_ORDER_HELP}
Profiles: @NAME looks in the embedded profiles first (paludis, default, firefox),
then /usr/share/sydbox/NAME.syd-2, then /usr/share/sydbox/NAME.toml.

Examples:
  sydbox --profile paludis -- make install          run a build phase as Paludis does
  sydbox -c @paludis -m 'allowlist/write+/var/tmp/build/***' -- ./configure
  sydbox -c ./my.syd-2 -- sh -c 'echo hi > /tmp/x'  use a configuration file
  sydbox -m core/sandbox/write:deny -- touch /x     deny writes, report the violation
  sydbox -E LANG=C -E DISPLAY -- env                set LANG, remove DISPLAY
  sydbox --stats -m core/sandbox/write:allow -- make  print counts and CPU per syscall at exit
  sydbox -m core/trace/emulate:false -- make        CONTINUE after checks (SydBox 2; raceable)
  sydbox --export pfc --profile paludis             print the seccomp filter, run nothing
  sydbox -b -m core/sandbox/network:deny -- make    bpf only: denials in the kernel, no reports
  sydbox -a x86 --profile paludis -- make check     also filter (and check) i386 programs
  sydbox -m core/restrict/general:2 -m core/restrict/io_control:1 -- ./test
                                                    syscall allowlist level 2, ioctl allowlist
  sydbox -d tmp --profile paludis -- make           dump every event as JSON lines to a new temp file
  sydbox -d 3 --profile paludis -- make 3>ev.jsonl  dump events to fd 3
  sydbox --dry-run --profile paludis -- make        deny nothing, report what would be denied
  sydbox --summary=json --profile paludis -- make   print the run summary as one JSON line
  kill -USR1 $(pidof sydbox)                        print the process tree and sandbox states
  sydbox learn -c @paludis -o my.syd-2 -- make      write a profile allowing what make needs
  sydbox --test                                     check that this system can run sydbox
  sydbox config show --profile paludis              print the effective configuration
  sydbox config check my.syd-2                      validate a configuration file
  sydbox config convert @paludis --to toml          convert between .syd-2 and TOML
  sydbox fmt exec -- make -C doc                    print the magic path that runs make outside
  sydfmt exec -- make -C doc                        the same: started as sydfmt (a link), sydbox is sydbox fmt

-b (bpf only) loses everything that needs a supervisor: no allowlists or denylists
(deny acts as bpf, allow as off), no violation reports, no magic /dev/sydbox, no
exec/kill_if_match; sendto with an address and every sendmsg and sendmmsg are refused
when network sandboxing is on; openat2 answers ENOSYS (callers fall back to openat);
after the command starts, execve answers ENOSYS when exec sandboxing is on (and then
sydbox waits for the command only, not for daemonised descendants).
-a arch: native, x86_64, x86, x32, arm, aarch64, mips, mips64, ppc, ppc64, ppc64le,
s390, s390x, parisc, parisc64, riscv64. Syscalls of any other architecture are killed.
`;

/** Parses sandbox-run arguments (not the subcommands). Throws UsageError on bad input. */
export function parseInvocation(argv: string[], write: (s: string) => void = (s) => process.stdout.write(s)): Invocation | { exit: number } {
  const sources: Source[] = [];
  const env: string[] = [];
  const push = (kind: Source["kind"]) => (value: string) => { sources.push({ kind, value }); return value; };
  const program = new Command("sydbox")
    .usage("[options] [--] command [args...]")
    .description("Run a command under a seccomp sandbox (SydBox 2 API v2 compatible; SydBox 1's API-1 names are accepted too).")
    .helpOption("-h, --help", "show this help and exit")
    .version(VERSION_TEXT, "-v, --version", "print the version (name, version, magic APIs) and exit")
    .option("-c, --config <pathspec>", "apply a .syd-2/.toml file or @profile (repeatable)", push("config"))
    .option("--profile <name>", "apply shipped profile NAME, same as -c @NAME (what Paludis passes)", (v: string) => push("config")("@" + v))
    .option("-m, --magic <command>", "apply one magic command, e.g. core/sandbox/write:deny (repeatable)", push("magic"))
    .option("-E, --env <var[=val]>", "set var=val, or remove var, in the command's environment (repeatable)", (v: string) => { env.push(v); return v; })
    .option("-t, --test", "check that this system can run sydbox, then exit")
    .option("-a, --arch <arch>", "also filter architecture ARCH, e.g. x86 on x86_64 (repeatable)", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option("-b, --bpf", "bpf only: every check in the kernel filter, no notifications, no reports")
    .option("--stats", "print notification counts and the supervisor's CPU time per syscall at exit")
    .addOption(new Option("--export <format>", "print the seccomp filter (libseccomp bpf or pfc) and exit").choices(["bpf", "pfc"]))
    .option("-d, --dump <fd|path|tmp>", "dump events as JSON lines to an fd, a new file (never overwritten), or a new temp file")
    .option("--dry-run", "decide every call but deny none; report what would have been denied (magic still works)")
    .addOption(new Option("--summary <format>", "the violation summary printed at exit").choices(["off", "text", "json"]).default("text"))
    .argument("[command...]", "the command to run and its arguments")
    .passThroughOptions()
    .allowExcessArguments(true)
    .addHelpText("after", HELP_AFTER)
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return { exit: 0 };
      return { exit: 1 };
    }
    throw e;
  }
  const o = program.opts();
  const command = program.args;
  if (command.length === 0 && !o.test && !o.export) {
    process.stderr.write("sydbox: No command given.\n");
    process.stderr.write(program.helpInformation());
    return { exit: 1 };
  }
  if (command.length > 0 && command[0].startsWith("-") && !argv.includes("--")) throw new UsageError(`unknown option \`${command[0]}'`);
  return { command, sources, env, test: !!o.test, stats: !!o.stats, exportFormat: o.export, arches: o.arch, bpf: !!o.bpf, dump: o.dump, dryRun: !!o.dryRun, summary: o.summary };
}
