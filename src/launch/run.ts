/**
 * The parent side of a sandboxed run, on the main thread: start the child
 * stage, take its listener, start the supervisor, release the child, then wait
 * for the child stage, which reaps the whole tree (reaper.ts) and exits with the
 * eldest's status, forwarding signals to the eldest.
 */
import { ptr } from "bun:ffi";
import { PR_SET_CHILD_SUBREAPER, SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGSTOP, SIGTERM } from "../../ffi/constants";
import { loadLibc } from "../../ffi/libc";
import { loadSeccomp, syscallNumber } from "../../ffi/seccomp";
import { newStats } from "../supervisor/stats";
import type { FilterSpec } from "./filter-spec";
import { compileFilter, filterBpf } from "./seccomp-context";
import { answerEldestExecve, listenerHungUp, notifiesExecve } from "./first-exec";
import { Role, type ChildSpec } from "./protocol";
import { abandon, prelaunch, type Prelaunch } from "./prelaunch";
import { SupervisorThread } from "./supervisor-thread";
import { LaunchError } from "../errors";
import { nodeOs } from "../lazy-node";
import { invokerNofile } from "./rlimit";
import { treeRequests } from "./tree-request";
import { parentOf, terminate, terminateAll } from "./kill";
import { ExitWithEldest } from "./exit-wait";
import type { Config } from "../config/types";
import type { Dump } from "../report/dump";
import { emptySummary, type ViolationSummary } from "../report/summary";
import { VERSION } from "../version";
import { procStat } from "../procfs";

/** ^Z: how long sydbox waits for the command to stop before it stops itself. */
const STOP_WAIT_MS = 500;

/** How to start the sandboxed command. */
export interface RunOptions {
  path: string;
  argv: string[];
  env: Record<string, string>;
  filter: FilterSpec;
  timing: boolean;
  /** The effective configuration, handed to the supervisor. */
  config: Config;
  /** --dry-run: violations are recorded, nothing is denied. */
  dryRun?: boolean;
  /** -d: the event dump (start, the eldest's exec and exit are written here; the Worker writes the rest). */
  dump?: Dump | null;
}

/** What a finished run reports. */
export interface RunResult {
  /** Exit status of the eldest process, or 128 + its terminating signal. */
  status: number;
  stats: Int32Array;
  syncWakeUp: boolean;
  /** The run's violations (run summary, sydbox learn). */
  summary: ViolationSummary;
}

/** Runs the command under the filter and supervisor; resolves when every tracee is gone. */
export async function run(pre: Prelaunch, o: RunOptions): Promise<RunResult> {
  // A child stage that already runs its watchdog cannot become the command
  // (prelaunch.ts, watchdogFirst guessed wrong): start one that can.
  if (o.filter.restrict && pre.watchdogFirst) {
    abandon(pre);
    pre = prelaunch(false);
  }
  const L = loadLibc();
  const sc = loadSeccomp();
  const stats = newStats();
  const { proc } = pre;
  const info = [pre.info], ctl = [0, pre.ctl];

  // Forward the signals a user or Paludis sends to sydbox to the eldest process.
  // SIGTERM and SIGHUP are passed on explicitly. The eldest is the child stage's
  // child while it lives (or the child stage itself, under core/restrict); its pid
  // means nothing after. A terminal's ^C and ^\ reach sydbox's process group: with
  // core/trust/terminal the command is in it, else it leads a session and group of
  // its own (reaper.spawn), and they are passed on to that group, as the terminal would.
  let eldest = 0;
  const ours = () => eldest > 0 && (eldest === proc.pid || parentOf(eldest) === proc.pid);
  const forward = (sig: number) => () => { if (ours()) L.kill(eldest, sig); };
  const toGroup = (sig: number) => () => { if (ours()) L.kill(-eldest, sig); };
  const newSession = !o.config.core.trust.terminal;
  process.on("SIGINT", newSession ? toGroup(SIGINT) : () => {});
  if (newSession) {
    process.on("SIGQUIT", toGroup(SIGQUIT));
    // ^Z: the command's group is stopped first (SIGSTOP: SIGTSTP is discarded by an orphaned
    // group, which a session of its own is), then sydbox, so the shell sees its job stopped;
    // `fg` continues sydbox's group, and sydbox the command's. sydbox stops only once the
    // eldest has (or after STOP_WAIT_MS): a process inside a notified call cannot stop until
    // the supervisor answers it, and a supervisor stopped first leaves it waiting, running.
    process.on("SIGTSTP", () => {
      toGroup(SIGSTOP)();
      const until = Date.now() + STOP_WAIT_MS;
      const stopSelf = () => {
        const st = ours() ? procStat(eldest)?.fields[0] : undefined;
        if (st === undefined || st === "T" || st === "t" || Date.now() >= until) process.kill(process.pid, "SIGSTOP");
        else setTimeout(stopSelf, 1);
      };
      stopSelf();
    });
    process.on("SIGCONT", toGroup(SIGCONT));
  }
  process.on("SIGTERM", forward(SIGTERM));
  process.on("SIGHUP", forward(SIGHUP));

  // The role first: the child stage starts its watchdog while we compile the filter.
  L.write(ctl[1], new Uint8Array([o.filter.restrict ? Role.Command : Role.Reaper]), 1);
  const spec: ChildSpec = {
    path: o.path,
    argv: o.argv,
    env: Object.entries(o.env).map(([k, v]) => `${k}=${v}`),
    bpf: Buffer.from(filterBpf(L, sc, o.filter)).toString("base64"),
    restrictBpf: o.filter.restrict && Buffer.from(compileFilter(L, sc, o.filter.restrict)).toString("base64"),
    seccompNr: syscallNumber(sc, "seccomp"),
    nofile: invokerNofile(),
    coreDumps: o.config.core.trust.core_dumps,
    newSession,
    parentPid: process.pid,
  };
  const body = Buffer.from(JSON.stringify(spec));
  const msg = Buffer.concat([Buffer.from(new Uint32Array([body.length]).buffer), body]);
  for (let off = 0; off < msg.length;) {
    const n = L.write(ctl[1], ptr(msg, off), msg.length - off);
    if (n <= 0) break; // the child died; its exit status tells why
    off += n;
  }

  const reply = new Int32Array(2);
  const got = L.read(info[0], reply, 8); // blocks for what is left of the child stage's start-up
  if (got !== 8) {
    L.close(info[0]);
    L.close(ctl[1]);
    await proc.exited;
    return { status: proc.exitCode ?? 1, stats, syncWakeUp: false, summary: emptySummary(o.dryRun) };
  }

  const pidfd = L.ret(Number(L.syscall(syscallNumber(sc, "pidfd_open"), proc.pid, 0, 0, 0, 0, 0)));
  if (pidfd < 0) throw new LaunchError(`pidfd_open: errno ${-pidfd}`);
  const lfd = L.ret(Number(L.syscall(syscallNumber(sc, "pidfd_getfd"), pidfd, reply[0], 0, 0, 0, 0)));
  if (lfd < 0) throw new LaunchError(`pidfd_getfd: errno ${-lfd}`);
  L.close(pidfd);

  // SIGUSR1/2 (print the process tree) are answered from before the command
  // starts: a request that comes before the supervisor Worker exists waits in
  // the slot, and starts the Worker once there is one (below).
  let startSupervisor = () => {};
  const workerTid = Promise.withResolvers<number>();
  const treeRequest = treeRequests(L, sc, workerTid.promise, () => startSupervisor());

  // If the child stage dies before the tree (only a signal kills it), the tree is
  // orphaned: being a subreaper keeps it below us, to be killed (fail-closed).
  // Under core/restrict the child stage becomes the command (child.ts) instead.
  const reaping = !o.filter.restrict;
  // exit_wait_all:false under core/restrict: the orphans must come to us, to be killed when the eldest ends.
  if (reaping || !o.config.core.trace.exit_wait_all) L.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  else if (o.config.core.restrict.general >= 2) {
    process.stderr.write("sydbox: warning: with core/restrict/general 2 or 3, only the eldest process is killed if sydbox dies (see docs/design.md, Fail-closed)\n");
  }

  // Release the child and answer the command's execve here: the command starts
  // without waiting for the supervisor Worker, which starts only once a
  // notification waits for it (below). Until then, notifications wait in the
  // kernel's queue.
  L.write(ctl[1], new Uint8Array([1]), 1);
  L.close(ctl[1]);
  const eldestExeced = notifiesExecve(o.filter) && answerEldestExecve(L, lfd, syscallNumber(sc, "execve"), stats);
  // The eldest's pid, sent once its execve is answered. That cannot wait for
  // the Worker: the filter notifies every execve (answered just above) or none.
  // Nothing comes if the child stage could not start the command. No signal
  // handler runs before this point.
  const eldestPid = new Int32Array(1);
  if (L.read(info[0], eldestPid, 4) === 4) eldest = eldestPid[0];
  L.close(info[0]);
  // core/trace/exit_wait_all:false (from the configuration or, later, a magic stat): end with the eldest.
  const exitWait = new ExitWithEldest(L, reaping ? proc.pid : process.pid, o.config.core.trace.exit_wait_all);
  const exitWaitAll = exitWait.shared;
  if (eldest > 0) exitWait.watch(eldest);
  // Written before anything else can be: the Worker has not even been told to start.
  o.dump?.event("start", { pid: process.pid, eldest, argv: o.argv, version: VERSION, dry_run: o.dryRun ?? false });
  // The child stage exits with the eldest's status once the whole tree is gone
  // (SydBox 2 waits for daemonised grandchildren too). Only a signal kills it
  // earlier, and then the orphaned tree, below us, is killed (fail-closed).
  // It is also over if the supervisor fails: then the tree is killed (below).
  let workerError: Promise<never> = new Promise<never>(() => {});
  const childStageEnd = async (): Promise<number> => {
    await Promise.race([proc.exited, workerError]);
    if (reaping && proc.signalCode) {
      process.stderr.write(`sydbox: the child stage was killed by ${proc.signalCode}; killing the sandboxed processes\n`);
      const { killChildren, openChildren } = require("./reaper") as typeof import("./reaper");
      killChildren(L, (require("../../ffi/spawn") as typeof import("../../ffi/spawn")).loadSpawn(), openChildren(L));
    }
    return proc.exitCode ?? 128 + ((nodeOs().constants.signals as Record<string, number>)[proc.signalCode ?? ""] ?? 0);
  };
  if (eldestExeced && o.config.core.violation.decision === "bpf") {
    // -b with exec sandboxing: that execve was the only call ever notified (launch/filter.ts).
    // Without a listener the kernel answers every later execve ENOSYS by itself.
    L.close(lfd);
    const status = await childStageEnd();
    exitWait.stop();
    eldest = -1;
    return { status, stats, syncWakeUp: false, summary: emptySummary(o.dryRun) };
  }
  if (eldestExeced) o.dump?.event("exec", { pid: eldest, path: o.path });
  // Every sandboxed process: the child stage's tree, and the child stage itself
  // when it became the command (core/restrict).
  // Best effort: reading /proc can itself fail (a supervisor that failed for want of fds),
  // and sydbox's exit, which follows, makes the reaper's watchdog kill the tree anyway.
  const killAll = () => { try { terminateAll(proc.pid); } catch { /* the watchdog's job */ } if (!reaping) terminate(proc.pid); };
  // The supervisor starts when a notification waits for it (supervisor-thread.ts),
  // or at once under --stats, whose report says how the Worker was woken, or when a
  // tree request already waits.
  const supervisor = new SupervisorThread(() => ({
    type: "start", lfd, stats, timing: o.timing, eldest, eldestExeced, reaper: reaping ? proc.pid : 0, config: o.config,
    dryRun: o.dryRun ?? false, dumpFd: o.dump ? o.dump.fd : -1, treeRequest, exitWaitAll,
  }), (m) => m.type === "wait" ? exitWait.update() : m.all ? killAll() : terminate(m.pid));
  supervisor.tid.then(workerTid.resolve, () => {});
  startSupervisor = () => supervisor.startNow();
  workerError = supervisor.failed;
  // A supervisor that cannot start or dies must not leave the tree blocked on
  // unanswered notifications: take it down, then report the failure.
  workerError.catch(killAll);
  if (o.timing || Atomics.load(treeRequest, 0) > 0) supervisor.startNow();
  else supervisor.startWhenNotified(L, lfd);

  const status = await childStageEnd();
  // Under core/restrict the eldest was the child stage: what it left is killed now, and
  // until the listener hangs up (the ticks go on until then).
  exitWait.check();
  supervisor.stopLooking();
  o.dump?.event("exit", { pid: eldest, status });
  eldest = -1;
  // The listener hangs up once the last process carrying the filter is gone. A
  // Worker that never started has answered nothing and holds nothing to report:
  // when the tree is already gone, it is not created. A started one is always
  // waited for, ready or not: its "ready" message may not have been handled yet
  // although it has answered, and reported, calls.
  if (!supervisor.started && !o.timing && listenerHungUp(L, lfd)) {
    supervisor.terminate();
    exitWait.stop();
    return { status, stats, syncWakeUp: false, summary: emptySummary(o.dryRun) };
  }
  // Calls may still wait (a tree being killed, or a Worker still booting): the Worker answers them and reports.
  supervisor.startNow();
  const { done: { summary }, ready: { syncWakeUp } } = await supervisor.finished();
  supervisor.terminate();
  exitWait.stop();
  return { status, stats, syncWakeUp, summary };
}
