/**
 * The generic engine for path syscalls: one function over every row of the
 * table that has path arguments. It decodes the arguments the row describes,
 * resolves them as the kernel will, and lets the sandbox decide.
 */
import { O_ACCMODE, O_CREAT, O_EXCL, O_NOFOLLOW, O_TRUNC, R_OK, W_OK, X_OK } from "../../ffi/constants";
import { Errno } from "../errors";
import { resolvePath } from "../path/resolve";
import type { ResolveMode } from "../path/types";
import type { PathArg, SyscallRow } from "../syscalls/table";

const O_TMPFILE_BIT = 0o20000000;
const OPEN_HOW_SIZE = 24;

/** What a call asks for, once its flags are read: the categories to check and how its paths resolve. */
export interface PathRequest {
  categories: Array<"read" | "write" | "exec">;
  /** Overrides the row's resolve mode for the first path (open flags decide it). */
  mode?: ResolveMode;
  /** Denials answer EACCES (exec and access) instead of EPERM. */
  eacces: boolean;
}

/** The subset of the supervisor a decoder needs: notification arguments and tracee memory. */
export interface CallView {
  argInt(i: number): number;
  arg(i: number): number;
  readBytes(addr: number, len: number): Uint8Array | null;
}

function openRequest(flags: number): PathRequest {
  const writes = (flags & O_ACCMODE) !== 0 || (flags & (O_CREAT | O_TRUNC | O_TMPFILE_BIT)) !== 0;
  let mode: ResolveMode = "follow";
  if (flags & O_CREAT) mode = flags & (O_EXCL | O_NOFOLLOW) ? "nofollow" : "missing-ok";
  else if (flags & O_NOFOLLOW) mode = "nofollow";
  return { categories: [writes ? "write" : "read"], mode, eacces: false };
}

/** Decodes what the call asks for from its row and flag arguments; null if its memory cannot be read. */
export function pathRequest(row: SyscallRow, v: CallView): PathRequest | null {
  const r = row.refine;
  switch (r?.kind) {
    case "open": return openRequest(v.argInt(r.flagsArg));
    case "creat": return { categories: ["write"], mode: "missing-ok", eacces: false };
    case "openHow": {
      const how = v.readBytes(v.arg(r.howArg), OPEN_HOW_SIZE);
      if (!how) return null;
      return openRequest(new DataView(how.buffer, how.byteOffset, 8).getUint32(0, true));
    }
    case "access": {
      const m = v.argInt(r.modeArg);
      const cats: PathRequest["categories"] = [];
      if (m & R_OK) cats.push("read");
      if (m & W_OK) cats.push("write");
      if (m & X_OK) cats.push("exec");
      return { categories: cats, eacces: true };
    }
  }
  const cat = row.category;
  if (cat === "read" || cat === "write" || cat === "exec") return { categories: [cat], eacces: cat === "exec" };
  return { categories: [], eacces: false };
}

/** How one path argument resolves, given the call's flag arguments. */
export function argResolveMode(p: PathArg, v: CallView, override?: ResolveMode): ResolveMode {
  let mode = override ?? p.follow;
  if (p.nofollowFlag && v.argInt(p.nofollowFlag.arg) & p.nofollowFlag.bit) mode = "nofollow";
  if (p.followFlag && v.argInt(p.followFlag.arg) & p.followFlag.bit) mode = "follow";
  return mode;
}

/** Resolves one path argument for tracee `pid`; `path` null means a NULL pointer. */
export function resolveArg(pid: number, p: PathArg, v: CallView, path: string | null, mode: ResolveMode) {
  const dirfd = p.dirfd === undefined ? "cwd" as const : v.argInt(p.dirfd);
  if (path === null) {
    // utimensat(fd, NULL, ...) acts on the fd itself.
    if (p.nullIsDirfd) return resolvePath(pid, dirfd, "", mode, { emptyPath: true });
    return { ok: false as const, errno: Errno.EFAULT };
  }
  const emptyPath = !!(p.emptyPathFlag && v.argInt(p.emptyPathFlag.arg) & p.emptyPathFlag.bit);
  return resolvePath(pid, dirfd, path, mode, { emptyPath });
}
