/**
 * node:fs and node:os, loaded on first use. The first node: module a Bun runtime
 * loads costs it milliseconds: a Worker importing node:fs, node:tty, node:os and
 * node:path was ready 3.5 to 4 ms later than one importing none (measured side by
 * side, compiled). The supervisor Worker's start needs none of them, so the
 * modules it loads reach them only through here, from code that runs rarely or
 * late (a violation report, a magic command, a process-tree request, -d).
 */
let fs: typeof import("node:fs") | undefined;
let os: typeof import("node:os") | undefined;

/** node:fs, loaded by the first call. */
export function nodeFs(): typeof import("node:fs") {
  return (fs ??= require("node:fs") as typeof import("node:fs"));
}

/** node:os, loaded by the first call. */
export function nodeOs(): typeof import("node:os") {
  return (os ??= require("node:os") as typeof import("node:os"));
}
