/**
 * How the binary reaches itself and its extra entry points (build.ts), compiled or run
 * from source. A compiled binary names an embedded entry point by a plain specifier
 * relative to src/, which Bun maps to the embedded bundle; a URL built from
 * import.meta.url would point at the source tree on disk.
 */

/** Running as the compiled executable (its entry points live under /$bunfs/). */
export const COMPILED = Bun.main.startsWith("/$bunfs/");

/** The command that re-executes this binary: compiled binaries embed the script. */
export function selfCommand(): string[] {
  return COMPILED ? [process.execPath] : [process.execPath, Bun.main];
}

/** A Worker running extra entry point `path`, relative to src/ as build.ts lists it. */
export function entryWorker(path: string, options?: WorkerOptions): Worker {
  return COMPILED ? new Worker(`./${path}`, options) : new Worker(new URL(`../${path}`, import.meta.url).href, options);
}
