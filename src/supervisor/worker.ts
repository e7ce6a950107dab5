/**
 * The supervisor Worker: one OS thread that blocks on the listener and answers
 * every notification. The main thread must never block in FFI (it reaps
 * children and handles signals), so the loop lives here.
 */
import { loadLibc } from "../../ffi/libc";
import { loadSeccomp } from "../../ffi/seccomp";
import { Dispatcher } from "./dispatch";
import { Listener, Wake } from "./listener";
import type { StartMessage, WorkerMessage } from "./protocol";
import { SyscallIndex } from "./syscall-index";

declare const self: Worker;
const post = (m: WorkerMessage) => self.postMessage(m);

// dlopen and table lookups happen while the child stage is still starting.
const L = loadLibc();
const sc = loadSeccomp();
const index = new SyscallIndex(sc, L);

self.onmessage = (ev: MessageEvent<StartMessage>) => {
  const m = ev.data;
  const listener = new Listener(L, m.lfd);
  const syncWakeUp = listener.enableSyncWakeUp();
  const dispatcher = new Dispatcher(L, listener, index, m, post);
  post({ type: "ready", syncWakeUp });
  try {
    if (syncWakeUp) {
      for (;;) {
        const w = listener.next();
        if (w === Wake.Notification) dispatcher.handle();
        else if (w === Wake.Hangup) break;
      }
    } else {
      // Older kernels: RECV would block forever once the last tracee is gone.
      for (;;) {
        const w = listener.wait();
        if (w === Wake.Hangup) break;
        if (w === Wake.Notification && listener.receive()) dispatcher.handle();
      }
    }
    post({ type: "done" });
  } catch (e) {
    post({ type: "fatal", message: String((e as Error)?.stack ?? e) });
  }
};
