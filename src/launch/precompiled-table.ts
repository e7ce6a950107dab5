/**
 * Filters compiled when the executable was built (build.ts replaces this file's
 * contents in the bundle): key (precompiled.ts) to the base64 of the program.
 * Empty when sydbox runs from source: every filter is then compiled at start.
 */
export const PRECOMPILED: Readonly<Record<string, string>> = {};
