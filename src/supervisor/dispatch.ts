/**
 * The single dispatch point: every notification goes through `handle`, which
 * finds the syscall's row in the table and lets the policy decide. Until a
 * policy is plugged in, every call is answered CONTINUE.
 */
import type { Libc } from "../../ffi/libc";
import type { Listener } from "./listener";
import { TraceeMemory } from "./memory";
import type { StartMessage } from "./protocol";
import { STAT } from "./stats";
import type { SyscallIndex } from "./syscall-index";

/** Answers notifications; one per supervisor thread. */
export class Dispatcher {
  readonly memory: TraceeMemory;
  private readonly stats: Int32Array;
  private readonly timing: boolean;

  constructor(readonly L: Libc, readonly n: Listener, readonly index: SyscallIndex, start: StartMessage) {
    this.memory = new TraceeMemory(L);
    this.stats = start.stats;
    this.timing = start.timing;
  }

  /** Handles the notification currently held by the listener. */
  handle(): void {
    const t0 = this.timing ? performance.now() : 0;
    const row = this.index.rowOf(this.n.nr);
    if (row < 0) {
      this.stats[STAT.UNKNOWN]++;
      this.n.continue();
    } else {
      this.stats[row]++;
      this.decide(row);
    }
    if (this.timing) this.addTime(performance.now() - t0);
  }

  private decide(_row: number): void {
    this.n.continue();
  }

  private addTime(ms: number): void {
    const ns = Math.round(ms * 1e6);
    const lo = this.stats[STAT.SUPERVISOR_NS_LO] + ns;
    this.stats[STAT.SUPERVISOR_NS_LO] = lo % 1e9;
    this.stats[STAT.SUPERVISOR_NS_HI] += Math.floor(lo / 1e9);
  }
}
