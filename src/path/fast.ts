/**
 * The one-shot resolutions. First the symlink-free walk: a path the kernel walks with
 * RESOLVE_NO_SYMLINKS (which implies RESOLVE_NO_MAGICLINKS) names its object lexically, with
 * `.`, `..` and repeated slashes folded, so its canonical name needs no syscall of its own
 * (one openat2 and a close for most paths of a build). Any symlink on the way (ELOOP) or any
 * error falls through to the next resolution.
 *
 * Then the general one: let the kernel walk the whole path with openat2(O_PATH) and read the
 * canonical name back from /proc/self/fd/N. Three syscalls instead of one or two per component.
 *
 * It is only trusted when the kernel's walk in the supervisor is certainly the walk the tracee
 * would get. The two ways it can differ are both detectable:
 * - a magic link (/proc/PID/fd/N, cwd, exe...) followed as a plain string would lose the
 *   object: RESOLVE_NO_MAGICLINKS makes such walks fail, and failures go to the exact walk;
 * - /proc/self and /proc/thread-self name the supervisor here: any result containing our pid as a
 *   component goes to the exact walk (a directory that happens to be named like our pid only
 *   costs the slow path).
 * Any error, ENAMETOOLONG from readlink (deep paths) and anything unusual also go to the exact
 * walk, which decides the errno. `null` means "not answered here".
 */
import { Errno } from "../errors.ts";
import * as sys from "../../ffi/at.ts";
import { AT, O, RESOLVE } from "../../ffi/at.ts";
import { linkPath } from "./start.ts";
import { PATH_MAX, type ResolveMode, type ResolveResult } from "./types.ts";

const ownPid = `/${process.pid}/`;

// The canonical name of our fd, if it is one the fast path can vouch for.
function trustedName(fd: number): string | null {
  const s = linkPath(sys.readFdLink(fd));
  return s === null || (s + "/").includes(ownPid) ? null : s;
}

/**
 * `path` (absolute) as the kernel names what a walk without symlinks reaches: `.`, `..` and
 * empty components folded, `..` of the root the root.
 */
export function lexical(path: string): string {
  // The common case, nothing to fold: no "//", no "/." or "/.." component, no trailing slash.
  if (!NEEDS_FOLDING.test(path)) return path;
  const out: string[] = [];
  for (const c of path.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") out.pop();
    else out.push(c);
  }
  return "/" + out.join("/");
}
const NEEDS_FOLDING = /\/(?:\.\.?)?(?:\/|$)/;

/**
 * Try to resolve `path`, absolute (a relative path joined to the tracee's cwd, see start.ts), in
 * one kernel walk without symlinks. Returns null when that walk meets a symlink or fails.
 */
export function symlinkFreeResolve(path: string, mode: ResolveMode): ResolveResult | null {
  if (path.length >= PATH_MAX) return null;
  if (mode === "follow") {
    const fd = sys.openat2(AT.FDCWD, path, O.PATH | O.CLOEXEC, 0, RESOLVE.NO_SYMLINKS);
    if (fd < 0) return null;
    sys.close(fd);
    return { ok: true, path: lexical(path), exists: true };
  }
  const at = lastNameAt(path);
  if (at < 0) return null;
  const parent = at === 1 ? "/" : path.slice(0, at - 1);
  const dfd = sys.openat2(AT.FDCWD, parent, O.PATH | O.DIRECTORY | O.CLOEXEC, 0, RESOLVE.NO_SYMLINKS);
  if (dfd < 0) return null;
  try {
    return inDir(lexical(parent), dfd, path.slice(at), mode);
  } finally {
    sys.close(dfd);
  }
}

/**
 * Resolve `path`, relative, for a tracee whose cwd the kernel names `cwd` (start.ts cwdName).
 * A single name in the cwd (most creates and unlinks of a build) needs one readlink: its
 * directory is the cwd, already named. Anything else takes the one-shot resolutions from
 * the cwd's name, as an absolute path would. null: only the walk from the tracee's own cwd
 * can answer.
 */
export function cwdResolve(cwd: string, path: string, mode: ResolveMode): ResolveResult | null {
  const full = (cwd === "/" ? "" : cwd) + "/" + path;
  if (full.length >= PATH_MAX) return null;
  if (mode !== "follow" && lastNameAt(path) === 0) return inDir(cwd, AT.FDCWD, path, mode, full);
  return symlinkFreeResolve(full, mode) ?? fastResolve(AT.FDCWD, full, mode);
}

/**
 * Where the last name of a nofollow or missing-ok lookup starts (just after the last slash; 0
 * for a single name), or -1 where only the exact walk can answer: an empty path, a trailing
 * slash, or `.` or `..` as the last name.
 */
export function lastNameAt(path: string): number {
  const end = path.length;
  if (end === 0 || path.charCodeAt(end - 1) === 47) return -1;
  const at = path.lastIndexOf("/") + 1;
  const dots = end - at <= 2 && path.charCodeAt(end - 1) === 46 && (end - at === 1 || path.charCodeAt(at) === 46);
  return dots ? -1 : at;
}

/**
 * The result of a nofollow or missing-ok lookup of `last` in directory `dfd`, which the kernel
 * names `dir`; `lookup` is what to look up from `dfd` (`last` unless `dfd` is AT_FDCWD). null
 * where only the exact walk can answer: /proc/self and /proc/thread-self name the tracee, not
 * us, and see lastExists.
 */
function inDir(dir: string, dfd: number, last: string, mode: ResolveMode, lookup = last): ResolveResult | null {
  if (dir === "/proc" && (last === "self" || last === "thread-self")) return null;
  const exists = lastExists(dfd, lookup, mode);
  return typeof exists !== "boolean" ? null : { ok: true, path: (dir === "/" ? "" : dir) + "/" + last, exists };
}

/**
 * Does `last` exist in directory `dfd`, for a lookup that does not follow it (nofollow) or
 * follows only an existing target (missing-ok)? "symlink": one a missing-ok lookup would
 * follow; null: an error. Only the exact walk can judge either.
 */
export function lastExists(dfd: number, last: string, mode: ResolveMode): boolean | "symlink" | null {
  const r = sys.readlinkat(dfd, last);
  if (r === -Errno.EINVAL) return true; // exists, not a symlink
  if (r === -Errno.ENOENT) return false;
  if (typeof r === "string") return mode === "nofollow" ? true : "symlink";
  return null;
}

/**
 * Try to resolve `path` in one kernel walk from `dirfd` (an fd of ours, or AT_FDCWD for an
 * absolute path). Returns the result, or null when only the exact walk can answer.
 */
export function fastResolve(dirfd: number, path: string, mode: ResolveMode): ResolveResult | null {
  if (mode === "follow") {
    const fd = sys.openat2(dirfd, path, O.PATH | O.CLOEXEC, 0, RESOLVE.NO_MAGICLINKS);
    if (fd < 0) return null;
    const s = trustedName(fd);
    sys.close(fd);
    return s === null ? null : { ok: true, path: s, exists: true };
  }

  // nofollow / missing-ok: resolve the directory in one walk, then look at the last name alone.
  const at = lastNameAt(path);
  if (at < 0) return null;
  let dfd = dirfd;
  if (at > 0) {
    dfd = sys.openat2(dirfd, at === 1 ? "/" : path.slice(0, at - 1), O.PATH | O.DIRECTORY | O.CLOEXEC, 0, RESOLVE.NO_MAGICLINKS);
    if (dfd < 0) return null;
  } else if (dirfd === AT.FDCWD) {
    return null; // a relative path always comes with a real start fd
  }
  try {
    const dir = trustedName(dfd);
    return dir === null ? null : inDir(dir, dfd, path.slice(at), mode);
  } finally {
    if (dfd !== dirfd) sys.close(dfd);
  }
}
