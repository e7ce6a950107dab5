/**
 * The supervisor Worker: one OS thread that blocks on the listener and answers
 * every notification. The main thread must never block in FFI (it reaps
 * children and handles signals), so the loop lives here.
 */
import { PRIO_PROCESS } from "../../ffi/constants";
import { loadLibc } from "../../ffi/libc";
import { loadSeccomp, syscallNumber } from "../../ffi/seccomp";
import { Dispatcher } from "./dispatch";
import { Listener, Wake } from "./listener";
import { ObservedListener, Observer } from "./observe";
import type { StartMessage, WorkerMessage } from "./protocol";
import { SyscallIndex } from "./syscall-index";
import { printTree } from "./tree";

declare const self: Worker;
const post = (m: WorkerMessage) => self.postMessage(m);

// The executable starts every runtime with a reluctant JIT (build.ts): right for
// run-once start-up code, wrong for this loop, which runs for every notification.
(Bun as unknown as { unsafe: { setJITPolicy?: (scale: number) => void } }).unsafe.setJITPolicy?.(1);

// dlopen and table lookups happen while the child stage is still starting.
const L = loadLibc();
const sc = loadSeccomp();
const index = new SyscallIndex(sc, L);

/**
 * This thread's nice value where sydbox may set it (root, CAP_SYS_NICE or RLIMIT_NICE;
 * elsewhere the call fails and nothing changes). A tracee is blocked for as long as its
 * notification waits, and on a busy machine (a build running -jN on N CPUs) a woken
 * supervisor at nice 0 waits for its turn behind the build's own jobs: its run delay,
 * not its work, decided the blocked time. It only ever runs while a tracee waits, so a
 * larger share cannot starve the build. PRIO_PROCESS with a thread id: this thread only.
 */
const SUPERVISOR_NICE = -10;
function raisePriority(): void {
  L.syscall(syscallNumber(sc, "setpriority"), PRIO_PROCESS, L.gettid(), SUPERVISOR_NICE, 0, 0, 0);
}

self.onmessage = (ev: MessageEvent<StartMessage>) => {
  const m = ev.data;
  // -d only: an observer and a listener that reports each answer to it. Without -d the
  // plain Listener runs and no event is ever formatted.
  const obs = m.dumpFd >= 0 ? new Observer(L, m.dumpFd, m.eldest, syscallNumber(sc, "pidfd_open")) : null;
  const listener = obs ? new ObservedListener(L, m.lfd, obs) : new Listener(L, m.lfd);
  const syncWakeUp = listener.enableSyncWakeUp();
  raisePriority();
  const dispatcher = new Dispatcher(L, listener, index, m, post, obs);
  // SIGUSR1/2 (launch/tree-request.ts): the main thread stores the detail level asked for
  // and interrupts our blocking RECV or poll with a signal; served between two notifications.
  const serveRequests = () => {
    const level = Atomics.exchange(m.treeRequest, 0, 0);
    if (level > 0) printTree(dispatcher.states, process.pid, level, m.reaper);
  };
  post({ type: "ready", syncWakeUp, tid: L.gettid() });
  try {
    if (syncWakeUp) {
      for (;;) {
        const w = listener.next();
        if (w === Wake.Notification) dispatcher.handle();
        else if (w === Wake.Hangup) break;
        else if (w === Wake.Interrupted) serveRequests();
      }
    } else {
      // Older kernels: RECV would block forever once the last tracee is gone.
      for (;;) {
        const w = listener.wait();
        if (w === Wake.Hangup) break;
        if (w === Wake.Notification) {
          const r = listener.receive();
          if (r === 0) dispatcher.handle(); else listener.vanished(r);
        }
        else if (w === Wake.Interrupted) serveRequests();
      }
    }
    obs?.pollExits(true);
    post({ type: "done", summary: dispatcher.reporter.log.summary() });
  } catch (e) {
    // Any unexpected error is fatal, never retried: the main thread kills the tree and exits.
    post({ type: "fatal", message: String((e as Error)?.stack ?? e) });
  }
};
