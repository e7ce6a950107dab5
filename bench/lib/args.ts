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

/**
 * Checks the command line against what an entry point takes: `--help` prints
 * `usage` and exits 0; anything else unknown is an error naming it (exit 2),
 * rather than a long run that ignored it. `options` take a value.
 */
export function checkArgs(usage: string, flags: string[], options: string[], argv = process.argv.slice(2)): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") { console.log(usage); process.exit(0); }
    if (options.includes(a) && i + 1 < argv.length) { i++; continue; }
    if (flags.includes(a)) continue;
    const what = options.includes(a) ? `${a} needs a value` : `unknown option ${a}`;
    console.error(`bench: ${what}\n${usage}`);
    process.exit(2);
  }
}
