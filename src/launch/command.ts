/**
 * Finds the program to execute the way a shell would, so that failures get the
 * shell's statuses: 127 for "command not found", 126 for "found but cannot run".
 */
import { AT, faccessat, S_IFDIR, S_IFMT, statx } from "../../ffi/at";
import { X_OK } from "../../ffi/constants";
import { SydError, Errno } from "../errors";

/** The command cannot be run; `status` is the exit status sydbox must return. */
export class CommandError extends SydError {
  constructor(message: string, readonly status: 126 | 127) {
    super(message, status === 127 ? Errno.ENOENT : Errno.EACCES);
  }
}

function check(path: string): "ok" | "missing" | "noexec" {
  // ffi/at.ts takes byte strings (latin1); the command line's strings are UTF-8.
  const bytes = Buffer.from(path).toString("latin1");
  const st = statx(AT.FDCWD, bytes, 0);
  if (typeof st === "number") return "missing";
  if ((st.mode & S_IFMT) === S_IFDIR) return "noexec";
  return faccessat(AT.FDCWD, bytes, X_OK) === 0 ? "ok" : "noexec";
}

/** Resolves `name` against `PATH` (from the command's environment) to an executable path. */
export function resolveCommand(name: string, pathVar: string | undefined): string {
  if (name === "") throw new CommandError("sydbox: : command not found", 127);
  if (name.includes("/")) {
    const c = check(name);
    if (c === "missing") throw new CommandError(`sydbox: ${name}: No such file or directory`, 127);
    if (c === "noexec") throw new CommandError(`sydbox: ${name}: Permission denied`, 126);
    return name;
  }
  let denied: string | null = null;
  for (const dir of (pathVar ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    const candidate = `${dir || "."}/${name}`;
    const c = check(candidate);
    if (c === "ok") return candidate;
    if (c === "noexec" && denied === null) denied = candidate;
  }
  if (denied !== null) throw new CommandError(`sydbox: ${name}: Permission denied`, 126);
  throw new CommandError(`sydbox: ${name}: command not found`, 127);
}
