/** src/path/start.ts: where a resolution starts, and which /proc link targets can be resolved again by name. */
import { expect, test } from "bun:test";
import { readlinkSync } from "node:fs";
import { linkPath } from "../../src/path/start.ts";

test("linkPath keeps real paths and refuses errors, pipes, sockets, anonymous inodes and deleted files", () => {
  expect(linkPath(readlinkSync("/proc/self/cwd"))).toBe(process.cwd());
  expect(linkPath("/tmp/dir with spaces")).toBe("/tmp/dir with spaces");
  expect(linkPath(-2)).toBeNull();
  expect(linkPath("pipe:[12345]")).toBeNull();
  expect(linkPath("socket:[678]")).toBeNull();
  expect(linkPath("anon_inode:[eventfd]")).toBeNull();
  expect(linkPath("/tmp/gone (deleted)")).toBeNull();
});
