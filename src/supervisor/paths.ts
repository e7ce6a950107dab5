/**
 * The path engine's decoders (path-engine.ts): what a call of a row with path
 * arguments asks for, from its flag arguments, and how each path resolves as
 * the kernel will resolve it.
 */
import { O_ACCMODE, O_CREAT, O_EXCL, O_TMPFILE_BIT, O_TRUNC, openFlags, R_OK, RESOLVE, W_OK, X_OK, type OpenFlags } from "../../ffi/constants";
import { Errno } from "../errors";
import * as at from "../../ffi/at";
import { resolvePath, type DirFd } from "../path/resolve";
import { lastExists, lastNameAt } from "../path/fast";
import { openStart } from "../path/start";
import type { ResolveMode } from "../path/types";
import type { PathArg, SyscallRow } from "../syscalls/table";
import type { CallView } from "./call";

const OPEN_HOW_SIZE = 24;

/** What a call asks for, once its flags are read: the categories to check and how its paths resolve. */
export interface PathRequest {
  readonly categories: ReadonlyArray<"read" | "write" | "exec">;
  /** Overrides the row's resolve mode for the first path (open flags decide it). */
  mode?: ResolveMode;
  /** Denials answer EACCES (exec and access) instead of EPERM. */
  eacces: boolean;
  /** openat2's RESOLVE_* flags (open_how.resolve), for the first path. */
  resolve?: number;
  /** openat2's struct open_how as checked (emulation opens with these, never a re-read). */
  how?: { flags: number; mode: number; high: number };
}


/** Every request a flag-only decoder can return, built once: decoding allocates nothing. */
const req = (categories: Array<"read" | "write" | "exec">, eacces: boolean, mode?: ResolveMode): PathRequest =>
  Object.freeze({ categories: Object.freeze(categories) as PathRequest["categories"], mode, eacces });
const MODES: ResolveMode[] = ["follow", "nofollow", "missing-ok"];
const OPEN: Record<"read" | "write", Record<ResolveMode, PathRequest>> = {
  read: Object.fromEntries(MODES.map((m) => [m, req(["read"], false, m)])) as Record<ResolveMode, PathRequest>,
  write: Object.fromEntries(MODES.map((m) => [m, req(["write"], false, m)])) as Record<ResolveMode, PathRequest>,
};
const CREAT = req(["write"], false, "missing-ok");
/** access(2) requests by mode bits R_OK|W_OK|X_OK (4|2|1). */
const ACCESS: PathRequest[] = Array.from({ length: 8 }, (_, m) => {
  const cats: Array<"read" | "write" | "exec"> = [];
  if (m & R_OK) cats.push("read");
  if (m & W_OK) cats.push("write");
  if (m & X_OK) cats.push("exec");
  return req(cats, true);
});
const PLAIN = { read: req(["read"], false), write: req(["write"], false), exec: req(["exec"], true), none: req([], false) };

const NATIVE_O = openFlags();

/** What open flags ask for; `o` is the architecture's open flags (the native ones but in tests). */
export function openRequest(flags: number, o: OpenFlags = NATIVE_O): PathRequest {
  const writes = (flags & O_ACCMODE) !== 0 || (flags & (O_CREAT | O_TRUNC | O_TMPFILE_BIT)) !== 0;
  let mode: ResolveMode = "follow";
  if (flags & O_CREAT) mode = flags & (O_EXCL | o.NOFOLLOW) ? "nofollow" : "missing-ok";
  else if (flags & o.NOFOLLOW) mode = "nofollow";
  return OPEN[writes ? "write" : "read"][mode];
}

/** Decodes what the call asks for from its row and flag arguments; null if its memory cannot be read. */
export function pathRequest(row: SyscallRow, v: CallView): PathRequest | null {
  const r = row.refine;
  switch (r?.kind) {
    case "open": return openRequest(v.argInt(r.flagsArg));
    case "creat": return CREAT;
    case "openHow": {
      const how = v.readBytes(v.arg(r.howArg), OPEN_HOW_SIZE);
      if (!how) return null;
      const dv = new DataView(how.buffer, how.byteOffset, OPEN_HOW_SIZE);
      const high = dv.getUint32(4, true) | dv.getUint32(12, true) | dv.getUint32(20, true);
      const flags = dv.getUint32(0, true);
      return { ...openRequest(flags), resolve: dv.getUint32(16, true), how: { flags, mode: dv.getUint32(8, true), high } };
    }
    case "access": return ACCESS[v.argInt(r.modeArg) & 7];
  }
  const cat = row.category;
  return cat === "read" || cat === "write" || cat === "exec" ? PLAIN[cat] : PLAIN.none;
}

/** How one path argument resolves, given the call's flag arguments. */
export function argResolveMode(p: PathArg, v: CallView, override?: ResolveMode): ResolveMode {
  let mode = override ?? p.follow;
  if (p.nofollowFlag && v.argInt(p.nofollowFlag.arg) & p.nofollowFlag.bit) mode = "nofollow";
  if (p.followFlag && v.argInt(p.followFlag.arg) & p.followFlag.bit) mode = "follow";
  return mode;
}

/**
 * A resolution that sydbox cannot vouch for: the call must be denied, whatever
 * the policy, because the path the kernel will use is not the one checked.
 */
export interface Unverifiable {
  ok: false;
  errno: number;
  unverifiable: true;
}

/** openat2's scoped lookups (RESOLVE_BENEATH, RESOLVE_IN_ROOT), which resolveArg hands to the kernel. */
export const RESOLVE_SCOPED = RESOLVE.BENEATH | RESOLVE.IN_ROOT;
/** The flags that change the walk: all but RESOLVE_CACHED. */
const RESOLVE_WALK = RESOLVE.NO_XDEV | RESOLVE.NO_MAGICLINKS | RESOLVE.NO_SYMLINKS | RESOLVE.BENEATH | RESOLVE.IN_ROOT;
const ownPid = `/${process.pid}/`;
const unverifiable = (): Unverifiable => ({ ok: false, errno: Errno.EPERM, unverifiable: true });

/** The canonical name of our O_PATH fd, or null when it cannot stand for the tracee's object. */
function scopedName(fd: number): string | null {
  const s = at.readFdLink(fd);
  if (typeof s === "number" || s.charCodeAt(0) !== 47 || s.endsWith(" (deleted)")) return null;
  if ((s + "/").includes(ownPid)) return null; // /proc/self inside the root would be us
  return s;
}

/**
 * openat2 with RESOLVE_BENEATH or RESOLVE_IN_ROOT: the lookup is scoped to the
 * dirfd (IN_ROOT treats it as `/`, for absolute paths and symlinks alike), which
 * the generic resolver does not model; nor does it model RESOLVE_NO_SYMLINKS,
 * _NO_MAGICLINKS and _NO_XDEV, which take the same way. The kernel itself does the scoped walk
 * here, from our copy of the tracee's dirfd, with the tracee's scoping flags plus
 * RESOLVE_NO_MAGICLINKS; the last component is looked at alone for O_CREAT and
 * O_NOFOLLOW. A lookup the kernel refuses (EXDEV for an escape, ENOENT...) fails
 * as the tracee's will. What cannot be reproduced faithfully (magic links, a
 * symlink as the last component of a create, `.`/`..` as the last component, a
 * result under our own /proc/PID) is unverifiable, and denied.
 */
function resolveScoped(pid: number, dirfd: DirFd, path: string, mode: ResolveMode, resolve: number) {
  const nul = path.indexOf("\0");
  if (nul >= 0) path = path.slice(0, nul);
  if (path.length === 0) return { ok: false as const, errno: Errno.ENOENT };
  const start = openStart({ pid, tid: pid }, dirfd, true);
  if (start < 0) return { ok: false as const, errno: -start };
  const flags = (resolve & RESOLVE_WALK) | RESOLVE.NO_MAGICLINKS; // not RESOLVE_CACHED (EAGAIN here would say nothing)
  // ELOOP may come from the magic links we refuse and the tracee's walk would follow, unless it refuses them too.
  const ownLoop = (resolve & (RESOLVE.NO_MAGICLINKS | RESOLVE.NO_SYMLINKS)) === 0;
  const fail = (fd: number) => (fd === -Errno.ELOOP && ownLoop ? unverifiable() : { ok: false as const, errno: -fd });
  try {
    if (mode === "follow") {
      const fd = at.openat2(start, path, at.O.PATH | at.O.CLOEXEC, 0, flags);
      if (fd < 0) return fail(fd);
      const name = scopedName(fd);
      at.close(fd);
      return name === null ? unverifiable() : { ok: true as const, path: name, exists: true };
    }
    const cut = lastNameAt(path);
    if (cut < 0) return unverifiable(); // a trailing slash, `.` or `..` last on a create: rare, not modelled
    const last = path.slice(cut);
    const parent = cut === 0 ? "." : cut === 1 ? "/" : path.slice(0, cut - 1);
    const dfd = at.openat2(start, parent, at.O.PATH | at.O.DIRECTORY | at.O.CLOEXEC, 0, flags);
    if (dfd < 0) return fail(dfd);
    try {
      const dir = scopedName(dfd);
      if (dir === null) return unverifiable();
      const exists = lastExists(dfd, last, mode);
      if (exists === "symlink" && resolve & RESOLVE.NO_SYMLINKS) return { ok: false as const, errno: Errno.ELOOP };
      // A symlink a create would follow inside the scope, or an odd error.
      if (typeof exists !== "boolean") return unverifiable();
      return { ok: true as const, path: (dir === "/" ? "" : dir) + "/" + last, exists };
    } finally {
      at.close(dfd);
    }
  } finally {
    at.close(start);
  }
}

/**
 * Resolves one path argument for tracee `pid`; `path` null means a NULL pointer.
 * `resolve` is openat2's RESOLVE_* flags (0 for every other call).
 */
export function resolveArg(pid: number, p: PathArg, v: CallView, path: string | null, mode: ResolveMode, resolve = 0) {
  const dirfd = p.dirfd === undefined ? "cwd" as const : v.argInt(p.dirfd);
  // Any RESOLVE_* restriction (scoped, NO_SYMLINKS, NO_XDEV...) is the kernel's own walk to make.
  if (resolve & RESOLVE_WALK && path !== null) return resolveScoped(pid, dirfd, path, mode, resolve);
  if (path === null) {
    // utimensat(fd, NULL, ...) acts on the fd itself.
    if (p.nullIsDirfd) return resolvePath(pid, dirfd, "", mode, { emptyPath: true });
    return { ok: false as const, errno: Errno.EFAULT };
  }
  const emptyPath = !!(p.emptyPathFlag && v.argInt(p.emptyPathFlag.arg) & p.emptyPathFlag.bit);
  return resolvePath(pid, dirfd, path, mode, { emptyPath });
}
