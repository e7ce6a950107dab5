/**
 * resolvePath: the path a tracee's syscall argument names, resolved the way the kernel will
 * resolve it for that tracee, as an absolute canonical latin1 string for policy matching.
 *
 * Strategy: the kernel answers in one openat2 walk when it safely can (fast.ts): without
 * symlinks, from "/" or from the name of the tracee's cwd, which then names the result with no
 * further syscall; or through symlinks, read back from our fd's /proc link. Otherwise, and
 * for every error, an exact component walk on directory fds decides (walk.ts). There is no
 * cache: the filesystem changes under the tracee between calls, and a stale answer here is a
 * sandbox escape, while a fresh answer costs a few microseconds.
 *
 * Assumptions (documented limitations): the tracee shares the supervisor's mount namespace and
 * root (/proc/PID/root is "/"), and procfs is mounted at /proc. A tracee that chroots or unshares
 * its mount namespace sees other paths than the ones computed here, which is why the filter
 * refuses chroot, pivot_root, setns and new namespaces unless core/trust/namespaces is set
 * (src/launch/namespaces.ts).
 * Like every seccomp-notify supervisor, the answer describes the filesystem at the time of the
 * call; the tracee (or another process) may change it before the kernel repeats the lookup.
 */
import { Errno } from "../errors.ts";
import { cwdResolve, fastResolve, symlinkFreeResolve } from "./fast.ts";
import { fdPath } from "./fdpath.ts";
import * as sys from "../../ffi/at.ts";
import { cwdName, type DirFd, fdLinkName, openStart } from "./start.ts";
import { PATH_MAX, type ResolveMode, type ResolveOptions, type ResolveResult } from "./types.ts";
import { root, type Tracee, walk } from "./walk.ts";

export type { DirFd } from "./start.ts";
export type { ResolveMode, ResolveOptions, ResolveResult } from "./types.ts";

function fail(errno: number): ResolveResult {
  return { ok: false, errno };
}

/**
 * Resolve `path` as tracee thread `opts.tid` (default `pid`) of process `pid` would in a syscall
 * with directory argument `dirfd` ("cwd" or -100 for AT_FDCWD, otherwise the tracee's fd number;
 * ignored for absolute paths, as by the kernel).
 *
 * `path` is the raw argument as a latin1 string (bytes up to the first NUL). Semantics:
 * - relative paths start at the thread's cwd or at `dirfd`; absolute ones at "/";
 * - symlinks are followed on every component but the last, which `mode` governs (see
 *   {@link ResolveMode}); `..` applies to where symlinks led, not to the text;
 * - /proc/self and /proc/thread-self mean the tracee (/proc/PID, /proc/PID/task/TID), whether
 *   written or reached through a symlink (/dev/fd, /dev/stdin, /proc/mounts...);
 * - magic links (/proc/PID/fd/N, cwd, exe, root...) resolve to the object they designate; one
 *   designating a pipe, socket or unlinked file resolves to the link's own path;
 * - an empty path fails with ENOENT, unless `opts.emptyPath` (AT_EMPTY_PATH): then it names
 *   `dirfd` itself (a path-less fd is named /proc/PID/fd/N).
 *
 * Errors, as the kernel reports them: ENAMETOOLONG (argument of PATH_MAX bytes or more, or a
 * component longer than the filesystem allows), ENOENT (missing component; missing last component
 * in `follow` mode), ENOTDIR (a non-directory used as one, including a non-directory `dirfd` with
 * a relative path), ELOOP (more than 40 symlinks), EBADF (`dirfd` not open or invalid), EACCES
 * (search permission denied to the supervisor), ESRCH (the thread is gone).
 */
export function resolvePath(pid: number, dirfd: DirFd, path: string, mode: ResolveMode, opts: ResolveOptions = {}): ResolveResult {
  const t: Tracee = { pid, tid: opts.tid ?? pid };
  const nul = path.indexOf("\0");
  if (nul >= 0) path = path.slice(0, nul);
  if (path.length >= PATH_MAX) return fail(Errno.ENAMETOOLONG);
  if (path.length === 0) return opts.emptyPath ? resolveFd(t, dirfd) : fail(Errno.ENOENT);

  if (path.charCodeAt(0) === 47 /* / */) {
    if (!opts.slowOnly) {
      const r = symlinkFreeResolve(path, mode) ?? fastResolve(sys.AT.FDCWD, path, mode);
      if (r !== null) return r;
    }
    return walk(t, root(), path, mode);
  }

  if (!opts.slowOnly && (dirfd === "cwd" || dirfd === sys.AT.FDCWD)) {
    const cwd = cwdName(t);
    const r = cwd === null ? null : cwdResolve(cwd, path, mode);
    if (r !== null) return r;
  }

  const fd = openStart(t, dirfd, true);
  if (fd < 0) return fail(-fd);
  try {
    if (!opts.slowOnly) {
      const r = fastResolve(fd, path, mode);
      if (r !== null) return r;
    }
    const p = fdPath(fd);
    if (typeof p === "number") return fail(-p);
    // An anon object cannot be a directory; a deleted directory keeps its former name, under
    // which the kernel still answers `..` (and ENOENT for everything else).
    if (p.kind === "anon") return fail(Errno.ENOTDIR);
    return walk(t, { fd, path: p.path === "/" ? "" : p.path }, path, mode);
  } finally {
    sys.close(fd);
  }
}

// AT_EMPTY_PATH: the call operates on the fd itself, so its name is the answer.
function resolveFd(t: Tracee, dirfd: DirFd): ResolveResult {
  const fd = openStart(t, dirfd, false);
  if (fd < 0) return fail(-fd);
  try {
    const p = fdPath(fd);
    if (typeof p === "number") return fail(-p);
    if (p.kind !== "path") return { ok: true, path: fdLinkName(t, dirfd), exists: true };
    return { ok: true, path: p.path, exists: true };
  } finally {
    sys.close(fd);
  }
}
