/**
 * Where a tracee's relative path starts: its cwd or one of its fds, seen through /proc.
 *
 * Opening /proc/PID/task/TID/cwd or .../fd/N follows a magic link, so the fd we get is the
 * tracee's own directory object even when its name is longer than PATH_MAX, moved, or reachable
 * only through a bind mount. The thread's entry is used because seccomp reports the calling
 * thread, and a thread may have unshared its cwd or fd table.
 */
import { Errno } from "../errors.ts";
import * as sys from "../../ffi/at.ts";
import { AT, O } from "../../ffi/at.ts";
import type { Tracee } from "./walk.ts";

/** AT_FDCWD as the raw syscall argument. */
export const AT_FDCWD = AT.FDCWD;

/** The dirfd argument: "cwd" (or AT_FDCWD) or the tracee's fd number. */
export type DirFd = number | "cwd";

function procEntry(t: Tracee, dirfd: DirFd): string | number {
  const base = t.tid === t.pid ? `/proc/${t.pid}` : `/proc/${t.pid}/task/${t.tid}`;
  if (dirfd === "cwd" || dirfd === AT.FDCWD) return `${base}/cwd`;
  // Negative values other than AT_FDCWD, and anything not an int, are never open fds.
  if (!Number.isInteger(dirfd) || dirfd < 0 || dirfd > 0x7fffffff) return -Errno.EBADF;
  return `${base}/fd/${dirfd}`;
}

/**
 * Open (O_PATH, ours to close) the tracee's cwd or fd `dirfd`. With `needDir`, a non-directory
 * fails with ENOTDIR, as a relative lookup from it would. Errors: EBADF for a closed or invalid
 * fd, ESRCH if the thread is gone, ENOTDIR.
 */
export function openStart(t: Tracee, dirfd: DirFd, needDir: boolean): number {
  const p = procEntry(t, dirfd);
  if (typeof p === "number") return p;
  const fd = sys.openat(AT.FDCWD, p, O.PATH | O.CLOEXEC | (needDir ? O.DIRECTORY : 0));
  if (fd !== -Errno.ENOENT) return fd;
  // ENOENT: either the fd is not open, or the thread itself has exited.
  const alive = sys.openat(AT.FDCWD, `/proc/${t.pid}/task/${t.tid}`, O.PATH | O.CLOEXEC);
  if (alive < 0) return -Errno.ESRCH;
  sys.close(alive);
  return dirfd === "cwd" || dirfd === AT.FDCWD ? -Errno.ENOENT : -Errno.EBADF;
}

/**
 * The thread's cwd by the kernel's name for it (readlink of its /proc cwd link), when that
 * name can stand for it: absolute and not deleted. null otherwise (thread gone, cwd deleted
 * or unreachable): the caller then opens the cwd itself (openStart), which names every error.
 */
export function cwdName(t: Tracee): string | null {
  return linkPath(sys.readlinkat(AT.FDCWD, procEntry(t, "cwd") as string));
}

/**
 * A /proc fd or cwd link's target (or the readlink's -errno) as a path that can
 * be resolved again by name; null for an error, a pipe, socket or anonymous
 * inode (`pipe:[…]`), or a deleted file (` (deleted)`).
 */
export function linkPath(s: string | number): string | null {
  return typeof s === "number" || s.charCodeAt(0) !== 47 || s.endsWith(" (deleted)") ? null : s;
}

/** The name a tracee fd without a path (pipe, socket, unlinked file) is checked under. */
export function fdLinkName(t: Tracee, dirfd: DirFd): string {
  return dirfd === "cwd" || dirfd === AT.FDCWD ? `/proc/${t.pid}/cwd` : `/proc/${t.pid}/fd/${dirfd}`;
}
