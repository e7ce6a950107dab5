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
import { CHILD_FLAG } from "./protocol";

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
}

/** Starts the child stage. */
export function prelaunch(): Prelaunch {
  const L = loadLibc();
  const info = new Int32Array(2), ctl = new Int32Array(2);
  if (L.pipe2(info, O_CLOEXEC) !== 0 || L.pipe2(ctl, O_CLOEXEC) !== 0) throw new LaunchError(`pipe2: errno ${L.errno()}`);
  const proc = Bun.spawn([...selfCommand(), CHILD_FLAG], {
    stdio: ["inherit", "inherit", "inherit", info[1], ctl[0]],
    env: process.env as Record<string, string>,
  });
  L.close(info[1]);
  L.close(ctl[0]);
  return { proc, info: info[0], ctl: ctl[1] };
}

/** Releases a prelaunched child stage that will not be used: it sees EOF and exits quietly. */
export function abandon(pre: Prelaunch): void {
  const L = loadLibc();
  L.close(pre.ctl);
  L.close(pre.info);
}
