/** Test helper: runs `fn`, asserts it throws a ConfigError, and returns it. */
import { expect } from "bun:test";
import { ConfigError } from "../../src/errors.ts";

export function caught(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("no error");
}
