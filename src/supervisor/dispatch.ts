/**
 * The single dispatch point: every notification goes through `handle`, which finds the
 * syscall's row in the table, asks the engine for its kind (paths, addresses, magic,
 * signals) for a verdict, and answers the kernel with it. Engines see the call through
 * the narrow `Call` view (call.ts) and return a Verdict (verdict.ts); only this file
 * answers, counts, reports violations and feeds the -d dump.
 */
import * as at from "../../ffi/at";
import { SIGTERM } from "../../ffi/constants";
import type { Libc } from "../../ffi/libc";
import { Errno } from "../errors";
import { ViolationReporter } from "../report/reporter";
import { pathCall, reportViolation } from "../report/violation";
import { formatAddress, type SockAddr } from "../policy/sockaddr";
import { SYSCALLS, type SyscallRow } from "../syscalls/table";
import { answer } from "./answer";
import type { Call } from "./call";
import { hand } from "./emulate/blocking";
import { foil, followExec, seizeExec } from "./exec-verify";
import { fdCall } from "./emulate/fdcalls";
import type { JobBody } from "./emulate/jobs";
import { TraceeWriter } from "./fakestat";
import type { Listener } from "./listener";
import type { Observer } from "./observe";
import { TraceeMemory } from "./memory";
import { castMagic } from "./magic-stat";
import { NetworkEngine } from "./network";
import { PathEngine } from "./path-engine";
import type { StartMessage, WorkerMessage } from "./protocol";
import { SignalGuard } from "./signals";
import type { Sandbox } from "./sandbox";
import { ProcessStates, type State } from "./state";
import { cpuTimes, STAT, ThreadClock, TIME_UNKNOWN } from "./stats";
import { UNREADABLE_ARGS, type SyscallIndex } from "./syscall-index";
import { CONTINUE, fail, succeed, type ExecCheck, type Verdict, type Violation } from "./verdict";

/** Answers notifications; one per supervisor thread. Also the engines' view of the current call. */
export class Dispatcher implements Call {
  readonly memory: TraceeMemory;
  private readonly stats: Int32Array;
  /** --stats: CPU time per row (stats.ts), and the clock that measures it; null without --stats. */
  private readonly times: Float64Array;
  private readonly clock: ThreadClock | null;
  /** Per-process sandbox state (modes, lists, magic lock), inherited at fork. */
  readonly states: ProcessStates;
  private readonly eldest: number;
  private eldestExeced = false;
  /** Every violation goes here: the summary's log and the throttled stderr report. */
  readonly reporter: ViolationReporter;
  /** --dry-run: decide everything, deny nothing (violations are recorded and let through). */
  readonly dryRun: boolean;
  /** core/trace/exit_wait_all, global: written by the magic stat before it answers (launch/exit-wait.ts). */
  readonly exitWaitAll: Int32Array;
  /** The kill family: nothing signals sydbox or the reaper (signals.ts). */
  private readonly signals: SignalGuard;
  private readonly paths = new PathEngine();
  private readonly network = new NetworkEngine();
  private writer: TraceeWriter | null = null;

  /** `obs` is the -d event dump; null (the one check on the hot path) without it. */
  constructor(readonly L: Libc, readonly n: Listener, readonly index: SyscallIndex, start: StartMessage, readonly post: (m: WorkerMessage) => void, readonly obs: Observer | null = null) {
    this.memory = new TraceeMemory(L);
    this.dryRun = start.dryRun;
    this.reporter = new ViolationReporter(start.dryRun);
    this.stats = start.stats;
    this.exitWaitAll = start.exitWaitAll;
    this.times = cpuTimes(start.stats);
    this.clock = start.timing ? new ThreadClock(L) : null;
    this.states = new ProcessStates(start.config, start.eldest);
    this.eldest = start.eldest;
    this.signals = new SignalGuard(process.pid, start.reaper);
    if (start.eldestExeced) {
      this.eldestExeced = true;
      this.states.onExec(start.eldest); // the command's own start, not a magic_lock:exec event
    }
  }

  /**
   * Handles the notification currently held by the listener. With --stats, the
   * CPU time since the previous one is charged to this row: receiving it (the
   * kernel's share, in RECV) and answering it.
   */
  handle(): void {
    const row = this.index.rowOf(this.n);
    if (this.obs !== null) this.obs.row = row;
    if (row < 0) {
      this.stats[STAT.UNKNOWN]++;
      // No row: nothing is decided. A socketcall whose arguments cannot be read: EFAULT.
      answer(this.n, row === UNREADABLE_ARGS ? fail(Errno.EFAULT) : CONTINUE);
    } else {
      this.stats[row]++;
      this.settle(this.decide(SYSCALLS[row]));
      // No verdict but GONE and HANDED leaves a call unanswered, and a live call left so
      // would block its tracee forever (say, /proc unreadable for want of fds, taken for a
      // gone tracee): fatal.
      if (!this.n.answered && this.n.idValid()) throw new Error(`${SYSCALLS[row].name} of process ${this.n.pid} was left unanswered`);
    }
    if (this.clock !== null) this.times[row < 0 ? TIME_UNKNOWN : row] += this.clock.lap();
  }

  private decide(row: SyscallRow): Verdict {
    if (row.signal) return this.signals.check(this, row);
    if (row.fdCall) return fdCall(this, row);
    if (row.category === "exec") {
      const pid = this.n.pid;
      this.states.onExec(pid); // core/trace/magic_lock:exec
      if (pid === this.eldest && !this.eldestExeced) {
        // The command's own start is not checked, as in SydBox.
        this.eldestExeced = true;
        return CONTINUE;
      }
    }
    if (row.category === "magic") return castMagic(this, row);
    if (row.addr) return this.network.check(this, row);
    const v = this.paths.check(this, row);
    if (this.obs !== null) this.obs.resolved = this.paths.resolved;
    return v;
  }

  /** Answers the current notification with verdict `v`, applying what is policy: violations, kills, state changes. */
  private settle(v: Verdict): void {
    const n = this.n;
    switch (v.kind) {
      case "deny": {
        // What the engine read may belong to a process that died (and a recycled pid):
        // report nothing and kill nothing for a notification no longer pending (its answer fails harmlessly).
        if (n.idValid()) for (let i = 0; i < v.violations.length; i++) this.violation(v.violations[i]);
        if (this.obs !== null && this.dryRun) this.obs.wouldDeny = v.errno;
        return answer(n, this.dryRun ? (v.then ?? CONTINUE) : fail(v.errno));
      }
      case "verify-exec":
        return this.verifyExec(v);
      case "kill":
        try { process.kill(n.pid, "SIGKILL"); } catch { /* already gone */ }
        return answer(n, fail(Errno.EACCES));
      case "guard":
        // The caller may have died meanwhile (and its pid been reused): report only a pending call.
        if (n.idValid()) {
          this.stats[STAT.VIOLATIONS]++;
          reportViolation(n.pid, v.call);
        }
        return answer(n, fail(Errno.EPERM));
      case "reconfigure":
        this.states.replace(n.pid, v.cfg);
        // Stored before the caller goes on, so that the main thread never acts on an older setting.
        if (v.exitWaitAll) {
          Atomics.store(this.exitWaitAll, 0, v.cfg.core.trace.exit_wait_all ? 1 : 0);
          this.post({ type: "wait" });
        }
        return answer(n, succeed(0));
      default:
        return answer(n, v);
    }
  }

  /**
   * An allowed exec: CONTINUE it as this thread's tracee, and kill what runs if it is not
   * what was checked (exec-verify.ts). An exec that cannot be traced is denied (fail closed),
   * unless core/trust/ptrace says the tree may trace itself (then it is continued unverified).
   */
  private verifyExec(x: ExecCheck): void {
    const n = this.n;
    try {
      const s = seizeExec(n.pid);
      if (s < 0) {
        if (!n.idValid()) return; // gone: nobody to answer
        if (this.sandbox.cfg.core.trust.ptrace) return answer(n, CONTINUE);
        this.violation({ category: "exec", call: `${x.name}(\`${x.filename}') (cannot be verified: ptrace errno ${-s})`, subjects: [x.filename] });
        return answer(n, fail(Errno.EACCES));
      }
      answer(n, CONTINUE);
      const foiled = followExec(n.pid, x, this.sandbox);
      if (foiled !== null) {
        try {
          this.violation({ category: "exec", call: pathCall(x.name, [foiled.ran]), subjects: [foiled.ran] }, foiled.pid);
        } finally {
          foil(foiled);
        }
      }
    } finally {
      at.close(x.pin);
    }
  }

  /**
   * Reports and counts one violation, unless a filter/* pattern matches one of its
   * subjects or the mode is bpf (whose denials the kernel would have made silently);
   * core/violation/decision may kill the offender (not in a dry run).
   */
  private violation(x: Violation, pid = this.n.pid): void {
    const sb = this.sandboxOf(pid), cat = x.category;
    const network = cat === "bind" || cat === "connect";
    if (sb.mode(cat) === "bpf") return;
    const subjects = x.subjects as readonly (string | SockAddr)[];
    if (network) {
      const filters = sb.networkFilters;
      if (subjects.some((s) => filters.some((f) => f(s as SockAddr)))) return;
    } else {
      const filters = sb.filters[cat];
      if (subjects.some((s) => filters.some((f) => f(s as string)))) return;
    }
    this.stats[STAT.VIOLATIONS]++;
    if (this.obs !== null) this.obs.violation = true;
    // Network calls name an address, or (unsupported families) nothing a list could allow.
    const kind = network && subjects.length === 0 ? "family" : cat;
    const named = kind === "family" ? [x.call] : subjects.map((s) => (typeof s === "string" ? s : formatAddress(s)));
    this.reporter.report(pid, kind, x.call, named);
    const decision = sb.cfg.core.violation.decision;
    if (!this.dryRun && (decision === "kill" || decision === "killall")) {
      // Signal before answering, so the offender cannot run on past its denied
      // call; the main thread follows up with SIGKILL (and, for killall, the tree).
      this.L.kill(pid, SIGTERM);
      this.post({ type: "kill", pid, all: decision === "killall" });
    }
  }

  /** The sandbox state governing process `pid`. */
  sandboxOf(pid: number): Sandbox {
    return this.states.of(pid).sandbox;
  }

  // Call: what the engines may look at.
  get pid(): number { return this.n.pid; }
  get arch(): number { return this.n.arch; }
  get compat(): boolean { return this.n.compat; }
  get state(): State { return this.states.of(this.n.pid); }
  get knownState(): State | null { return this.states.known(this.n.pid); }
  get sandbox(): Sandbox { return this.states.of(this.n.pid).sandbox; }
  get readErrno(): number { return this.memory.errno; }
  get peeked(): Uint8Array { return this.memory.buf; }
  argInt(i: number): number { return this.n.argInt(i); }
  arg(i: number): number { return this.n.arg(i); }
  argU32(i: number): number { return this.n.argU32(i); }
  idValid(): boolean { return this.n.idValid(); }
  readBytes(addr: number, len: number): Uint8Array | null {
    const got = this.memory.read(this.n.pid, addr, len);
    if (got !== len || !this.n.idValid()) return null;
    return this.memory.buf.subarray(0, len);
  }
  peek(addr: number, len: number): number { return this.memory.read(this.n.pid, addr, len); }
  readString(addr: number, max?: number): string | null { return this.memory.readString(this.n.pid, addr, max); }
  gather(dst: number, len: number, riov: Uint32Array, riovPtr: number, count: number): number {
    return this.memory.gather(this.n.pid, dst, len, riov, riovPtr, count);
  }
  handOff(job: JobBody): boolean { return hand(this.n, job); }
  resumeOnExec(): void { this.states.resumeOnExec(this.n.pid); }
  write(addr: number, src: Uint8Array, len: number): number {
    const w = (this.writer ??= new TraceeWriter(this.L));
    if (src !== w.buf) w.buf.set(src.subarray(0, len));
    return w.write(this.n.pid, addr, len);
  }
}
