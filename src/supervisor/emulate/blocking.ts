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
import type { Job, SendJob } from "./opener";

const MAX = 32;
const busy = new Int32Array(new SharedArrayBuffer(4 * MAX));
const helpers: Worker[] = [];

const newHelper = () => entryWorker("supervisor/emulate/opener.ts");

type JobBody<J> = J extends Job ? Omit<J, "lfd" | "id" | "busy" | "slot"> : never;

/** Hands `body` of the current notification of `n` to an idle helper; false if none can take it. */
function hand(n: Listener, body: JobBody<Job>): boolean {
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

/** Hands the open of checked `path` to an idle helper; false if none can take it. */
export function openBlocking(n: Listener, path: string, flags: number, mode: number, status: TraceeStatus): boolean {
  return hand(n, { kind: "open", path, flags, mode, cloexec: (flags & O_CLOEXEC) !== 0, creates: (flags & O_CREAT) !== 0, status });
}

/**
 * Hands the connect of our copy `fd` of the tracee's socket to `addr` (which may name
 * parent directory fd `pinned`) to an idle helper, which closes both fds; false if none
 * can take it (the fds are still the caller's).
 */
export function connectBlocking(n: Listener, fd: number, pinned: number, addr: Uint8Array, status: TraceeStatus): boolean {
  // A copy of just the address: `addr` may be a view on a reused buffer.
  return hand(n, { kind: "connect", fd, pinned, addr: addr.slice(), status });
}

/**
 * Hands a send that would block to an idle helper, which sends, answers and closes the job's
 * fds; false if none can take it (the fds are still the caller's). The job's buffers must
 * be copies: the caller's are reused.
 */
export function sendBlocking(n: Listener, job: Omit<SendJob, "kind" | "lfd" | "id" | "busy" | "slot">): boolean {
  return hand(n, { kind: "send", ...job });
}
