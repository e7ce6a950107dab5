/**
 * Installs sydbox under PREFIX, staged below DESTDIR, as `make install` would:
 *
 *   bun run scripts/install.ts [--prefix /usr/local] [--destdir DIR] [--uninstall]
 *
 * PREFIX/bin/sydbox and PREFIX/bin/sydfmt (the same file: the binary acts as
 * `sydbox fmt` under that name), the profiles in PREFIX/share/sydbox/, the
 * esandbox wrapper in PREFIX/share/sydbox/paludis/ (a directory for Paludis's
 * PALUDIS_EXTRA_EBUILD_MODULES_DIRS), the man pages and the bash completion.
 * Every file is written to a temporary name in its own directory and renamed
 * over the old one, so a running sydbox or a reader never sees half a file.
 * PREFIX/share/sydbox/MANIFEST lists what was installed; a reinstall removes the
 * files of the old manifest that the new one lacks, --uninstall removes exactly the
 * manifest's files (and the manifest), and nothing outside DESTDIR is touched.
 */
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { generatedFiles } from "./generate.ts";

const ROOT = join(import.meta.dir, "..");

/** What the command line asks for. */
export interface InstallOptions {
  prefix: string;
  destdir: string;
  uninstall: boolean;
  /** The built executable to install. */
  binary: string;
}

const USAGE = `usage: bun run scripts/install.ts [--prefix DIR] [--destdir DIR] [--binary FILE] [--uninstall]
  --prefix DIR    where sydbox will live on the target system (default /usr/local)
  --destdir DIR   stage the installation below DIR (default: none, install for real)
  --binary FILE   the executable to install (default dist/sydbox; run \`npm run build' first)
  --uninstall     remove the files listed in PREFIX/share/sydbox/MANIFEST
`;

export class InstallError extends Error {}

/** Parses the command line (`--opt value` or `--opt=value`). Throws InstallError on bad input. */
export function parseOptions(argv: readonly string[]): InstallOptions | "help" {
  const o: InstallOptions = { prefix: "/usr/local", destdir: "", uninstall: false, binary: join(ROOT, "dist/sydbox") };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") return "help";
    if (arg === "--uninstall") { o.uninstall = true; continue; }
    const m = /^--(prefix|destdir|binary)(?:=(.*))?$/.exec(arg);
    if (!m) throw new InstallError(`unknown option \`${arg}'`);
    // `--prefix --destdir X' is a missing value, not a prefix named --destdir.
    const value = m[2] ?? (argv[i + 1]?.startsWith("--") ? undefined : argv[++i]);
    if (value === undefined || value === "") throw new InstallError(`option --${m[1]} needs a value`);
    if (m[1] === "prefix") o.prefix = value;
    else if (m[1] === "destdir") o.destdir = value;
    else o.binary = value;
  }
  if (!isAbsolute(o.prefix)) throw new InstallError(`--prefix must be an absolute path, not \`${o.prefix}'`);
  // DESTDIR/PREFIX must stay below DESTDIR: no `..' may climb out of it.
  if (o.prefix.split("/").includes("..")) throw new InstallError(`--prefix must not contain \`..': \`${o.prefix}'`);
  if (o.destdir) o.destdir = resolve(o.destdir);
  return o;
}

/** One file to install: its path under PREFIX, its content (or the file to copy) and mode. */
interface Entry {
  path: string;
  mode: number;
  content?: string | Uint8Array;
  /** Install as a hard link to this other entry's path (same directory). */
  linkTo?: string;
}

/** Everything an installation holds, by path relative to PREFIX. */
export function entries(binary: string): Entry[] {
  if (!existsSync(binary)) throw new InstallError(`${binary} does not exist: run \`npm run build' first`);
  const out: Entry[] = [
    { path: "bin/sydbox", mode: 0o755, content: readFileSync(binary) },
    // The name Paludis's API-1 wrapper calls (`sydfmt exec -- CMD`): the same binary.
    { path: "bin/sydfmt", mode: 0o755, linkTo: "bin/sydbox" },
  ];
  const profiles = readdirSync(join(ROOT, "profiles")).filter((f) => /\.(syd-2|toml)$/.test(f)).sort();
  for (const f of profiles) out.push({ path: `share/sydbox/${f}`, mode: 0o644, content: readFileSync(join(ROOT, "profiles", f)) });
  out.push({ path: "share/sydbox/paludis/sydbox.bash", mode: 0o644, content: readFileSync(join(ROOT, "profiles/sydbox.bash")) });
  for (const [rel, text] of Object.entries(generatedFiles())) out.push({ path: `share/${rel}`, mode: 0o644, content: text });
  return out;
}

export const MANIFEST = "share/sydbox/MANIFEST";

/** Writes `data` to `path` atomically: a temporary file in the same directory, renamed over it. */
function writeAtomic(path: string, data: string | Uint8Array, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const tmp = join(dirname(path), `.${process.pid}.install.tmp`);
  try {
    writeFileSync(tmp, data, { mode, flag: "wx" });
    chmodSync(tmp, mode); // the umask must not decide an installed file's mode
    renameSync(tmp, path);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
}

/**
 * Hard-links `target` to `path` atomically (a temporary link renamed over it); on a
 * file system without hard links, copies it instead.
 */
function linkAtomic(target: string, path: string, mode: number): void {
  const tmp = join(dirname(path), `.${process.pid}.install.tmp`);
  try {
    linkSync(target, tmp);
    renameSync(tmp, path);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    if ((e as NodeJS.ErrnoException).code !== "EPERM") throw e;
    writeAtomic(path, readFileSync(target), mode);
  }
}

/** The manifest's entries (target-system paths), refusing any that could leave DESTDIR. */
function readManifest(path: string): string[] {
  const files = readFileSync(path, "utf8").split("\n").filter((l) => l !== "");
  for (const f of files) {
    if (!isAbsolute(f) || f.split("/").includes("..")) throw new InstallError(`${path}: refusing entry \`${f}'`);
  }
  return files;
}

/** Installs everything; returns the manifest's lines (target-system paths). */
export function install(o: InstallOptions): string[] {
  const root = join(o.destdir || "/", o.prefix);
  const list = entries(o.binary);
  // What an earlier installation put here: its files that this one no longer has go.
  const previous = existsSync(join(root, MANIFEST)) ? readManifest(join(root, MANIFEST)) : [];
  const manifest: string[] = [];
  for (const e of list) {
    const dest = join(root, e.path);
    if (e.linkTo) linkAtomic(join(root, e.linkTo), dest, e.mode);
    else writeAtomic(dest, e.content!, e.mode);
    manifest.push(join(o.prefix, e.path));
  }
  manifest.push(join(o.prefix, MANIFEST));
  writeAtomic(join(root, MANIFEST), manifest.join("\n") + "\n", 0o644);
  for (const f of previous) {
    const p = join(o.destdir || "/", f);
    if (!manifest.includes(f) && existsSync(p)) unlinkSync(p);
  }
  return manifest;
}

/** Removes the manifest's files (the manifest last), then our own directories if they are empty. */
export function uninstall(o: InstallOptions): string[] {
  const root = o.destdir || "/";
  const manifestPath = join(root, o.prefix, MANIFEST);
  if (!existsSync(manifestPath)) throw new InstallError(`no manifest at ${manifestPath}: nothing installed there`);
  const files = readManifest(manifestPath);
  const manifestEntry = join(o.prefix, MANIFEST);
  for (const f of [...files.filter((f) => f !== manifestEntry), manifestEntry]) {
    const p = join(root, f);
    if (existsSync(p)) unlinkSync(p);
  }
  for (const d of ["share/sydbox/paludis", "share/sydbox"]) {
    const p = join(root, o.prefix, d);
    if (existsSync(p) && readdirSync(p).length === 0) rmdirSync(p);
  }
  return files;
}

if (import.meta.main) {
  try {
    const o = parseOptions(process.argv.slice(2));
    if (o === "help") {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    const files = o.uninstall ? uninstall(o) : install(o);
    process.stdout.write(`${o.uninstall ? "removed" : "installed"} ${files.length} files${o.destdir ? ` under ${o.destdir}` : ""}:\n${files.map((f) => `  ${f}\n`).join("")}`);
  } catch (e) {
    if (!(e instanceof InstallError) && !(e instanceof Error && "code" in e)) throw e;
    process.stderr.write(`install.ts: ${(e as Error).message}\n`);
    if (e instanceof InstallError && /unknown option|needs a value|must/.test(e.message)) process.stderr.write(USAGE);
    process.exit(1);
  }
}
