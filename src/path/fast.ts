/**
 * The one-shot resolution: let the kernel walk the whole path with openat2(O_PATH) and read the
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
import type { ResolveMode, ResolveResult } from "./types.ts";

const ownPid = `/${process.pid}/`;

// The canonical name of our fd, if it is one the fast path can vouch for.
function trustedName(fd: number): string | null {
  const s = sys.readFdLink(fd);
  if (typeof s === "number" || s.charCodeAt(0) !== 47) return null;
  if (s.endsWith(" (deleted)")) return null;
  if ((s + "/").includes(ownPid)) return null;
  return s;
}

/**
 * Try to resolve `path` in one kernel walk from `dirfd` (an fd of ours, or AT_FDCWD for an
 * absolute path). Returns the result, or null when only the exact walk can answer.
 */
export function fastResolve(dirfd: number, path: string, mode: ResolveMode): ResolveResult | null {
  if (mode === "follow") {
    const fd = sys.openat2(dirfd, path, O.PATH | O.CLOEXEC, RESOLVE.NO_MAGICLINKS);
    if (fd < 0) return null;
    const s = trustedName(fd);
    sys.close(fd);
    return s === null ? null : { ok: true, path: s, exists: true };
  }

  // nofollow / missing-ok: resolve the directory in one walk, then look at the last name alone.
  const end = path.length;
  if (end === 0 || path.charCodeAt(end - 1) === 47) return null; // trailing slash: rare, exact walk
  const cut = path.lastIndexOf("/");
  const last = path.slice(cut + 1);
  if (last === "." || last === "..") return null;

  let dfd = dirfd;
  if (cut >= 0) {
    dfd = sys.openat2(dirfd, cut === 0 ? "/" : path.slice(0, cut), O.PATH | O.DIRECTORY | O.CLOEXEC, RESOLVE.NO_MAGICLINKS);
    if (dfd < 0) return null;
  } else if (dirfd === AT.FDCWD) {
    return null; // a relative path always comes with a real start fd
  }
  try {
    const dir = trustedName(dfd);
    if (dir === null) return null;
    if (dir === "/proc" && (last === "self" || last === "thread-self")) return null;
    const r = sys.readlinkat(dfd, last);
    let exists: boolean;
    if (r === -Errno.EINVAL) exists = true; // exists, not a symlink
    else if (r === -Errno.ENOENT) exists = false;
    else if (typeof r === "string" && mode === "nofollow") exists = true;
    else return null; // a symlink to follow (missing-ok) or an error: exact walk
    return { ok: true, path: (dir === "/" ? "" : dir) + "/" + last, exists };
  } finally {
    if (dfd !== dirfd) sys.close(dfd);
  }
}
