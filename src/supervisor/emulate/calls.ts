/**
 * The calls emulation performs: one implementation per emulation kind of the syscall table
 * (its rows' `emulate`, which also says which arguments a row's call takes), saying how it
 * is done on checked paths. An implementation returns a result (a count or 0, or -errno)
 * or an answer of its own (an fd to send, CONTINUE).
 *
 * Every path the entries use is a checked canonical path (canonical.ts), never the
 * tracee's buffer: creates and removes go through a pinned parent directory, calls on an
 * existing object (chmod, chown, truncate, utimes, link's followed old path) through an
 * O_PATH fd pinned on the object and reached as /proc/self/fd/N. Flags the kernel would
 * refuse are refused here with its EINVAL, before anything is done.
 */
import { stablePtr } from "../../../ffi/pointer";
import * as at from "../../../ffi/at";
import { AT_EMPTY_PATH, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, AUDIT_ARCH, S_IFLNK, S_IFMT } from "../../../ffi/constants";
import * as fs from "../../../ffi/fsops";
import { Errno } from "../../errors";
import type { EmuKind, Emulate, SyscallRow } from "../../syscalls/table";
import type { Call } from "../call";
import type { CheckedPath } from "../checked";
import type { PathRequest } from "../paths";
import { argResolveMode } from "../paths";
import type { Answer } from "../verdict";
import { openParent, pin, selfFd, type Parent } from "./canonical";
import { CREAT_FLAGS, legacyOpen, openFor, opensToCreate, type OpenArgs } from "./open";
import { xattrName, xattrValue } from "./xattr";

/** One call being emulated: the checked paths, and the tracee's own path strings. */
export interface EmuCall {
  call: Call;
  row: SyscallRow;
  /** The row's `emulate`: the call's argument indices. */
  spec: Emulate;
  req: PathRequest;
  paths: readonly CheckedPath[];
  raws: readonly (string | null)[];
}

/** How the calls of one emulation kind are performed. */
export interface Emulation {
  /** Does this call create a file (so the tracee's umask applies)? */
  creates(c: EmuCall): boolean;
  /** The result (count or 0, -errno), or an answer of its own. */
  run(c: EmuCall): number | Answer;
}

const arg = (c: EmuCall, i: number) => c.call.argInt(i);
const argU = (c: EmuCall, i: number) => c.call.argU32(i);
/** The row's operand argument (`Emulate.arg`); rows of kinds that use one always name it. */
const operand = (c: EmuCall) => c.spec.arg!;
/** The call's flags argument, 0 for a row without one. */
const flagsOf = (c: EmuCall) => (c.spec.flags === undefined ? 0 : arg(c, c.spec.flags));

// Two pinned parents at most (rename, link); reused, never allocated per call.
const parents: [Parent, Parent] = [{ fd: -1, name: "" }, { fd: -1, name: "" }];

/** Runs `f` on the pinned parent of path `i` (and of `j`), closing them after. */
function inParents(c: EmuCall, f: (a: Parent, b: Parent) => number, i = 0, j = -1): number {
  const a = parents[0], b = parents[1];
  let r = openParent(c.paths[i], c.raws[i], a);
  if (r < 0) return r;
  try {
    if (j < 0) return f(a, b);
    r = openParent(c.paths[j], c.raws[j], b);
    if (r < 0) return r;
    try { return f(a, b); } finally { fs.close(b.fd); }
  } finally {
    fs.close(a.fd);
  }
}

/** Runs `f` on the object at path `i`, pinned with an O_PATH fd (followed unless the call says not). */
function onPinned(c: EmuCall, f: (fd: number) => number, i = 0): number {
  const follow = argResolveMode(c.row.paths![i], c.call) === "follow";
  const fd = pin(c.paths[i], follow);
  if (fd < 0) return fd;
  try { return f(fd); } finally { fs.close(fd); }
}

const never = () => false;
const always = () => true;

/** The open family's flags and mode: from the row's `refine`, openat2's from its struct. */
function openArgs(c: EmuCall): OpenArgs {
  const r = c.row.refine!;
  if (r.kind === "openHow") {
    const h = c.req.how!;
    return { flags: h.high ? -1 : h.flags, mode: h.mode };
  }
  return legacyOpen(r.kind === "open" ? arg(c, r.flagsArg) : CREAT_FLAGS, arg(c, operand(c)));
}

const open: Emulation = {
  creates: (c) => opensToCreate(openArgs(c)),
  run: (c) => {
    const a = openArgs(c);
    if (a.flags < 0) return -Errno.EINVAL;
    return openFor(c.call, c.paths[0], c.raws[0], a);
  },
};

const mkdir: Emulation = { creates: always, run: (c) => inParents(c, (p) => fs.mkdirat(p.fd, p.name, arg(c, operand(c)))) };
const mknod: Emulation = { creates: always, run: (c) => inParents(c, (p) => fs.mknodat(p.fd, p.name, arg(c, operand(c)), argU(c, operand(c) + 1))) };
const unlink = (flags: (c: EmuCall) => number): Emulation => ({ creates: never, run: (c) => inParents(c, (p) => fs.unlinkat(p.fd, p.name, flags(c))) });
const rename: Emulation = {
  creates: never,
  run: (c) => inParents(c, (a, b) => fs.renameat2(a.fd, a.name, b.fd, b.name, flagsOf(c)), 0, 1),
};

const link: Emulation = {
  creates: never,
  run: (c) => {
    const flags = flagsOf(c);
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -Errno.EINVAL;
    if (flags & (AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) {
      // The old path is an object (followed, or the fd itself): link it through our pin.
      return onPinned(c, (fd) => inParents(c, (b) => fs.linkat(-100, selfFd(fd), b.fd, b.name, AT_SYMLINK_FOLLOW), 1));
    }
    return inParents(c, (a, b) => fs.linkat(a.fd, a.name, b.fd, b.name, 0), 0, 1);
  },
};

const symlink: Emulation = {
  creates: never,
  run: (c) => {
    // The target is stored, not resolved: read once, used as read.
    const target = c.call.readString(c.call.arg(operand(c)));
    if (target === null) return -(c.call.readErrno || Errno.EFAULT);
    return inParents(c, (p) => fs.symlinkat(target, p.fd, p.name));
  },
};

/**
 * A call on an existing object taking AT_SYMLINK_NOFOLLOW/AT_EMPTY_PATH flags (its row's
 * `emulate.flags`, if any): other bits are EINVAL, as in the kernel; `op` gets the pinned fd.
 */
function onObject(op: (c: EmuCall, fd: number, flags: number) => number): Emulation {
  return {
    creates: never,
    run: (c) => {
      const flags = flagsOf(c);
      if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -Errno.EINVAL;
      return onPinned(c, (fd) => op(c, fd, flags));
    },
  };
}

const chmod = onObject((c, fd, flags) => {
  if (flags & AT_SYMLINK_NOFOLLOW) {
    const st = at.statx(fd, "", at.AT.EMPTY_PATH);
    if (typeof st !== "number" && (st.mode & S_IFMT) === S_IFLNK) return -Errno.ENOTSUP;
  }
  return fs.fchmodat(-100, selfFd(fd), arg(c, operand(c)));
});

const chown = onObject((c, fd) => fs.fchownat(fd, "", argU(c, operand(c)), argU(c, operand(c) + 1), AT_EMPTY_PATH));

/** i386's calls take 32-bit time structs and split truncate64's length in two registers (x32's are 64-bit). */
const isI386 = (c: EmuCall) => c.call.arch === AUDIT_ARCH.I386;

const truncate: Emulation = {
  creates: never,
  run: (c) => {
    const n = c.call, i = operand(c);
    const len = isI386(c) && c.row.name === "truncate64" ? n.argU32(i) + n.argU32(i + 1) * 2 ** 32 : n.arg(i);
    if (len >= 2 ** 63) return -Errno.EINVAL; // a negative off_t
    return onPinned(c, (fd) => fs.truncate(selfFd(fd), len));
  },
};

// struct timespec[2], filled from whichever time struct the call takes.
const times = Buffer.alloc(32);
const timesPtr = stablePtr(times);

/** Copies the tracee's times (utimbuf, timeval[2] or timespec[2]) into `times`: its address, 0 for NULL, or -errno. */
function readTimes(c: EmuCall, kind: "utimbuf" | "timeval" | "timespec", addr: number): number {
  if (addr === 0) return 0;
  // i386: every field a 32-bit long; elsewhere (x32 too) 64 bits.
  const w = isI386(c) ? 4 : 8;
  const size = kind === "utimbuf" ? 2 * w : 4 * w;
  const b = c.call.readBytes(addr, size);
  if (b === null) return -Errno.EFAULT;
  const v = new DataView(b.buffer, b.byteOffset, size);
  const field = (i: number) => (w === 4 ? BigInt(v.getInt32(i * 4, true)) : v.getBigInt64(i * 8, true));
  for (let t = 0; t < 2; t++) {
    let sec: bigint, sub: bigint;
    if (kind === "utimbuf") { sec = field(t); sub = 0n; }
    else {
      sec = field(2 * t); sub = field(2 * t + 1);
      if (kind === "timeval") {
        if (sub < 0n || sub >= 1000000n) return -Errno.EINVAL;
        sub *= 1000n;
      }
    }
    times.writeBigInt64LE(sec, 16 * t); times.writeBigInt64LE(sub, 16 * t + 8);
  }
  return timesPtr;
}

/** utime (utimbuf), utimes/futimesat (timeval[2]), utimensat (timespec[2]). */
const utimes = (kind: "utimbuf" | "timeval" | "timespec") => onObject((c, fd, flags) => {
  if (c.raws[0] === null && flags & AT_SYMLINK_NOFOLLOW) return -Errno.EINVAL;
  const tp = readTimes(c, kind, c.call.arg(operand(c)));
  return tp < 0 ? tp : fs.utimensat(-100, selfFd(fd), tp, 0);
});

/**
 * setxattr/lsetxattr (name, value, size, flags follow the path) and removexattr/lremovexattr,
 * on the pinned object (a symlink itself for the l-forms: the magic link is not followed
 * past it), with the name and value copied once (xattr.ts).
 */
const setxattr: Emulation = {
  creates: never,
  run: (c) => {
    const n = c.call, i = operand(c);
    const name = xattrName(n, n.arg(i));
    if (typeof name === "number") return name;
    const size = n.arg(i + 2);
    const value = xattrValue(n, n.arg(i + 1), size);
    if (value < 0) return value;
    return onPinned(c, (fd) => fs.setxattr(selfFd(fd), name, value, size, arg(c, i + 3)));
  },
};
const removexattr: Emulation = {
  creates: never,
  run: (c) => {
    const name = xattrName(c.call, c.call.arg(operand(c)));
    return typeof name === "number" ? name : onPinned(c, (fd) => fs.removexattr(selfFd(fd), name));
  },
};

/**
 * The implementation of each emulation kind (the table rows' `emulate.kind`). Rows without
 * one (exec, access, mount) are CONTINUEd.
 */
export const EMULATIONS: Readonly<Record<EmuKind, Emulation>> = {
  open,
  mkdir,
  mknod,
  unlink: unlink(flagsOf),
  rmdir: unlink(() => AT_REMOVEDIR),
  rename,
  link,
  symlink,
  chmod,
  chown,
  truncate,
  utime: utimes("utimbuf"),
  utimes: utimes("timeval"),
  utimensat: utimes("timespec"),
  setxattr,
  removexattr,
};
