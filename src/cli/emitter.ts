/**
 * The part of node:events that commander uses (on, emit, listenerCount). Bun's
 * node:events costs a runtime about 1 ms to load, on the path of every
 * `sydbox -- cmd`; build.ts gives commander this class instead.
 */
type Listener = (...args: unknown[]) => void;

/** An event emitter with node:events' semantics for on, emit and listenerCount. */
export class EventEmitter {
  #listeners = new Map<string | symbol, Listener[]>();

  /** Adds `listener` for `event`, after those already added. */
  on(event: string | symbol, listener: Listener): this {
    const list = this.#listeners.get(event);
    if (list) list.push(listener);
    else this.#listeners.set(event, [listener]);
    return this;
  }

  /** Calls the listeners of `event` in order with `args`; false if it had none. */
  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = this.#listeners.get(event);
    if (!list) return false;
    // A copy, as node:events does: a listener that adds listeners does not run them now.
    for (const l of [...list]) l.apply(this, args);
    return true;
  }

  /** How many listeners `event` has. */
  listenerCount(event: string | symbol): number {
    return this.#listeners.get(event)?.length ?? 0;
  }
}
