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
import { sendAnswer, sendRaw, type SendReply } from "./send";
import { asTracee, type TraceeStatus } from "./creds";

declare const self: Worker;

/** What every job carries: the notification to answer and the helper's busy flag. */
interface JobBase {
  lfd: number;
  id: [number, number];
  status: TraceeStatus;
  /** Shared busy flags of the helpers, and this helper's slot in them. */
  busy: Int32Array;
  slot: number;
}

/** An open of checked canonical `path`. */
export interface OpenJob extends JobBase {
  kind: "open";
  path: string;
  flags: number;
  mode: number;
  cloexec: boolean;
  creates: boolean;
}

/**
 * A connect of the supervisor's copy `fd` of the tracee's socket to checked address bytes
 * `addr`; `pinned` is the unix path's parent directory fd that `addr` names, or -1. The
 * helper closes both.
 */
export interface ConnectJob extends JobBase {
  kind: "connect";
  fd: number;
  pinned: number;
  addr: Uint8Array;
}

/**
 * A send on the supervisor's copy `fd` of a blocking socket that would have blocked
 * (send.ts), with copies of what was read: the address (naming directory fd `pinned`, or
 * -1), payload, control data (with `passed`, the fds it carries). The helper closes the fds.
 */
export interface SendJob extends JobBase {
  kind: "send";
  fd: number;
  pinned: number;
  addr: Uint8Array | null;
  payload: Uint8Array;
  control: Uint8Array;
  passed: number[];
  flags: number;
  reply: SendReply;
}

/** A call handed to a helper. */
export type Job = OpenJob | ConnectJob | SendJob;

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
