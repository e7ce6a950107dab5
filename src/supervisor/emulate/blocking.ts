/**
 * Calls that must block are done by helper threads (opener.ts), so that the supervisor
 * thread can go on answering the call that unblocks them: opens of FIFOs without O_NONBLOCK
 * (open.ts), connects on blocking sockets (connect.ts) and sends that would block on them
 * (send.ts). Helpers are started on first need
 * and reused when idle (a shared busy flag each: the supervisor thread never runs its event
 * loop, so helpers cannot tell it by message). Up to MAX helpers block at once; beyond that,
 * and where a helper cannot be started, the call fails with EAGAIN: never a CONTINUE, which
 * would let the kernel read a checked path or address again, nor a wait in the supervisor
 * thread, which would stop every other answer.
 */
import { O_CLOEXEC, O_CREAT } from "../../../ffi/constants";
import { entryWorker } from "../../launch/entry";
import type { Listener } from "../listener";
import type { TraceeStatus } from "./creds";
import type { Job, JobBody } from "./jobs";

const MAX = 32;
const busy = new Int32Array(new SharedArrayBuffer(4 * MAX));
const helpers: Worker[] = [];

const newHelper = () => entryWorker("supervisor/emulate/opener.ts");

/**
 * Hands `body`, for the current notification of `n`, to an idle helper, which then owns
 * the notification; false if none can take it. Called by the dispatcher only (Call.handOff).
 */
export function hand(n: Listener, body: JobBody): boolean {
  let slot = -1;
  for (let i = 0; i < helpers.length; i++) if (Atomics.load(busy, i) === 0) { slot = i; break; }
  if (slot < 0) {
    if (helpers.length >= MAX) return false;
    try { helpers.push(newHelper()); } catch { return false; }
    slot = helpers.length - 1;
  }
  Atomics.store(busy, slot, 1);
  const job = { ...body, lfd: n.fd, id: [n.idWord(0), n.idWord(1)], busy, slot } as Job;
  helpers[slot].postMessage(job);
  n.handedOff();
  return true;
}

/** The open of checked `path` (its trailing slash kept), for a helper. */
export function openJob(path: string, flags: number, mode: number, status: TraceeStatus): JobBody {
  return { kind: "open", path, flags, mode, cloexec: (flags & O_CLOEXEC) !== 0, creates: (flags & O_CREAT) !== 0, status };
}

/**
 * The connect of our copy `fd` of the tracee's socket to `addr` (which may name parent
 * directory fd `pinned`), for a helper, which closes both fds once it has the job.
 */
export function connectJob(fd: number, pinned: number, addr: Uint8Array, status: TraceeStatus): JobBody {
  // A copy of just the address: `addr` may be a view on a reused buffer.
  return { kind: "connect", fd, pinned, addr: addr.slice(), status };
}
