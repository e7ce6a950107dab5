/**
 * The supervisor Worker as the main thread sees it: started when the first
 * notification waits, its messages, and its failure.
 *
 * Why not at once: a Bun Worker costs its creator time on this thread and its
 * boot CPU, while sydbox's two runtimes already keep both CPUs busy at start-up
 * (bench/README.md, start-up costs). A command that never makes a notified call
 * (`sydbox -- true`, most commands under write sandboxing alone) needs no
 * supervisor and would pay that on its critical path. So the main thread looks
 * at the listener, without blocking, at growing intervals; a notified call waits
 * in the kernel's queue until the Worker answers it, as it would while an
 * eagerly started Worker booted.
 */
import type { Libc } from "../../ffi/libc";
import { Listener, Wake } from "../supervisor/listener";
import type { StartMessage, WorkerMessage } from "../supervisor/protocol";
import { LaunchError } from "../errors";
import { entryWorker } from "./entry";

/**
 * The longest pause between two looks at the listener (ms): the most the first
 * notified call of a command that ran quietly for a while can wait before the
 * Worker is even started.
 */
const LOOK_MAX_MS = 16;

type Message<T extends WorkerMessage["type"]> = Extract<WorkerMessage, { type: T }>;

/** The supervisor Worker, started once, on demand. */
export class SupervisorThread {
  private worker: Worker | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly ready = Promise.withResolvers<Message<"ready">>();
  private readonly done = Promise.withResolvers<Message<"done">>();
  private readonly fail = Promise.withResolvers<never>();
  /** Rejects if the Worker fails to load or its loop dies. */
  readonly failed: Promise<never> = this.fail.promise;

  /** `start` builds the Worker's start message; `onKill` carries out its kill requests and exit_wait_all changes. */
  constructor(private readonly start: () => StartMessage, private readonly onKill: (m: Message<"kill" | "wait">) => void) {
    this.failed.catch(() => {}); // observed by run() where it matters
  }

  /**
   * The Worker was created. Not "has said it is ready": that message can reach this
   * thread after the tree is gone, while the Worker has already answered (and reported) calls.
   */
  get started(): boolean {
    return this.worker !== null;
  }

  /** The Worker's thread id, once it runs (for SIGUSR1/2 tree requests). */
  get tid(): Promise<number> {
    return this.ready.promise.then((r) => r.tid);
  }

  /** Creates the Worker now, unless it exists. */
  startNow(): void {
    if (this.worker) return;
    this.stopLooking();
    const w = this.worker = entryWorker("supervisor/worker.ts");
    w.addEventListener("error", (e: any) => this.fail.reject(new LaunchError(`supervisor worker: ${e.message ?? e}`)));
    w.addEventListener("message", (ev: MessageEvent<WorkerMessage>) => {
      const m = ev.data;
      if (m.type === "ready") this.ready.resolve(m);
      else if (m.type === "done") this.done.resolve(m);
      else if (m.type === "kill" || m.type === "wait") this.onKill(m);
      else if (m.type === "fatal") this.fail.reject(new LaunchError(`supervisor failed: ${m.message}`));
    });
    // Posted before the Worker's script has run, the message waits for it.
    w.postMessage(this.start());
  }

  /**
   * Creates the Worker once a notification waits on `lfd`: looks now, then 1,
   * 2, 4... up to LOOK_MAX_MS apart. Stops looking when the listener hangs up.
   */
  startWhenNotified(L: Libc, lfd: number): void {
    const listener = new Listener(L, lfd);
    let pause = 0;
    const look = () => {
      this.timer = null;
      let w: Wake;
      try { w = listener.wait(0); } catch (e) { return this.fail.reject(new LaunchError(`supervisor failed: ${(e as Error).message}`)); }
      if (w === Wake.Notification) return this.startNow();
      if (w === Wake.Hangup) return;
      pause = Math.min(Math.max(1, pause * 2), LOOK_MAX_MS);
      this.timer = setTimeout(look, pause);
    };
    look();
  }

  /** Stops looking at the listener (the Worker, if started, runs on). */
  stopLooking(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resolves with the run's violations once the Worker has seen every tracee go; rejects if it failed. */
  async finished(): Promise<{ done: Message<"done">; ready: Message<"ready"> }> {
    const done = await Promise.race([this.done.promise, this.failed]);
    return { done, ready: await this.ready.promise };
  }

  /** Ends the Worker's thread (and any looking). */
  terminate(): void {
    this.stopLooking();
    this.worker?.terminate();
  }
}
