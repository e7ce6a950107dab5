/** Command-line options shared by the bench entry points. */

/** The value after `--name` in process.argv, if any. */
export function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Whether `--name` is on the command line. */
export function flag(name: string): boolean {
  return process.argv.includes(name);
}

/** `--rounds N` as a positive integer, else the default. */
export function rounds(fallback: number): number {
  return Math.max(1, Number(option("--rounds") ?? fallback) || fallback);
}
