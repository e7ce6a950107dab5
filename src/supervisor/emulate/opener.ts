/**
 * A helper thread for the opens that must block: a FIFO opened without O_NONBLOCK waits in
 * the kernel for its other end, which another tracee provides through a call that the
 * supervisor thread must answer. So the supervisor thread hands such an open here
 * (blocking.ts) and goes on answering; this thread opens the checked canonical path with
 * the tracee's credentials, exactly as emulation does elsewhere (canonical.ts), blocks as
 * long as the tracee would have, and answers the notification itself: ADDFD with SEND, or
 * the errno. One helper serves one open at a time; blocking.ts starts more as needed.
 */
import { O_NOCTTY } from "../../../ffi/constants";
import { loadLibc } from "../../../ffi/libc";
import * as fs from "../../../ffi/fsops";
import { Errno } from "../../errors";
import { Listener } from "../listener";
import { openCanonical } from "./canonical";
import { asTracee, type TraceeStatus } from "./creds";

declare const self: Worker;

/** One open handed to a helper. */
export interface OpenJob {
  lfd: number;
  id: [number, number];
  path: string;
  flags: number;
  mode: number;
  cloexec: boolean;
  creates: boolean;
  status: TraceeStatus;
  /** Shared busy flags of the helpers, and this helper's slot in them. */
  busy: Int32Array;
  slot: number;
}

const L = loadLibc();
let listener: Listener | null = null;

self.onmessage = (ev: MessageEvent<OpenJob>) => {
  const j = ev.data;
  listener ??= new Listener(L, j.lfd);
  try {
    const fd = asTracee(j.status, j.creates, () => openCanonical(j.path, j.flags | O_NOCTTY, j.mode));
    listener.adopt(j.id[0], j.id[1]);
    if (fd < 0) {
      listener.fail(-fd);
    } else {
      const e = listener.sendFd(fd, j.cloexec);
      fs.close(fd);
      if (e !== 0 && e !== Errno.ENOENT) listener.fail(e);
    }
  } finally {
    Atomics.store(j.busy, j.slot, 0);
  }
};
