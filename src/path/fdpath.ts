/**
 * The absolute path of an fd the supervisor holds, as the kernel names it.
 *
 * One readlink of /proc/self/fd/N is enough almost always. It fails with ENAMETOOLONG when the
 * path is longer than PATH_MAX (a tracee's cwd can be that deep: SydBox's use_toolong_hack); then
 * we climb with `..` and find each directory's name in its parent, as getcwd did before the
 * kernel offered it, until the remaining ancestor is short enough for readlink again.
 */
import { Errno } from "../errors.ts";
import * as sys from "../../ffi/at.ts";
import { AT, O } from "../../ffi/at.ts";

/**
 * What an fd refers to: a named file (`path`), an object without a path (pipe, socket,
 * anon_inode, nsfs: `anon`), or a file whose name was unlinked (`deleted`, with its former path).
 */
export type FdPath = { kind: "path"; path: string } | { kind: "anon" } | { kind: "deleted"; path: string };

const DELETED = " (deleted)";

/** Name the object behind our fd `fd`: an {@link FdPath}, or -errno. */
export function fdPath(fd: number): FdPath | number {
  const r = sys.readFdLink(fd);
  if (typeof r === "number") return r === -Errno.ENAMETOOLONG ? longDirPath(fd) : r;
  if (r.charCodeAt(0) !== 47 /* / */) return { kind: "anon" };
  if (r.endsWith(DELETED)) return deletedOrNamed(fd, r);
  return { kind: "path", path: r };
}

// d_path() appends " (deleted)" to unlinked names, but a file may really be called that: it is
// deleted unless the literal name still leads to the same inode.
function deletedOrNamed(fd: number, r: string): FdPath {
  const a = sys.statx(fd, "", AT.EMPTY_PATH);
  const b = sys.statx(AT.FDCWD, r, AT.SYMLINK_NOFOLLOW);
  if (typeof a !== "number" && typeof b !== "number" && sameFile(a, b)) return { kind: "path", path: r };
  return { kind: "deleted", path: r.slice(0, -DELETED.length) };
}

function sameFile(a: sys.StatxInfo, b: sys.StatxInfo): boolean {
  return a.ino === b.ino && a.devMajor === b.devMajor && a.devMinor === b.devMinor;
}

/** Bound on the climb: a path shorter than PATH_MAX per step always makes progress well before. */
const MAX_CLIMB = 65536;

// Only directories can be climbed (a file fd has no `..`), which covers the case that matters: a
// deep cwd or dirfd. A deep non-directory fd reports ENAMETOOLONG.
function longDirPath(fd: number): FdPath | number {
  let cur = sys.openat(fd, ".", O.PATH | O.DIRECTORY | O.CLOEXEC);
  if (cur < 0) return cur === -Errno.ENOTDIR ? -Errno.ENAMETOOLONG : cur;
  const names: string[] = [];
  try {
    for (let i = 0; i < MAX_CLIMB; i++) {
      const st = sys.statx(cur, "", AT.EMPTY_PATH);
      if (typeof st === "number") return st;
      const parent = sys.openat(cur, "..", O.RDONLY | O.DIRECTORY | O.CLOEXEC);
      if (parent < 0) return parent;
      const name = nameIn(parent, st);
      sys.close(cur);
      cur = parent;
      if (typeof name === "number") return name;
      names.push(name);
      const r = sys.readFdLink(cur);
      if (typeof r === "string") {
        if (r.charCodeAt(0) !== 47) return -Errno.ENOENT;
        return { kind: "path", path: (r === "/" ? "" : r) + "/" + names.reverse().join("/") };
      }
      if (r !== -Errno.ENAMETOOLONG) return r;
    }
    return -Errno.ENAMETOOLONG;
  } finally {
    sys.close(cur);
  }
}

// The entry of directory `dirfd` that is the inode `child`. getdents' d_ino is the fast match; at
// a mount point it is the covered inode, not the mounted root, so directories are then stat'ed.
function nameIn(dirfd: number, child: sys.StatxInfo): string | number {
  const dirs: string[] = [];
  for (;;) {
    const batch = sys.getdents(dirfd);
    if (typeof batch === "number") return batch;
    if (batch.length === 0) break;
    for (const e of batch) {
      if (e.name === "." || e.name === "..") continue;
      if (e.ino === child.ino) {
        const st = sys.statx(dirfd, e.name, AT.SYMLINK_NOFOLLOW);
        if (typeof st !== "number" && sameFile(st, child)) return e.name;
      }
      if (e.type === 4 /* DT_DIR */ || e.type === 0 /* DT_UNKNOWN */) dirs.push(e.name);
    }
  }
  for (const name of dirs) {
    const st = sys.statx(dirfd, name, AT.SYMLINK_NOFOLLOW);
    if (typeof st !== "number" && sameFile(st, child)) return name;
  }
  // The directory was moved or removed while we climbed.
  return -Errno.ENOENT;
}
