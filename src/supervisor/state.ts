/**
 * Per-process sandbox state. SydBox 2 gives every process its own sandbox modes,
 * lists and magic lock, inherited by its children at fork. We keep:
 *
 * - `State`: one Config and its compiled Sandbox. A State is never changed once
 *   made; a change makes a new one. Processes share State objects until one of
 *   them changes (copy-on-write), so a build that never uses the magic stat
 *   holds exactly one.
 * - a map tgid → process entry, filled lazily. A notification's pid is a thread
 *   id; threads share their process's state (tid → tgid from /proc/TID/status,
 *   cached per tid).
 *
 * ## Inheritance at fork, without watching fork
 *
 * seccomp never tells us a child's pid, and notifying every clone would cost a
 * round trip per fork. Instead a process seen for the first time inherits from
 * its parent (PPid in /proc/PID/status), and each process remembers the pid
 * counter (`/proc/sys/kernel/ns_last_pid`) at each of its own state changes.
 * Pids are handed out in increasing order (wrapping at pid_max), so a child
 * whose pid was allocated before the parent's change was forked before it and
 * gets the state from before; a child allocated after gets the state from
 * after, however late it is first seen. For a single-threaded parent (a shell,
 * make) this is exact: its magic stat and its forks are ordered. Exceptions,
 * by design:
 *
 * - A fork racing a change made by *another thread* of the same parent may get
 *   either state.
 * - A process whose parent exited before the process made its first notified
 *   call has been reparented (to init or a subreaper): if no ancestor on its
 *   new chain is known it gets the initial configuration.
 * - A parent keeps its last MAX_MARKS changes; a child forked before older
 *   changes and never seen until after 64 more gets the oldest kept state.
 * - Without ns_last_pid (kernels without CONFIG_CHECKPOINT_RESTORE) a child
 *   first seen after its parent's change gets the new state.
 *
 * Nothing is tracked, and no /proc file is read, until the first state change:
 * until then every process has the initial state.
 *
 * Entries of exited processes are pruned once as many new processes were met as
 * the last prune left entries (PRUNE_EVERY at least), or every PRUNE_MS, whichever comes
 * first; an entry whose identity (task-identity.ts) differs belongs to a recycled
 * pid and is dropped too. A prune looks at every entry, so its cost per new process
 * stays constant however many processes live; memory stays bounded by twice the
 * live processes (plus PRUNE_EVERY).
 */
import { nodeFs } from "../lazy-node";
import { ProcNumber, procStat, readProcText } from "../procfs";
import { processIdentity, taskIdentity } from "./task-identity";
import type { Config } from "../config/types";
import { Sandbox } from "./sandbox";

/** One immutable sandbox state: a Config and its compiled form. */
export class State {
  readonly sandbox: Sandbox;
  private lockedOn: State | null = null;

  constructor(readonly cfg: Config) {
    this.sandbox = new Sandbox(cfg);
  }

  get lock(): Config["core"]["trace"]["magic_lock"] {
    return this.cfg.core.trace.magic_lock;
  }

  /**
   * The state of a process resumed by exec/resume_if_match: no longer sandboxed.
   * Every category off, so its notified calls are let through (kernel-side
   * refusals, bpf modes and core/restrict, stay: the filter is the whole
   * tree's), and the magic lock on, as if sydbox were not there, like a
   * process SydBox 1 had detached. It is still waited for.
   */
  resumed(): State {
    if (!this.resumedState) {
      const cfg = structuredClone(this.cfg);
      for (const k of ["exec", "read", "write", "network"] as const) cfg.core.sandbox[k] = "off";
      cfg.core.trace.magic_lock = "on";
      cfg.exec.kill_if_match = [];
      cfg.exec.resume_if_match = [];
      this.resumedState = new State(cfg);
    }
    return this.resumedState;
  }
  private resumedState: State | null = null;

  /** This state with the magic lock on; shared by every process that locks from here (magic_lock:exec). */
  withLockOn(): State {
    if (this.lock === "on") return this;
    if (!this.lockedOn) {
      const cfg = structuredClone(this.cfg);
      cfg.core.trace.magic_lock = "on";
      this.lockedOn = new State(cfg);
    }
    return this.lockedOn;
  }
}

/** A change of one process's state: children allocated after pid `after` get `state`. */
interface Mark {
  after: number;
  state: State;
}

/** One traced process (thread group). */
interface Proc {
  tgid: number;
  /** Its identity (task-identity.ts), to tell a recycled pid from the process we knew. */
  start: number;
  state: State;
  /** marks[0] is the state it was born with (after = -1); later ones are its changes. */
  marks: Mark[];
  /**
   * An exec matching exec/resume_if_match was let through: the image the process
   * ran then, and the pid counter. Settled at the process's next sight (settle()).
   */
  resume?: { image: string | null; after: number };
}

/**
 * What a process is running: its executable and its stack's start (ASLR moves it
 * at every exec). A change tells that an exec succeeded; re-executing the same
 * file without ASLR looks like a failed exec, and the process stays sandboxed.
 */
function execImage(pid: number): string | null {
  const stat = procStat(pid);
  if (!stat) return null;
  let exe = "";
  try { exe = nodeFs().readlinkSync(`/proc/${pid}/exe`); } catch { /* a kernel thread or gone */ }
  return `${exe}\0${stat.fields[25]}`; // field 28, startstack
}

/** How many changes a process remembers for children it has not been seen to fork. */
export const MAX_MARKS = 64;
const PRUNE_EVERY = 256;
const PRUNE_MS = 10_000;
const MAX_WALK = 256;

function readNumber(path: string): number {
  const text = readProcText(path);
  return text === null ? NaN : Number(text.trim());
}

/** The sandbox state of every traced process. One per supervisor thread. */
export class ProcessStates {
  readonly initial: State;
  private tracking = false;
  private readonly procs = new Map<number, Proc>();
  private readonly tids = new Map<number, number>();
  /** pid_max, read when first needed: only once a process changes its state. */
  private pidMaxRead = 0;
  private get pidMax(): number {
    return (this.pidMaxRead ||= readNumber("/proc/sys/kernel/pid_max") || 4194304);
  }
  private eldestExeced = false;
  /** The pid counter, read at every state change. */
  private readonly lastPid = new ProcNumber("/proc/sys/kernel/ns_last_pid");
  private adopted = 0;
  /** New processes until the next prune: as many as the last prune left, PRUNE_EVERY at least. */
  private pruneAfter = PRUNE_EVERY;
  private lastPrune = 0;

  /**
   * @param cfg the initial configuration
   * @param eldest the eldest process: its first execve starts the command and does not count as an exec
   * @param self our own pid: the eldest's parent, where ancestor walks stop
   */
  constructor(cfg: Config, private readonly eldest: number, private readonly self: number = process.pid) {
    this.initial = new State(cfg);
  }

  /** The state governing thread `tid`. Free until the first change. */
  of(tid: number): State {
    return this.tracking ? this.proc(tid).state : this.initial;
  }

  /**
   * The state of thread `tid` if it is known without a first look at /proc (a pending
   * resume not settled yet counts as unknown), else null: for a check that costs less
   * than that look (the magic stat's lock test).
   */
  known(tid: number): State | null {
    if (!this.tracking) return this.initial;
    const tgid = this.tids.get(tid);
    const p = tgid === undefined ? undefined : this.procs.get(tgid);
    return p === undefined || p.resume ? null : p.state;
  }

  /** Replaces the state of `tid`'s process (and of its threads) with `cfg`, from its next call on. */
  replace(tid: number, cfg: Config): void {
    this.set(this.proc(tid), new State(cfg));
  }

  /**
   * Called for every execve/execveat notification, before it is decided:
   * magic_lock:exec turns into on. The supervisor cannot see whether the exec
   * succeeds, so the lock turns on at the attempt. The eldest process's first
   * exec is the command starting and does not count (SydBox's behaviour).
   */
  onExec(tid: number): void {
    if (tid === this.eldest && !this.eldestExeced) { this.eldestExeced = true; return; }
    if (!this.tracking && this.initial.lock !== "exec") return;
    const p = this.proc(tid);
    if (p.state.lock === "exec") this.set(p, p.state.withLockOn());
  }

  /**
   * exec/resume_if_match: process `tid` is about to exec a matching path. The
   * supervisor cannot see whether the exec succeeds, so it remembers what the
   * process runs now; at its next sight (its next call, or its child's first),
   * a changed image means the exec succeeded and the process, with every child
   * it forks from then on, is resumed (State.resumed). SydBox did the same on
   * the exec event. Resuming at the attempt would free a process whose exec fails.
   */
  resumeOnExec(tid: number): void {
    const p = this.proc(tid);
    this.tracking = true;
    p.resume = { image: execImage(p.tgid), after: this.lastPid.read() };
  }

  /** Settles a pending resume (see resumeOnExec). */
  private settle(p: Proc): void {
    const pending = p.resume!;
    p.resume = undefined;
    const now = execImage(p.tgid);
    if (now === null || now === pending.image) return; // gone, or the exec failed
    const next = p.state.resumed();
    // Children allocated after the exec attempt were forked by the new program.
    if (Number.isNaN(pending.after)) p.marks = [{ after: -1, state: next }];
    else p.marks.push({ after: pending.after, state: next });
    p.state = next;
  }

  /** Number of processes and threads tracked (for tests and --stats). */
  get size(): { procs: number; tids: number } {
    return { procs: this.procs.size, tids: this.tids.size };
  }

  private set(p: Proc, next: State): void {
    this.tracking = true;
    const last = this.lastPid.read();
    if (Number.isNaN(last)) {
      // No pid counter: every child not yet seen gets the new state.
      p.marks = [{ after: -1, state: next }];
    } else {
      p.marks.push({ after: last, state: next });
      if (p.marks.length > MAX_MARKS) { p.marks.splice(0, 1); p.marks[0].after = -1; }
    }
    p.state = next;
  }

  /** Was pid `child` allocated after pid `mark`, counting from `ref` (allocated before both)? */
  private allocatedAfter(child: number, mark: number, ref: number): boolean {
    const M = this.pidMax;
    return (child - ref + M) % M > (mark - ref + M) % M;
  }

  /** The state `parent` gave `child` at fork. */
  private inherited(parent: Proc, child: number): State {
    const marks = parent.marks;
    for (let i = marks.length - 1; i >= 1; i--) {
      if (this.allocatedAfter(child, marks[i].after, parent.tgid)) return marks[i].state;
    }
    return marks[0].state;
  }

  private proc(tid: number): Proc {
    const tgid = this.tids.get(tid);
    if (tgid !== undefined) {
      const p = this.procs.get(tgid);
      if (p) {
        if (p.resume) this.settle(p);
        return p;
      }
    }
    return this.adopt(tid);
  }

  /** First sight of a thread: find its process, or create it from its nearest known ancestor. */
  private adopt(tid: number): Proc {
    const me = taskIdentity(tid);
    // Gone already: its notification is void; answer from the initial state, remember nothing.
    if (!me) return { tgid: tid, start: -1, state: this.initial, marks: [{ after: -1, state: this.initial }] };
    const known = this.procs.get(me.tgid);
    if (known) {
      this.tids.set(tid, me.tgid);
      if (known.resume) this.settle(known);
      return known;
    }

    // Unknown processes never changed their state: each has what its parent gave it.
    const chain = [me];
    let ppid = me.ppid;
    let state = this.initial;
    while (chain.length < MAX_WALK && ppid > 1 && ppid !== this.self) {
      const parent = this.procs.get(ppid);
      if (parent) {
        if (parent.resume) this.settle(parent);
        state = this.inherited(parent, chain[chain.length - 1].tgid);
        break;
      }
      const ps = taskIdentity(ppid);
      if (!ps) break;
      chain.push(ps);
      ppid = ps.ppid;
    }
    for (const { tgid, start } of chain) {
      this.procs.set(tgid, { tgid, start, state, marks: [{ after: -1, state }] });
      this.tids.set(tgid, tgid);
    }
    this.tids.set(tid, me.tgid);
    this.adopted++;
    this.maybePrune();
    return this.procs.get(me.tgid)!;
  }

  private maybePrune(): void {
    const now = Date.now();
    if (this.adopted < this.pruneAfter && now - this.lastPrune < PRUNE_MS) return;
    this.adopted = 0;
    this.lastPrune = now;
    this.prune();
    this.pruneAfter = Math.max(PRUNE_EVERY, this.procs.size);
  }

  /** Drops the entries of exited processes (and of recycled pids) and their threads. */
  prune(): void {
    for (const [pid, p] of this.procs) {
      if (processIdentity(pid) !== p.start) this.procs.delete(pid);
    }
    for (const [tid, tgid] of this.tids) {
      if (!this.procs.has(tgid) || (tid !== tgid && !nodeFs().existsSync(`/proc/${tgid}/task/${tid}`))) this.tids.delete(tid);
    }
  }
}
