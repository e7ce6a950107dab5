/**
 * Opens that must block (FIFOs without O_NONBLOCK) are done by helper threads (opener.ts),
 * so that the supervisor thread can go on answering the call that unblocks them. Helpers
 * are started on first need and reused when idle (a shared busy flag each: the supervisor
 * thread never runs its event loop, so helpers cannot tell it by message). Up to MAX
 * helpers block at once; beyond that, and where a helper cannot be started, the open goes
 * to the kernel (CONTINUE).
 */
import { O_CLOEXEC, O_CREAT } from "../../../ffi/constants";
import type { Listener } from "../listener";
import type { TraceeStatus } from "./creds";
import type { OpenJob } from "./opener";

const MAX = 32;
const busy = new Int32Array(new SharedArrayBuffer(4 * MAX));
const helpers: Worker[] = [];

// A compiled binary names its embedded entry points by relative specifier (see src/main.ts).
const COMPILED = Bun.main.startsWith("/$bunfs/");
const newHelper = () =>
  COMPILED ? new Worker("./supervisor/emulate/opener.ts") : new Worker(new URL("./opener.ts", import.meta.url).href);

/** Hands the open of checked `path` to an idle helper; false if none can take it. */
export function openBlocking(n: Listener, path: string, flags: number, mode: number, status: TraceeStatus): boolean {
  let slot = -1;
  for (let i = 0; i < helpers.length; i++) if (Atomics.load(busy, i) === 0) { slot = i; break; }
  if (slot < 0) {
    if (helpers.length >= MAX) return false;
    try { helpers.push(newHelper()); } catch { return false; }
    slot = helpers.length - 1;
  }
  Atomics.store(busy, slot, 1);
  const job: OpenJob = {
    lfd: n.fd, id: [n.idWord(0), n.idWord(1)], path, flags, mode,
    cloexec: (flags & O_CLOEXEC) !== 0, creates: (flags & O_CREAT) !== 0, status, busy, slot,
  };
  helpers[slot].postMessage(job);
  return true;
}
