/** bench/lib/perftrace.ts: one notification's timeline cut out of `perf script` lines. */
import { expect, test } from "bun:test";
import { anatomy, ownEvents, parsePerfScript } from "../../bench/lib/perftrace";

// perf-exec (100) becomes the supervisor's process; its thread 102 supervises tracee 200.
const SCRIPT = `
       perf-exec   100/100   [000]  10.000000: sched:sched_process_fork: comm=perf-exec pid=100 child_comm=perf-exec child_pid=102
       perf-exec   100/100   [000]  10.000001: sched:sched_process_fork: comm=perf-exec pid=100 child_comm=perf-exec child_pid=200
          Worker   100/102   [000]  10.000010: raw_syscalls:sys_enter: NR 16 (5, c0502100, 7f00, 0, 0, 0)
          Worker   100/102   [000]  10.000011: sched:sched_switch: prev_comm=Worker prev_pid=102 prev_prio=110 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120
       spawnloop   200/200   [001]  10.000100: sched:sched_wakeup: comm=Worker pid=102 prio=110 target_cpu=001
       spawnloop   200/200   [001]  10.000101: sched:sched_switch: prev_comm=spawnloop prev_pid=200 prev_prio=120 prev_state=S ==> next_comm=Worker next_pid=102 next_prio=110
          Worker   100/102   [001]  10.000104: raw_syscalls:sys_exit: NR 16 = 0
          Worker   100/102   [001]  10.000110: raw_syscalls:sys_enter: NR 310 (c8, 0, 1, 0, 1, 0)
          Worker   100/102   [001]  10.000114: raw_syscalls:sys_enter: NR 16 (5, c0182101, 7f10, 0, 0, 0)
          Worker   100/102   [001]  10.000116: sched:sched_wakeup: comm=spawnloop pid=200 prio=120 target_cpu=001
          Worker   100/102   [001]  10.000120: sched:sched_switch: prev_comm=Worker prev_pid=102 prev_prio=110 prev_state=S ==> next_comm=spawnloop next_pid=200 next_prio=120
       spawnloop   200/200   [001]  10.000125: raw_syscalls:sys_enter: NR 59 (7ff, 7ff, 7ff, 0, 0, 0)
`;

test("a notification splits into wake delay, RECV tail, work, SEND and the tracee's run delay", () => {
  const { evs, owners } = ownEvents(parsePerfScript(SCRIPT), ["Worker", "perf-exec"]);
  const a = anatomy(evs, owners);
  expect(a.supervisors).toEqual([102]);
  expect(a.notifs).toHaveLength(1);
  const n = a.notifs[0];
  expect({ nr: n.nr, tracee: n.tracee, supSyscalls: n.supSyscalls, before: n.before }).toEqual({ nr: 59, tracee: 200, supSyscalls: 1, before: "supervisor" });
  const us = (x: number) => Math.round(x);
  expect([n.blocked, n.wakeDelay, n.recvTail, n.work, n.send, n.traceeDelay].map(us)).toEqual([20, 1, 3, 10, 2, 4]);
});
