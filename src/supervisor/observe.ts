/**
 * The Worker's side of the event dump (-d). Only built when -d is given: the
 * supervisor then uses an {@link ObservedListener}, which writes one syscall
 * event per answer, just before the answer is sent (the tracee is still
 * stopped, so its arguments can still be read). Without -d the plain Listener
 * runs and none of this code is reached.
 *
 * Processes are followed with pidfds (opened on a process's first
 * notification) to dump their exit; their exit status belongs to their parent
 * and is not seen, except the eldest's, which the main thread dumps.
 */
import { ptr } from "bun:ffi";
import { POLLIN } from "../../ffi/constants";
import type { Libc } from "../../ffi/libc";
import { resolvePath } from "../path/resolve";
import { decodeSockaddr, formatAddress } from "../policy/sockaddr";
import { byteStringToText as text } from "../policy/bytes";
import { Dump } from "../report/dump";
import { SYSCALLS, type SyscallRow } from "../syscalls/table";
import { Listener } from "./listener";
import { TraceeMemory } from "./memory";

/** How often (at most) the pidfds are polled for exits while notifications arrive. */
const EXIT_POLL_MS = 50;

/** Writes the Worker's events. One per supervisor thread, only with -d. */
export class Observer {
  readonly dump: Dump;
  private readonly memory: TraceeMemory;
  /** Set by the dispatcher for the current notification. */
  violation = false;
  /** Dry run: the current call would have been denied with this errno (0: not). */
  wouldDeny = 0;
  /** The syscall table row of the current notification (-1: none), set by the dispatcher. */
  row = -1;
  /** The resolved paths of the current call, when the dispatcher got that far. */
  resolved: readonly string[] | null = null;
  private readonly pidfds = new Map<number, number>();
  private lastPoll = 0;

  constructor(private readonly L: Libc, fd: number, private readonly eldest: number, private readonly pidfdOpen: number) {
    this.dump = new Dump(fd);
    this.memory = new TraceeMemory(L);
  }

  /** Writes the syscall event (and exec event) for the answer the listener is about to send. */
  answered(n: Listener, decision: string, errno: number, ret: number): void {
    const row: SyscallRow | undefined = this.row >= 0 ? SYSCALLS[this.row] : undefined;
    const pid = n.pid;
    this.follow(pid);
    const fields: Record<string, unknown> = {
      pid, name: row?.name ?? `nr${n.nr}`, category: row?.category ?? "unknown", args: row ? this.args(n, row) : {},
      decision, violation: this.violation,
    };
    if (decision === "deny") fields.errno = errno;
    if (decision === "return") fields.ret = ret;
    if (this.wouldDeny) { fields.would_deny = true; fields.errno = this.wouldDeny; }
    this.dump.event("syscall", fields);
    if (row?.category === "exec" && decision === "continue") {
      this.dump.event("exec", { pid, path: text(this.resolved?.[0] ?? this.execPath(n, row)) });
    }
    this.violation = false;
    this.wouldDeny = 0;
    this.resolved = null;
    this.row = -1;
    this.pollExits(false);
  }

  /** The call's arguments as the table describes them: paths, dirfds, flags, address. */
  private args(n: Listener, row: SyscallRow): Record<string, unknown> {
    const a: Record<string, unknown> = {};
    const pid = n.pid;
    row.paths?.forEach((p, i) => {
      const suffix = i === 0 ? "" : String(i + 1);
      const addr = n.arg(p.path);
      a[`path${suffix}`] = addr === 0 ? null : text(this.memory.readString(pid, addr) ?? "<unreadable>");
      if (p.dirfd !== undefined) a[`dirfd${suffix}`] = n.argInt(p.dirfd);
    });
    const refine = row.refine;
    if (refine?.kind === "open") a.flags = n.argInt(refine.flagsArg);
    if (refine?.kind === "access") a.mode = n.argInt(refine.modeArg);
    if (this.resolved) a.resolved = this.resolved.map(text);
    if (row.addr) {
      a.fd = n.argInt(0);
      if (row.addr.kind === "sockaddr" && n.arg(row.addr.addr) !== 0) {
        const len = Math.max(0, Math.min(128, n.argInt(row.addr.len)));
        const got = this.memory.read(pid, n.arg(row.addr.addr), len);
        const sa = got === len ? decodeSockaddr(this.memory.buf.subarray(0, len), len) : null;
        a.address = sa === null ? null : sa.family === "unsupported" ? `family:${sa.af}` : text(formatAddress(sa));
      }
    }
    return a;
  }

  /** The program an exec runs, resolved (the dispatcher resolves it only when exec sandboxing is on). */
  private execPath(n: Listener, row: SyscallRow): string {
    const p = row.paths![0];
    const raw = this.memory.readString(n.pid, n.arg(p.path)) ?? "";
    const res = resolvePath(n.pid, p.dirfd === undefined ? "cwd" : n.argInt(p.dirfd), raw, "follow");
    return res.ok ? res.path : raw;
  }

  /** Starts following `pid` for its exit. */
  private follow(pid: number): void {
    if (pid === this.eldest || this.pidfds.has(pid)) return;
    const fd = Number(this.L.syscall(this.pidfdOpen, pid, 0, 0, 0, 0, 0));
    this.pidfds.set(pid, fd); // -1 (a thread, or gone): remembered so it is not retried
  }

  /** Dumps the exits of followed processes; `all` at hangup, when every tracee is gone. */
  pollExits(all: boolean): void {
    const now = Date.now();
    if (!all && now - this.lastPoll < EXIT_POLL_MS) return;
    this.lastPoll = now;
    const open = [...this.pidfds].filter(([, fd]) => fd >= 0);
    if (open.length === 0) return;
    const fds = new Int32Array(open.length * 2);
    const fds16 = new Int16Array(fds.buffer);
    open.forEach(([, fd], i) => { fds[2 * i] = fd; fds16[4 * i + 2] = POLLIN; });
    if (!all && this.L.poll(ptr(fds), open.length, 0) <= 0) return;
    open.forEach(([pid, fd], i) => {
      if (!all && !(fds16[4 * i + 3] & POLLIN)) return;
      this.dump.event("exit", { pid, status: null });
      this.L.close(fd);
      this.pidfds.set(pid, -1);
    });
  }
}

/** A Listener that reports every answer to an Observer first. Used only with -d. */
export class ObservedListener extends Listener {
  constructor(L: Libc, fd: number, private readonly obs: Observer) {
    super(L, fd);
  }

  override continue(): void {
    this.obs.answered(this, "continue", 0, 0);
    super.continue();
  }

  override fail(errno: number): void {
    this.obs.answered(this, "deny", errno, 0);
    super.fail(errno);
  }

  override succeed(val: number): void {
    this.obs.answered(this, "return", 0, val);
    super.succeed(val);
  }

  override sendFd(srcfd: number, cloexec: boolean): number {
    this.obs.answered(this, "emulate", 0, 0);
    return super.sendFd(srcfd, cloexec);
  }
}
