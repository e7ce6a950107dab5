/**
 * The exact path walk: one component at a time on O_PATH directory fds, like the kernel's
 * link_path_walk, with the tracee's view of /proc/self substituted.
 *
 * Why not realpath(): it resolves /proc/self to the supervisor, cannot say "last component
 * missing but its directory exists", and builds strings the kernel refuses beyond PATH_MAX. With
 * fds, every lookup is relative to an already-resolved directory, so depth is unlimited and `..`
 * is answered by the kernel itself (mount crossings included) after symlink expansion.
 */
import { Errno } from "../errors.ts";
import { fdPath } from "./fdpath.ts";
import * as sys from "../../ffi/at.ts";
import { O } from "../../ffi/at.ts";
import { MAX_SYMLINKS, type ResolveMode, type ResolveResult } from "./types.ts";

/** Who is resolving: the tracee's thread group and thread ids. */
export interface Tracee {
  pid: number;
  tid: number;
}

/** Where a walk starts: a directory fd (not owned by the walk) and its canonical path ("" = /). */
export interface WalkStart {
  fd: number;
  path: string;
}

const DIR_FLAGS = O.PATH | O.NOFOLLOW | O.DIRECTORY | O.CLOEXEC;

let rootFd = -1;
/** An O_PATH fd on "/", opened once: absolute symlinks restart there. */
export function root(): WalkStart {
  if (rootFd < 0) rootFd = sys.openat(sys.AT.FDCWD, "/", O.PATH | O.DIRECTORY | O.CLOEXEC);
  return { fd: rootFd, path: "" };
}

function fail(errno: number): ResolveResult {
  return { ok: false, errno };
}
function done(path: string, exists: boolean): ResolveResult {
  return { ok: true, path: path === "" ? "/" : path, exists };
}

/**
 * Resolve `path` (relative, or absolute: leading slashes are skipped) from `start` in `mode`.
 * Absolute paths must be given `root()` as start.
 */
export function walk(t: Tracee, start: WalkStart, path: string, mode: ResolveMode): ResolveResult {
  let cur = start.fd;
  let owned = false; // whether `cur` is ours to close (start and root fds are not)
  let cpath = start.path;
  let rest = path;
  let links = 0;

  const moveTo = (fd: number, p: string) => {
    if (owned) sys.close(cur);
    cur = fd;
    owned = fd !== start.fd && fd !== rootFd;
    cpath = p;
  };

  try {
    for (;;) {
      // Split the next component off `rest`, noting whether slashes follow it (a trailing slash
      // on the last component makes it "must be a directory, follow it").
      let i = 0;
      while (i < rest.length && rest.charCodeAt(i) === 47) i++;
      if (i === rest.length) return done(cpath, true);
      let j = rest.indexOf("/", i);
      if (j < 0) j = rest.length;
      let k = j;
      while (k < rest.length && rest.charCodeAt(k) === 47) k++;
      const name = rest.slice(i, j);
      const slash = j < rest.length;
      const last = k === rest.length;
      rest = rest.slice(k);

      if (name === ".") continue;
      if (name === "..") {
        if (cpath === "") continue; // `..` of the root is the root
        const fd = sys.openat(cur, "..", O.PATH | O.DIRECTORY | O.CLOEXEC);
        if (fd < 0) return fail(-fd);
        moveTo(fd, cpath.slice(0, cpath.lastIndexOf("/")));
        continue;
      }

      let target: string;
      if (cpath === "/proc" && (name === "self" || name === "thread-self")) {
        // Reading these links here would name the supervisor: answer for the tracee instead.
        // Mapped even when the mode does not follow the last component, so that /proc/self
        // always reads as /proc/PID.
        target = name === "self" ? `${t.pid}` : `${t.pid}/task/${t.tid}`;
      } else if (!last || slash) {
        const fd = sys.openat(cur, name, DIR_FLAGS);
        if (fd >= 0) {
          moveTo(fd, cpath + "/" + name);
          continue;
        }
        if (fd === -Errno.ENOENT && last && mode !== "follow") return done(cpath + "/" + name, false);
        if (fd !== -Errno.ENOTDIR) return fail(-fd);
        // Not a directory: a symlink to expand, or a genuine ENOTDIR.
        const r = readLink(cur, cpath, name);
        if (typeof r === "number") return fail(r === -Errno.EINVAL ? Errno.ENOTDIR : -r);
        target = r;
      } else {
        // Last component, no trailing slash: one readlinkat tells missing / symlink / other.
        const r = readLink(cur, cpath, name);
        if (r === -Errno.EINVAL) return done(cpath + "/" + name, true);
        if (r === -Errno.ENOENT) return mode === "follow" ? fail(Errno.ENOENT) : done(cpath + "/" + name, false);
        if (typeof r === "number") return fail(-r);
        if (mode === "nofollow") return done(cpath + "/" + name, true);
        target = r;
      }

      if (++links > MAX_SYMLINKS) return fail(Errno.ELOOP);

      if (isMagicLink(cpath, target)) {
        // A /proc/PID/{cwd,root,exe,fd/N,...} link: the kernel jumps to the object itself rather
        // than re-resolving the text, so we open through it (it names the tracee's object even
        // when the supervisor opens it) and ask the fd for its name.
        const needDir = !last || slash;
        const fd = sys.openat(cur, name, O.PATH | O.CLOEXEC | (needDir ? O.DIRECTORY : 0));
        if (fd < 0) return fail(-fd);
        const p = fdPath(fd);
        if (typeof p === "number") {
          sys.close(fd);
          return fail(-p);
        }
        if (p.kind !== "path") {
          // A pipe, socket or unlinked file has no name to check: the link itself is the name.
          sys.close(fd);
          if (needDir) return fail(p.kind === "anon" ? Errno.ENOTDIR : Errno.ENOENT);
          return done(cpath + "/" + name, true);
        }
        moveTo(fd, p.path === "/" ? "" : p.path);
        continue;
      }

      if (target.length === 0) return fail(Errno.ENOENT);
      if (target.charCodeAt(0) === 47) {
        const r = root();
        moveTo(r.fd, r.path);
      }
      // The link body takes the link's place; the link's own trailing slash stays with it.
      rest = rest.length > 0 ? target + "/" + rest : slash ? target + "/" : target;
    }
  } finally {
    if (owned) sys.close(cur);
  }
}

// A magic link whose object's name exceeds PATH_MAX cannot be read (ENAMETOOLONG) but can still
// be opened through; report it as an absolute target so that it takes the magic-link route.
function readLink(dirfd: number, dir: string, name: string): string | number {
  const r = sys.readlinkat(dirfd, name);
  if (r === -Errno.ENAMETOOLONG && dir.startsWith("/proc/")) return "/";
  return r;
}

// Inside /proc, ordinary symlinks (self, thread-self, mounts -> self/mounts, net -> self/net) are
// relative; the magic ones read as an absolute path or as `type:[id]` (pipe:, socket:, net:,
// anon_inode:...).
function isMagicLink(dir: string, target: string): boolean {
  if (!dir.startsWith("/proc/")) return false;
  if (target.charCodeAt(0) === 47) return true;
  const colon = target.indexOf(":");
  return colon > 0 && !target.slice(0, colon).includes("/");
}
