/**
 * The supervisor's whole job under -b (core/violation/decision:bpf) with exec
 * sandboxing: let the command's own execve through, then close the listener.
 * From then on the kernel answers every execve ENOSYS by itself (a notified
 * call whose listener is gone fails so), and nothing is ever notified again.
 */
import type { Libc } from "../../ffi/libc";
import { Listener, Wake } from "./listener";
import { STAT } from "./stats";
import type { SyscallIndex } from "./syscall-index";

/**
 * Answers the first notification, the eldest's execve (before it, only the
 * child stage carries the filter), and closes the listener.
 */
export function releaseFirstExec(L: Libc, n: Listener, index: SyscallIndex, stats: Int32Array): void {
  for (;;) {
    const w = n.wait();
    if (w === Wake.Hangup) break;
    if (w !== Wake.Notification || !n.receive()) continue;
    const row = index.rowOf(n);
    stats[row < 0 ? STAT.UNKNOWN : row]++;
    n.continue();
    break;
  }
  L.close(n.fd);
}
