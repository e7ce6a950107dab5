/**
 * SIGUSR1/SIGUSR2 on the main thread: ask the supervisor Worker to print the
 * process tree (supervisor/tree.ts). The Worker spends its life blocked in the
 * seccomp RECV ioctl (or in poll on older kernels), which nothing but a
 * notification or a signal ends. So the request goes in a shared slot (the
 * highest detail level asked for), and the Worker's thread is sent SIGURG,
 * which makes RECV or poll fail with EINTR; the Worker then takes the slot.
 *
 * Bun installs its signal handlers with SA_RESTART, and RECV (6.6+) is then
 * restarted instead of failing: SA_RESTART is cleared for SIGURG alone.
 *
 * The signal is sent only while /proc says the Worker sleeps in RECV or poll,
 * so it interrupts nothing else it does (its other seccomp ioctls can fail
 * with EINTR, and a lost answer would hang a tracee; the listener retries
 * those anyway). A signal that lands just as the Worker wakes up is harmless
 * (no syscall to interrupt), and the request is simply sent again 20 ms
 * later, until the Worker has taken it.
 */
import { NOTIF_IOCTL, SA_RESTART, SIGACTION_FLAGS_OFFSET, SIGACTION_SIZE, SIGURG } from "../../ffi/constants";
import type { Libc } from "../../ffi/libc";
import { syscallNumber, type Seccomp } from "../../ffi/seccomp";
import { readProcText } from "../procfs";

/** The signal that interrupts the Worker: default-ignored, so a stray one is harmless, and otherwise unused by sydbox. */
const WAKE = "SIGURG";
const WAKE_NUMBER = SIGURG;
const RETRY_MS = 20;

/**
 * Installs the SIGUSR1/SIGUSR2 handlers and returns the shared slot to hand to
 * the Worker. `tid` resolves to the Worker's thread id once it is running;
 * `start` starts the Worker if it is not yet (launch/supervisor-thread.ts).
 */
export function treeRequests(L: Libc, sc: Seccomp, tid: Promise<number>, start: () => void): Int32Array {
  const slot = new Int32Array(new SharedArrayBuffer(4));
  const tgkill = syscallNumber(sc, "tgkill");
  const ioctl = syscallNumber(sc, "ioctl");
  // poll is absent on some architectures (-1), where libc's poll is ppoll.
  const polls = new Set(["poll", "ppoll"].map((n) => syscallNumber(sc, n)).filter((n) => n >= 0));
  let worker = 0;
  tid.then((t) => { worker = t; }, () => {});
  let timer: ReturnType<typeof setTimeout> | null = null;

  const sleepsInWait = () => {
    // "NR ARG1 ARG2 ...", or "running": RECV is ioctl(listener, NOTIF_IOCTL.RECV, ...).
    const text = readProcText(`/proc/self/task/${worker}/syscall`);
    if (text === null) return false; // the Worker is gone
    const [nr, , request] = text.split(" ");
    return polls.has(Number(nr)) || (Number(nr) === ioctl && Number(request) === NOTIF_IOCTL.RECV);
  };
  const poke = () => {
    timer = null;
    if (Atomics.load(slot, 0) === 0) return; // taken
    if (worker > 0 && sleepsInWait()) L.syscall(tgkill, process.pid, worker, WAKE_NUMBER, 0, 0, 0);
    timer = setTimeout(poke, RETRY_MS);
    timer.unref?.();
  };
  // A handler (doing nothing) so that SIGURG interrupts the Worker instead of being discarded.
  process.on(WAKE, () => {});
  const canWake = withoutRestart(L, WAKE_NUMBER);
  const ask = (level: number) => () => {
    // Handled either way: SIGUSR1's default action would kill sydbox mid-run.
    if (!canWake) return void process.stderr.write("sydbox: cannot interrupt the supervisor (sigaction failed): no process tree\n");
    Atomics.store(slot, 0, Math.max(Atomics.load(slot, 0), level));
    start();
    if (timer === null) poke();
  };
  process.on("SIGUSR1", ask(1));
  process.on("SIGUSR2", ask(2));
  return slot;
}

/** Clears SA_RESTART from `sig`'s installed handler, so that it interrupts blocking calls. */
function withoutRestart(L: Libc, sig: number): boolean {
  const act = new Uint8Array(SIGACTION_SIZE);
  const view = new DataView(act.buffer);
  if (L.sigaction(sig, null, act) !== 0) return false;
  view.setInt32(SIGACTION_FLAGS_OFFSET, view.getInt32(SIGACTION_FLAGS_OFFSET, true) & ~SA_RESTART, true);
  return L.sigaction(sig, act, null) === 0;
}
