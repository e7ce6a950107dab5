/**
 * node:fs, node:os and node:path, loaded on first use. The first node: module a
 * Bun runtime loads costs it milliseconds (bench/README.md, start-up costs). No
 * runtime on the way to the command's start needs them (parent, child stage,
 * supervisor Worker), so sydbox's modules
 * reach them only through here, from code that runs rarely or late (a violation
 * report, a magic command, a configuration file, -d, learn, a kill).
 */
let fs: typeof import("node:fs") | undefined;
let os: typeof import("node:os") | undefined;
let path: typeof import("node:path") | undefined;

/** node:fs, loaded by the first call. */
export function nodeFs(): typeof import("node:fs") {
  return (fs ??= require("node:fs") as typeof import("node:fs"));
}

/** node:os, loaded by the first call. */
export function nodeOs(): typeof import("node:os") {
  return (os ??= require("node:os") as typeof import("node:os"));
}

/** node:path, loaded by the first call. */
export function nodePath(): typeof import("node:path") {
  return (path ??= require("node:path") as typeof import("node:path"));
}
