/**
 * A helper thread for the calls that must block: a FIFO opened without O_NONBLOCK waits in
 * the kernel for its other end, a blocking connect for the server to accept (or for a slow
 * host), and what ends the wait is often another tracee's call that the supervisor thread
 * must answer. So the supervisor thread hands such a call here (blocking.ts) and goes on
 * answering; this thread performs it exactly as emulation does inline (open.ts, connect.ts),
 * with the tracee's credentials, blocks as long as the tracee would have, and answers the
 * notification itself (answer.ts: it owns the notification it was handed). One helper serves one call at a time; blocking.ts starts more as
 * needed.
 */
import { ptr } from "bun:ffi";
import { O_NOCTTY } from "../../../ffi/constants";
import { loadLibc } from "../../../ffi/libc";
import { answer } from "../answer";
import { Listener } from "../listener";
import { sendFd } from "../verdict";
import { openCanonical } from "./canonical";
import { connectNow } from "./connect";
import { sendAnswer, sendRaw } from "./send";
import { asTracee } from "./creds";
import type { Job } from "./jobs";

declare const self: Worker;


const L = loadLibc();
let listener: Listener | null = null;

self.onmessage = (ev: MessageEvent<Job>) => {
  const j = ev.data;
  listener ??= new Listener(L, j.lfd);
  try {
    if (j.kind === "send") {
      listener.adopt(j.id[0], j.id[1]);
      try {
        const at = (b: Uint8Array) => (b.length > 0 ? ptr(b) : 0);
        answer(listener, sendAnswer(sendRaw(j.fd, j.addr, at(j.payload), j.payload.length, at(j.control), j.control.length, j.flags, j.status), j.reply));
      } finally {
        for (const fd of [j.fd, j.pinned, ...j.passed]) if (fd >= 0) L.close(fd);
      }
    } else if (j.kind === "connect") {
      listener.adopt(j.id[0], j.id[1]);
      answer(listener, connectNow(j.fd, j.pinned, j.addr, j.status));
    } else {
      const fd = asTracee(j.status, j.creates, () => openCanonical(j.path, j.flags | O_NOCTTY, j.mode));
      listener.adopt(j.id[0], j.id[1]);
      answer(listener, sendFd(fd, j.cloexec));
    }
  } finally {
    Atomics.store(j.busy, j.slot, 0);
  }
};
