/**
 * core/trace/exit_wait_all (SydBox 1's key, which Paludis's `esandbox wait_eldest`
 * and `wait_all` set at run time). true, the default: sydbox waits for every
 * sandboxed process, daemons included. false: sydbox exits when the eldest
 * exits, and every process left is killed (SIGKILL) first, so that none goes
 * on unsupervised. The last setting made by any process, or by the
 * configuration, decides: the key is global, as it was in SydBox 1.
 *
 * The value lives in shared memory (`shared`): the supervisor's magic stat
 * stores a setting before the process that made it goes on, so the main thread
 * never acts on an older one, however late it hears of it. The main thread
 * watches the eldest through a pidfd, polled without blocking every TICK_MS once
 * the key has been false (nothing runs before). Once the eldest is gone and the
 * key is false, it kills what is left below `root`, tick after tick, until the
 * reaper (or, under core/restrict, the listener's hang-up) ends the run.
 * Under core/restrict, a change at run time reaches only what is still below
 * sydbox: sydbox is the subreaper there only when the configuration says false.
 */
import { POLLIN, SIGKILL, SYS_PIDFD_OPEN } from "../../ffi/constants";
import type { Libc } from "../../ffi/libc";
import { stablePtr } from "../../ffi/pointer";
import { descendants } from "./kill";

const TICK_MS = 20;

export class ExitWithEldest {
  /** [0]: 1 while every process is waited for, 0 once the eldest's exit ends the run. */
  readonly shared = new Int32Array(new SharedArrayBuffer(4));
  private timer: ReturnType<typeof setInterval> | null = null;
  private eldest = 0;
  private readonly pollfd = new Int32Array(2).fill(-1);

  /** `root`: the process whose descendants are the sandboxed tree (the reaper, or sydbox under core/restrict). */
  constructor(private readonly L: Libc, private readonly root: number, waitAll: boolean) {
    this.shared[0] = waitAll ? 1 : 0;
  }

  private get waitAll(): boolean {
    return Atomics.load(this.shared, 0) === 1;
  }

  /** The eldest's pid, once known. */
  watch(eldest: number): void {
    this.eldest = eldest;
    this.update();
  }

  /** Starts watching if the key is false (the supervisor says when a process set it). */
  update(): void {
    if (this.waitAll || this.eldest <= 0 || this.timer) return;
    if (this.pollfd[0] < 0) {
      this.pollfd[0] = Number(this.L.syscall(SYS_PIDFD_OPEN, this.eldest, 0, 0, 0, 0, 0));
      new Int16Array(this.pollfd.buffer)[2] = POLLIN;
    }
    this.timer = setInterval(() => this.check(), TICK_MS);
    this.timer.unref();
  }

  /** Kills what is left now if the eldest is gone and the key is false. */
  check(): void {
    if (this.waitAll) return;
    // No pidfd (the eldest was already gone): it has exited.
    const exited = this.pollfd[0] < 0 || this.L.poll(stablePtr(this.pollfd), 1, 0) > 0;
    if (!exited) return;
    for (const pid of descendants(this.root)) if (pid !== this.root && pid !== process.pid) this.L.kill(pid, SIGKILL);
  }

  /** The run is over. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.pollfd[0] >= 0) this.L.close(this.pollfd[0]);
    this.pollfd[0] = -1;
  }
}
