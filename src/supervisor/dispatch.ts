/**
 * The single dispatch point: every notification goes through `handle`, which
 * finds the syscall's row in the table and hands it to the engine for its kind
 * (paths, addresses, magic). Engines answer through `allow`/`deny`.
 */
import { SIGTERM } from "../../ffi/constants";
import type { Libc } from "../../ffi/libc";
import { Errno } from "../errors";
import { ViolationReporter } from "../report/reporter";
import { pathCall } from "../report/violation";
import { formatAddress, type SockAddr } from "../policy/sockaddr";
import { SYSCALLS, type SyscallRow } from "../syscalls/table";
import type { Listener } from "./listener";
import type { Observer } from "./observe";
import { TraceeMemory } from "./memory";
import { argResolveMode, pathRequest, resolveArg, RESOLVE_SCOPED, type CallView, type PathRequest } from "./paths";
import type { StartMessage, WorkerMessage } from "./protocol";
import { castMagic } from "./magic-stat";
import { checkAddress } from "./network";
import { SignalGuard } from "./signals";
import { emulatePath, emulates } from "./emulate";
import { fdCall } from "./emulate/fdcalls";
import type { Sandbox } from "./sandbox";
import { ProcessStates } from "./state";
import { cpuTimes, STAT, ThreadClock, TIME_UNKNOWN } from "./stats";
import { UNREADABLE_ARGS, type SyscallIndex } from "./syscall-index";

/** What a denial is checked as: a path category, or bind/connect (an address). */
type Denied = "read" | "write" | "exec" | "bind" | "connect";

/**
 * Is there nothing to decide for this call? True when none of its categories is
 * on, or none can deny (allow mode with no deny rule) and a failed lookup is not
 * a violation either: its paths are then not even read (exec under --profile
 * paludis, most of a build's notified path calls). openat2's scoped lookups are
 * always looked at (they may be unverifiable, which denies). Indexed loops and
 * no closure: this runs first for every notified path call.
 */
function nothingToDecide(sb: Sandbox, req: PathRequest): boolean {
  const cats = req.categories;
  let noneOn = true;
  for (let i = 0; i < cats.length; i++) {
    const c = cats[i];
    if (sb.mode(c) === "off") continue;
    if (!sb.allowsEverything(c)) return false;
    noneOn = false;
  }
  if (noneOn) return true;
  return !sb.cfg.core.violation.raise_fail && ((req.resolve ?? 0) & RESOLVE_SCOPED) === 0;
}

/**
 * Would "nothing to decide" rest on tracee memory? openat2's categories come from its
 * struct open_how, which another thread can rewrite after our read: unless neither read
 * nor write can deny, its calls are always looked at (and emulated, or refused).
 */
function memoryDecides(sb: Sandbox, row: SyscallRow): boolean {
  return row.refine?.kind === "openHow" && !(sb.allowsEverything("read") && sb.allowsEverything("write"));
}

/** Answers notifications; one per supervisor thread. */
export class Dispatcher implements CallView {
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
  private readonly dryRun: boolean;
  /** The kill family: nothing signals sydbox or the reaper (signals.ts). */
  private readonly signals: SignalGuard;

  /** `obs` is the -d event dump; null (the one check on the hot path) without it. */
  constructor(readonly L: Libc, readonly n: Listener, readonly index: SyscallIndex, start: StartMessage, readonly post: (m: WorkerMessage) => void, readonly obs: Observer | null = null) {
    this.memory = new TraceeMemory(L);
    this.dryRun = start.dryRun;
    this.reporter = new ViolationReporter(start.dryRun);
    this.stats = start.stats;
    this.times = cpuTimes(start.stats);
    this.clock = start.timing ? new ThreadClock(L) : null;
    this.states = new ProcessStates(start.config, start.eldest);
    this.eldest = start.eldest;
    this.signals = new SignalGuard(n, start.stats, process.pid, start.reaper);
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
      if (row === UNREADABLE_ARGS) this.n.fail(Errno.EFAULT);
      else this.n.continue(); // no row: nothing is decided
    } else {
      this.stats[row]++;
      this.decide(SYSCALLS[row]);
      // No path may leave a live call unanswered (its tracee would wait forever): one that
      // did (say, /proc unreadable for want of fds, taken for a gone tracee) is fatal.
      if (!this.n.answered && this.n.idValid()) throw new Error(`${SYSCALLS[row].name} of process ${this.n.pid} was left unanswered`);
    }
    if (this.clock !== null) this.times[row < 0 ? TIME_UNKNOWN : row] += this.clock.lap();
  }

  // CallView: what the decoders may look at.
  argInt(i: number): number { return this.n.argInt(i); }
  arg(i: number): number { return this.n.arg(i); }
  readBytes(addr: number, len: number): Uint8Array | null {
    const got = this.memory.read(this.n.pid, addr, len);
    if (got !== len || !this.n.idValid()) return null;
    return this.memory.buf.subarray(0, len);
  }

  private decide(row: SyscallRow): void {
    if (row.signal) return this.signals.check(row);
    if (row.fdCall) return fdCall(this, row);
    if (row.category === "exec") this.states.onExec(this.n.pid); // core/trace/magic_lock:exec
    if (row.category === "magic") return castMagic(this, row);
    if (row.addr) return checkAddress(this, row);
    this.checkPaths(row);
  }

  /** The sandbox state governing process `pid`. */
  sandboxOf(pid: number): Sandbox {
    return this.states.of(pid).sandbox;
  }

  // Reused by every checkPaths call: the hot path allocates no arrays.
  private readonly paths: string[] = [];
  private readonly exists: boolean[] = [];
  /** The tracee's own path strings, kept for emulation (its `.`, `..`, trailing slash). */
  private readonly raws: (string | null)[] = [];

  private checkPaths(row: SyscallRow): void {
    const n = this.n, pid = n.pid, sb = this.sandboxOf(pid);
    if (row.category === "exec" && pid === this.eldest && !this.eldestExeced) {
      // The command's own start is not checked, as in SydBox.
      this.eldestExeced = true;
      return n.continue();
    }
    if (row.category === "exec" && sb.killIfMatch.length > 0 && !this.dryRun && this.killIfMatch(row, sb)) return;
    const req = pathRequest(row, this);
    if (req !== null && nothingToDecide(sb, req) && !memoryDecides(sb, row)) return n.continue();
    const emu = sb.cfg.core.trace.emulate && emulates(row);
    // openat2's flags are tracee memory: without emulation (or where it cannot be made) the
    // call is refused with ENOSYS, and libc callers fall back to openat, whose flags are registers.
    if (!emu && row.refine?.kind === "openHow") return n.fail(Errno.ENOSYS);
    if (req === null) return this.pass(emu, Errno.EFAULT); // unreadable flags: the kernel reports EFAULT
    // None on: an openat2 looked at because its flags are memory (memoryDecides); a denial is a write's.
    const firstCat = req.categories.find((c) => sb.mode(c) !== "off") ?? "write";

    const paths = this.paths, exists = this.exists;
    paths.length = 0; exists.length = 0;
    const raws = this.raws;
    raws.length = 0;
    for (let i = 0; i < row.paths!.length; i++) {
      const p = row.paths![i];
      const addr = n.arg(p.path);
      const raw = addr === 0 ? null : this.memory.readString(pid, addr);
      // No ID_VALID check here: a notification that died meanwhile makes our
      // answer fail harmlessly. It is checked before anything with a side
      // effect (a report, a kill) in deny().
      if (raw === null && addr !== 0) return this.pass(emu, this.memory.errno); // EFAULT/ENAMETOOLONG: the kernel says so itself
      const res = resolveArg(pid, p, this, raw, argResolveMode(p, this, i === 0 ? req.mode : undefined), i === 0 ? req.resolve : 0);
      if (!res.ok && "unverifiable" in res) {
        // openat2 scoped lookups sydbox cannot reproduce: denied, whatever the lists say.
        return this.deny(firstCat, pathCall(row.name, [raw ?? ""]), (f) => f(raw ?? ""), req.eacces ? Errno.EACCES : Errno.EPERM);
      }
      if (!res.ok) {
        // The kernel will fail this lookup the same way; raise_fail makes it a violation.
        if (!sb.cfg.core.violation.raise_fail) return this.pass(emu, res.errno);
        return this.deny(firstCat, pathCall(row.name, [raw ?? ""]), (f) => f(raw ?? ""), res.errno || (req.eacces ? Errno.EACCES : Errno.EPERM));
      }
      paths.push(res.path);
      exists.push(res.exists);
      if (emu) raws.push(raw);
    }
    if (this.obs !== null) this.obs.resolved = paths;
    const errno = row.denyErrno ?? (req.eacces ? Errno.EACCES : Errno.EPERM);
    for (const cat of req.categories) {
      if (sb.mode(cat) === "off") continue;
      for (let i = 0; i < paths.length; i++) {
        if (this.allowedPath(sb, cat, paths[i], pid)) continue;
        // The safe rule is about the path the call creates or removes: the last one (link's new path).
        const last = i === paths.length - 1;
        const safe = !last ? 0
          : row.safe === "always" ? errno
          : row.safe === "exists" && exists[i] ? Errno.EEXIST
          : row.safe === "missing" && !exists[i] ? Errno.ENOENT : 0;
        if (safe && !sb.cfg.core.violation.raise_safe) {
          if (!this.dryRun) return n.fail(safe);
          if (this.obs !== null) this.obs.wouldDeny = safe;
          continue;
        }
        if (!this.dryRun) {
          const denied = paths.slice();
          return this.deny(cat, pathCall(row.name, denied), (f) => denied.some(f), errno);
        }
        // Dry run: every category and path that would be denied is recorded (sydbox learn needs them all).
        const path = paths[i];
        if (!this.violation(cat, pathCall(row.name, paths), (f) => f(path), errno)) return;
      }
    }
    if (emu) return emulatePath(this, row, req, paths, raws);
    n.continue();
  }

  /**
   * Lets the kernel fail a call the way it will; with emulation the supervisor answers the
   * errno itself, since a CONTINUE would let the kernel re-read a path a racing thread changed.
   */
  private pass(emu: boolean, errno: number): void {
    if (emu) this.n.fail(errno);
    else this.n.continue();
  }

  /**
   * exec/kill_if_match: an exec of a matching path kills the process with SIGKILL
   * (whatever core/sandbox/exec says). True when the call was answered.
   */
  private killIfMatch(row: SyscallRow, sb: Sandbox): boolean {
    const n = this.n, pid = n.pid, p = row.paths![0];
    const addr = n.arg(p.path);
    const raw = addr === 0 ? null : this.memory.readString(pid, addr);
    if (!n.idValid()) return true;
    if (raw === null) return false;
    const res = resolveArg(pid, p, this, raw, argResolveMode(p, this));
    if (!res.ok || !sb.killIfMatch.some((f) => f(res.path))) return false;
    try { process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
    n.fail(Errno.EACCES);
    return true;
  }

  private allowedPath(sb: Sandbox, cat: "read" | "write" | "exec", path: string, pid: number): boolean {
    if (sb.cfg.core.allowlist.per_process_directories && cat !== "exec" && path.startsWith("/proc/")) {
      const own = `/proc/${pid}`;
      if (path === own || path.startsWith(own + "/")) return true;
    }
    return sb.allows(cat, path);
  }

  /**
   * Denies the current call with `errno`. It is a violation (reported, counted,
   * and subject to core/violation/decision) unless a filter/* pattern matches
   * (`filtered` is given the category's filter predicates) or the mode is bpf,
   * whose denials the kernel would have made silently. A dry run lets the call through.
   */
  deny<T>(cat: Denied, call: string, filtered: (f: (s: T) => boolean) => boolean, errno: number): void {
    if (!this.violation(cat, call, filtered, errno)) return;
    if (this.dryRun) this.n.continue();
    else this.n.fail(errno);
  }

  /**
   * Reports and counts a denial (see `deny`) without answering; a dry run
   * neither kills nor denies. False when the notification is no longer pending.
   */
  private violation<T>(cat: Denied, call: string, filtered: (f: (s: T) => boolean) => boolean, errno: number): boolean {
    // What we read may belong to a process that died (and a recycled pid): report
    // nothing and kill nothing for a notification that is no longer pending.
    if (!this.n.idValid()) return false;
    const sb = this.sandboxOf(this.n.pid);
    const network = cat === "bind" || cat === "connect";
    const filters = (network ? sb.networkFilters : sb.filters[cat]) as ((s: T) => boolean)[];
    const silenced = filters.some(filtered);
    const bpf = sb.mode(cat) === "bpf";
    if (this.obs !== null && this.dryRun) this.obs.wouldDeny = errno;
    if (silenced || bpf) return true;
    this.stats[STAT.VIOLATIONS]++;
    if (this.obs !== null) this.obs.violation = true;
    const subjects: string[] = [];
    filtered((s) => { subjects.push(typeof s === "string" ? s : formatAddress(s as SockAddr)); return false; });
    // Network calls name an address, or (unsupported families) nothing a list could allow.
    const kind = network && subjects.length === 0 ? "family" : cat;
    this.reporter.report(this.n.pid, kind, call, kind === "family" ? [call] : subjects);
    const decision = sb.cfg.core.violation.decision;
    if (!this.dryRun && (decision === "kill" || decision === "killall")) {
      // Signal before answering, so the offender cannot run on past its denied
      // call; the main thread follows up with SIGKILL (and, for killall, the tree).
      this.L.kill(this.n.pid, SIGTERM);
      this.post({ type: "kill", pid: this.n.pid, all: decision === "killall" });
    }
    return true;
  }
}
