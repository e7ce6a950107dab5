/** The node:events subset commander runs on in the built binary (src/cli/emitter.ts, build.ts). */
import { expect, test } from "bun:test";
import { EventEmitter as NodeEmitter } from "node:events";
import { EventEmitter } from "../../src/cli/emitter";

type Emitter = { on(e: string, l: (...a: any[]) => void): unknown; emit(e: string, ...a: unknown[]): boolean; listenerCount(e: string): number };

/** The same script against both emitters: what each call returned and which listener saw what. */
function script(e: Emitter): unknown[] {
  const log: unknown[] = [];
  log.push(e.emit("x", 1), e.listenerCount("x"));
  e.on("x", function (this: unknown, v: number) { log.push(["first", v, this === e]); e.on("x", () => log.push("added during emit")); });
  e.on("x", (v: number, w: string) => log.push(["second", v, w]));
  log.push(e.listenerCount("x"), e.emit("x", 2, "b"), e.listenerCount("x"), e.emit("y"));
  return log;
}

test("on, emit and listenerCount behave as node:events' do", () => {
  const ours = script(new EventEmitter());
  expect(ours).toEqual(script(new NodeEmitter()));
  // And the script did exercise them: no listener, two in order, one added while emitting not run.
  expect(ours).toEqual([false, 0, ["first", 2, true], ["second", 2, "b"], 2, true, 3, false]);
});

test("on returns the emitter, so commander can chain it", () => {
  const e = new EventEmitter();
  expect(e.on("x", () => {})).toBe(e);
});
