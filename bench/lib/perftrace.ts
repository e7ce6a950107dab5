/**
 * Where a notified call waits: a system-wide `perf record` of scheduler and raw
 * syscall tracepoints, cut into one timeline per notification.
 *
 * For each notification the tracee is blocked from the moment it wakes the
 * supervisor thread (inside seccomp, before the call's own sys_enter) until it
 * runs again. That span splits into: the supervisor's wake-up delay (woken ->
 * switched in), the tail of its RECV ioctl, its own work (RECV returned -> SEND
 * entered), SEND up to the tracee's wake-up, and the tracee's own run delay.
 * The notified syscall is the tracee's next sys_enter (seccomp runs before that
 * tracepoint fires).
 */

/**
 * SECCOMP_IOCTL_NOTIF_RECV / SEND: _IOWR('!', 0|1, struct seccomp_notif (80) | _resp (24));
 * ADDFD (_IOW('!', 3, struct seccomp_notif_addfd (24))) answers an emulated open (ADDFD_FLAG_SEND).
 */
const IOCTL_RECV = "c0502100";
const IOCTL_SEND = "c0182101";
const IOCTL_ADDFD = "40182103";
const NR_IOCTL = 16;

/** One parsed `perf script -F comm,pid,tid,cpu,time,event,trace` line. */
export interface Ev {
  comm: string;
  pid: number;
  tid: number;
  cpu: number;
  /** Microseconds. */
  t: number;
  event: string;
  trace: string;
}

const LINE = /^\s*(.*?)\s+(\d+)\/(\d+)\s+\[(\d+)\]\s+(\d+\.\d+):\s+([\w:]+):\s*(.*)$/;

export function parsePerfScript(text: string): Ev[] {
  const out: Ev[] = [];
  for (const line of text.split("\n")) {
    const m = LINE.exec(line);
    if (!m) continue;
    out.push({ comm: m[1], pid: +m[2], tid: +m[3], cpu: +m[4], t: Number(m[5]) * 1e6, event: m[6], trace: m[7] });
  }
  return out;
}

/** One notification's timeline, in microseconds. */
export interface Notif {
  nr: number;
  tracee: number;
  /** Tracee blocked: it woke the supervisor (or, if the supervisor was not waiting, was switched out) until it ran again. */
  blocked: number;
  /** Supervisor woken -> switched in (its run delay); 0 when it was already running. */
  wakeDelay: number;
  /** Switched in -> RECV returned to user space. */
  recvTail: number;
  /** RECV returned -> SEND entered: the supervisor's own work, user and syscalls. */
  work: number;
  /** SEND entered -> tracee woken. */
  send: number;
  /** Tracee woken -> tracee running. */
  traceeDelay: number;
  /** Who held the CPU the tracee then ran on, just before it (a comm). */
  before: string;
  /** Syscalls the supervisor made between RECV and SEND. */
  supSyscalls: number;
  /** The supervisor ran this notification on another CPU than the previous one. */
  migrated: boolean;
  /** Supervisor and tracee were on different CPUs when the tracee trapped. */
  crossCpu: boolean;
}

/** CPU use of one thread of the supervising process(es) during the trace. */
export interface ThreadUse {
  comm: string;
  tid: number;
  runUs: number;
  switchIns: number;
}

export interface Anatomy {
  notifs: Notif[];
  threads: ThreadUse[];
  supervisors: number[];
}

const WAKE = /comm=.* pid=(\d+) prio=\d+ target_cpu=(\d+)/;
const SWITCH = /prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=.* next_pid=(\d+)/;
const ENTER = /^NR (\d+) \(([^)]*)\)/;
const EXIT = /^NR (-?\d+) = (-?\d+)/;

interface Pending {
  wakeAt?: number;
  waker?: number;
  wakerCpu?: number;
  runAt?: number;
  recvExit?: number;
  recvCpu?: number;
  sendEnter?: number;
  sendWake?: number;
  tracee?: number;
  syscalls: number;
}

const FORK = /pid=(\d+) child_comm=.* child_pid=(\d+)/;

/**
 * The events of the traced command's own threads and processes (the trace is system-wide:
 * other supervisors on the machine must not count), and the pids of its supervising processes
 * (named `sup`: sydbox, csup), whose threads' CPU use is summed.
 */
export function ownEvents(evs: Ev[], sup: string[]): { evs: Ev[]; owners: Set<number> } {
  const root = evs.find((e) => e.comm === "perf-exec");
  if (!root) return { evs, owners: new Set() };
  const tids = new Set([root.tid]);
  for (const e of evs) {
    if (!e.event.endsWith("sched_process_fork")) continue;
    const m = FORK.exec(e.trace);
    if (m && tids.has(+m[1])) tids.add(+m[2]);
    else if (m && tids.has(e.tid)) tids.add(+m[2]);
  }
  // A process named so at its last event (the command's processes start under that name, then exec).
  const last = new Map<number, Ev>();
  for (const e of evs) if (tids.has(e.tid)) last.set(e.tid, e);
  const owners = new Set<number>();
  for (const e of last.values()) if (sup.includes(e.comm)) owners.add(e.pid);
  // Scheduler events of our tasks may be emitted by other tasks (a wake-up, a switch-in): keep those too.
  const mine = (e: Ev) => tids.has(e.tid) || ((e.event.endsWith("sched_switch") || e.event.endsWith("sched_wakeup")) && [...e.trace.matchAll(/pid=(\d+)/g)].some((m) => tids.has(+m[1])));
  return { evs: evs.filter(mine), owners };
}

/** Cuts the events into notifications; `owners` are the pids (tgids) whose threads' CPU use is summed. */
export function anatomy(evs: Ev[], owners: Set<number>): Anatomy {
  const sup = new Set<number>();
  for (const e of evs) {
    if (e.event.endsWith("sys_enter")) {
      const m = ENTER.exec(e.trace);
      if (m && +m[1] === NR_IOCTL && m[2].split(", ")[1] === IOCTL_RECV) sup.add(e.tid);
    }
  }
  const notifs: Notif[] = [];
  const cur = new Map<number, Pending>();
  const inRecv = new Map<number, boolean>();
  const lastCpu = new Map<number, number>();
  // Tracees woken by SEND, waiting to run; then to make their next sys_enter.
  const waiting = new Map<number, { p: Pending; sup: number; runAt?: number; before?: string }>();
  const lastOut = new Map<number, number>(); // tid -> last switch-out in S/D state
  const running = new Map<number, number>(); // tid -> switched-in time
  const use = new Map<number, ThreadUse>();
  const comms = new Map<number, string>();

  for (const e of evs) {
    if (owners.has(e.pid)) comms.set(e.tid, e.comm);
    if (e.event.endsWith("sched_switch")) {
      const m = SWITCH.exec(e.trace);
      if (!m) continue;
      const prev = +m[1], state = m[2], next = +m[3];
      if (state.startsWith("S") || state.startsWith("D")) lastOut.set(prev, e.t);
      const start = running.get(prev);
      if (start !== undefined && comms.has(prev)) {
        const u = use.get(prev) ?? { comm: comms.get(prev)!, tid: prev, runUs: 0, switchIns: 0 };
        u.runUs += e.t - start;
        u.switchIns++;
        use.set(prev, u);
      }
      running.delete(prev);
      running.set(next, e.t);
      if (sup.has(next)) {
        const p = cur.get(next);
        if (p && p.wakeAt !== undefined && p.runAt === undefined) p.runAt = e.t;
      }
      const w = waiting.get(next);
      if (w && w.runAt === undefined) {
        w.runAt = e.t;
        w.before = prev === w.sup ? "supervisor" : /prev_comm=(.*?) prev_pid/.exec(e.trace)?.[1] ?? "?";
      }
      continue;
    }
    if (e.event.endsWith("sched_wakeup")) {
      const m = WAKE.exec(e.trace);
      if (!m) continue;
      const woken = +m[1];
      if (sup.has(woken) && inRecv.get(woken)) {
        const p = cur.get(woken) ?? { syscalls: 0 };
        if (p.wakeAt === undefined) { p.wakeAt = e.t; p.waker = e.tid; p.wakerCpu = e.cpu; }
        cur.set(woken, p);
      } else if (sup.has(e.tid)) {
        const p = cur.get(e.tid);
        if (p && p.sendEnter !== undefined && p.sendWake === undefined) {
          p.sendWake = e.t;
          p.tracee = woken;
          waiting.set(woken, { p, sup: e.tid });
        }
      }
      continue;
    }
    if (e.event.endsWith("sys_enter")) {
      const m = ENTER.exec(e.trace);
      if (!m) continue;
      const nr = +m[1];
      if (sup.has(e.tid)) {
        const cmd = m[2].split(", ")[1];
        if (nr === NR_IOCTL && cmd === IOCTL_RECV) {
          inRecv.set(e.tid, true);
          cur.set(e.tid, { syscalls: 0 });
        } else if (nr === NR_IOCTL && (cmd === IOCTL_SEND || cmd === IOCTL_ADDFD)) {
          const p = cur.get(e.tid);
          if (p && p.recvExit !== undefined && p.sendEnter === undefined) p.sendEnter = e.t;
        } else {
          const p = cur.get(e.tid);
          if (p && p.recvExit !== undefined && p.sendEnter === undefined) p.syscalls++;
        }
        continue;
      }
      const w = waiting.get(e.tid);
      if (w && w.runAt !== undefined) {
        waiting.delete(e.tid);
        const p = w.p;
        // Blocked from the wake-up of the supervisor, or (supervisor already busy) from the tracee's switch-out.
        const from = p.waker === e.tid ? p.wakeAt! : (lastOut.get(e.tid) ?? p.recvExit!);
        const prevCpu = lastCpu.get(w.sup);
        lastCpu.set(w.sup, p.recvCpu!);
        notifs.push({
          nr,
          tracee: e.tid,
          blocked: w.runAt - from,
          wakeDelay: p.waker === e.tid && p.runAt !== undefined ? p.runAt - p.wakeAt! : 0,
          recvTail: p.waker === e.tid && p.runAt !== undefined ? p.recvExit! - p.runAt : 0,
          work: p.sendEnter! - p.recvExit!,
          send: p.sendWake! - p.sendEnter!,
          traceeDelay: w.runAt - p.sendWake!,
          supSyscalls: p.syscalls,
          before: w.before ?? "?",
          migrated: prevCpu !== undefined && prevCpu !== p.recvCpu,
          crossCpu: p.waker === e.tid && p.wakerCpu !== p.recvCpu,
        });
      }
      continue;
    }
    if (e.event.endsWith("sys_exit") && sup.has(e.tid)) {
      const m = EXIT.exec(e.trace);
      if (!m || +m[1] !== NR_IOCTL || !inRecv.get(e.tid)) continue;
      inRecv.set(e.tid, false);
      const p = cur.get(e.tid);
      if (p && +m[2] === 0) { p.recvExit = e.t; p.recvCpu = e.cpu; }
    }
  }
  const threads = [...use.values()].sort((a, b) => b.runUs - a.runUs);
  return { notifs, threads, supervisors: [...sup] };
}
