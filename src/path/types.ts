/**
 * The vocabulary of path resolution shared by the resolver modules and its callers.
 */

/**
 * How the last path component is treated. Every earlier component is always followed and must
 * exist as a directory (or a symlink to one). A trailing slash forces the last component to be
 * followed and to be a directory in every mode, as in the kernel's lookup.
 *
 * - `follow`: the last component is followed and must exist (ENOENT otherwise, including a
 *   dangling symlink). For open without O_CREAT, stat, access, execve, chmod, chown, truncate,
 *   utimes, setxattr, listxattr, the at-calls without AT_SYMLINK_NOFOLLOW, link's old path with
 *   AT_SYMLINK_FOLLOW.
 * - `nofollow`: the last component is not followed and may be missing (`exists: false`). For
 *   lstat, lchown, lsetxattr, AT_SYMLINK_NOFOLLOW, O_NOFOLLOW, unlink, rmdir, rename (both paths),
 *   link's new path, symlink's link path, mkdir, mknod, and O_CREAT|O_EXCL (which never follow
 *   the last component: they fail with EEXIST on any existing name, dangling symlinks included).
 * - `missing-ok`: the last component is followed if it is a symlink, and may be missing. For
 *   creat and O_CREAT without O_EXCL: through a dangling symlink the kernel creates the symlink's
 *   *target*, so the result is the target's path (`exists: false`), which is what a write check
 *   must see. All directories on the way, including those of the symlink target, must exist.
 *
 * Errors are those of the lookup. Syscall-specific refusals that happen before or after it are
 * the caller's to add: O_CREAT with a trailing slash is EISDIR, mkdir of an existing name EEXIST,
 * O_CREAT on a directory EISDIR, and so on.
 */
export type ResolveMode = "follow" | "nofollow" | "missing-ok";

/** Extra inputs of {@link resolvePath}. */
export interface ResolveOptions {
  /**
   * The calling thread's id (seccomp_notif.pid is a thread id). Used for /proc/thread-self and to
   * read the thread's own cwd and fd table (threads may unshare them). Defaults to `pid`.
   */
  tid?: number;
  /** AT_EMPTY_PATH was given: an empty path means the dirfd itself (or the cwd for AT_FDCWD). */
  emptyPath?: boolean;
  /**
   * Skip the one-shot openat2 fast path and walk component by component. For tests that check
   * both strategies agree; callers have no reason to set it.
   */
  slowOnly?: boolean;
}

/**
 * The outcome of a resolution. `path` is absolute and canonical (no `.`, `..`, symlinks or
 * repeated slashes), a latin1 string that may be longer than PATH_MAX. `exists` is false only in
 * `nofollow` and `missing-ok` modes, when the (possibly symlink-redirected) last component is
 * absent. Failures carry the errno the kernel would return for the same lookup.
 */
export type ResolveResult =
  | { ok: true; path: string; exists: boolean }
  | { ok: false; errno: number };

/** PATH_MAX: the kernel refuses a path argument of this many bytes or more (ENAMETOOLONG). */
export const PATH_MAX = 4096;

/** The kernel's MAXSYMLINKS: the 41st symlink in one lookup fails with ELOOP. */
export const MAX_SYMLINKS = 40;
