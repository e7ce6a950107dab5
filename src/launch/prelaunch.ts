/**
 * The child stage, started before the command line is even parsed: its Bun
 * runtime start, the long pole of sydbox's own start-up, overlaps with the
 * parent's parsing and configuration. A module of its own, kept small, because
 * src/main.ts loads it before anything else: every millisecond spent loading
 * code here delays the child stage's start.
 */
import { O_CLOEXEC } from "../../ffi/constants";
import { loadLibc } from "../../ffi/libc";
import { LaunchError } from "../errors";
import { selfCommand } from "./entry";
import { CHILD_FLAG, WATCHDOG_FIRST_FLAG } from "./protocol";

/**
 * A child stage started before the command line is even parsed: its Bun runtime
 * start, the long pole of sydbox's own start-up, overlaps with the parent's own
 * start-up and configuration. The child waits for its spec; if sydbox ends up
 * running nothing, `abandon` releases it.
 */
export interface Prelaunch {
  proc: ReturnType<typeof Bun.spawn>;
  info: number;
  ctl: number;
  /** The child stage creates its watchdog thread at once, before its role (see watchdogFirst). */
  watchdogFirst: boolean;
}

/**
 * May the child stage create its watchdog thread the moment it starts, before
 * its role is known? Its runtime then boots while the child stage waits for
 * the parent (-1.3 to -1.8 ms of `sydbox -- true`). Not if it is to become the
 * command (core/restrict/general above 0): it then resets its signal
 * dispositions and execs, and a second runtime in the process aborted such runs
 * now and then (SIGABRT). A guess from the raw command line, made before it is
 * parsed: no when the options mention restrict or name a configuration file
 * (SYDBOX_CONFIG, -c FILE), whose contents are unknown yet. A wrong yes (a
 * system profile that sets it) costs a second child stage (run.ts), not safety.
 */
export function watchdogFirst(argv: string[], env: Record<string, string | undefined>): boolean {
  if (env.SYDBOX_CONFIG) return false;
  const dashdash = argv.indexOf("--");
  const opts = dashdash < 0 ? argv : argv.slice(0, dashdash);
  return opts.every((a, i) => {
    if (a.includes("restrict")) return false;
    const file = a === "-c" || a === "--config" ? opts[i + 1] ?? "" : /^(?:-c|--config=)(.*)$/.exec(a)?.[1];
    return file === undefined || file.startsWith("@");
  });
}

/** Starts the child stage; `watchdogFirst` as decided by the function of that name. */
export function prelaunch(watchdogFirst: boolean): Prelaunch {
  const L = loadLibc();
  const info = new Int32Array(2), ctl = new Int32Array(2);
  const piped = L.ret(L.pipe2(info, O_CLOEXEC)) || L.ret(L.pipe2(ctl, O_CLOEXEC));
  if (piped < 0) throw new LaunchError(`pipe2: errno ${-piped}`);
  const proc = Bun.spawn([...selfCommand(), CHILD_FLAG, ...(watchdogFirst ? [WATCHDOG_FIRST_FLAG] : [])], {
    stdio: ["inherit", "inherit", "inherit", info[1], ctl[0]],
    env: process.env as Record<string, string>,
  });
  L.close(info[1]);
  L.close(ctl[0]);
  return { proc, info: info[0], ctl: ctl[1], watchdogFirst };
}

/** Releases a prelaunched child stage that will not be used: it sees EOF and exits quietly. */
export function abandon(pre: Prelaunch): void {
  const L = loadLibc();
  L.close(pre.ctl);
  L.close(pre.info);
}
