/** The one-shot resolutions' own logic; resolve.test.ts checks them against the exact walk. */
import { expect, test } from "bun:test";
import { lexical } from "../../src/path/fast.ts";

test("lexical folds `.`, `..` and empty components as the kernel names a symlink-free walk", () => {
  expect(lexical("/tmp/x/f")).toBe("/tmp/x/f");
  expect(lexical("/")).toBe("/");
  expect(lexical("//tmp//x/")).toBe("/tmp/x");
  expect(lexical("/tmp/./x/.")).toBe("/tmp/x");
  expect(lexical("/tmp/a/../x/..")).toBe("/tmp");
  expect(lexical("/../../etc")).toBe("/etc");
  // Names that only look like dot components are kept.
  expect(lexical("/tmp/.x/..y/...")).toBe("/tmp/.x/..y/...");
});
