/**
 * The open family, emulated: the supervisor opens the checked canonical path itself
 * (canonical.ts) and installs the fd in the tracee with SECCOMP_IOCTL_NOTIF_ADDFD and
 * SECCOMP_ADDFD_FLAG_SEND, which also completes the call with the new fd number. The
 * tracee gets the same open file description the kernel would have given it: the flags
 * as open(2) builds them, O_CLOEXEC on its fd if asked, its umask and filesystem identity
 * for a create (creds.ts), its RLIMIT_NOFILE (ADDFD honours it).
 *
 * O_PATH opens are left to the kernel: ADDFD cannot send O_PATH fds, and such an fd
 * gives access to nothing by itself (its later uses are checked calls).
 *
 * Opens that could block the supervisor (a tty waiting for carrier) are made with
 * O_NONBLOCK, which is cleared again unless the tracee asked for it. A FIFO opened without
 * O_NONBLOCK must block until its other end is opened, by another tracee whose own open
 * waits for this thread; even a non-blocking open here would stand in for that other end.
 * Such opens are done by a helper thread that blocks as the tracee would (blocking.ts);
 * when no helper can be had they fail with EAGAIN (a CONTINUE would let the kernel read
 * the path again). O_NOCTTY is always
 * added: the supervisor must not acquire a controlling terminal (a session leader tracee
 * opening a tty does not get it as its controlling terminal either, documented); and
 * /dev/tty names the supervisor's controlling terminal, the tracee's too unless it called
 * setsid.
 */
import * as at from "../../../ffi/at";
import {
  O_CLOEXEC, O_CREAT, O_NOCTTY, O_NONBLOCK, O_PATH, O_TMPFILE_BIT, O_TRUNC, O_WRONLY, openFlags, S_IFIFO, S_IFMT, VALID_OPEN_FLAGS, type OpenFlags,
} from "../../../ffi/constants";
import * as fs from "../../../ffi/fsops";
import { Errno } from "../../errors";
import type { Call } from "../call";
import type { CheckedPath } from "../checked";
import { CONTINUE, fail, GONE, HANDED, sendFd, type Answer } from "../verdict";
import { openJob } from "./blocking";
import { openCanonical } from "./canonical";
import { traceeStatus } from "./creds";

const NATIVE_O = openFlags();

/**
 * What the tracee asked open(2) for: openat2's struct as given (the kernel validates it),
 * open/openat/creat's arguments as build_open_how makes them (legacyOpen).
 */
export interface OpenArgs {
  flags: number;
  mode: number;
}

/**
 * The flags and mode open(2)/openat(2) pass on, as the kernel's build_open_how makes them;
 * `o` is the architecture's open flags (the native ones but in tests).
 */
export function legacyOpen(flags: number, mode: number, o: OpenFlags = NATIVE_O): OpenArgs {
  let f = flags & VALID_OPEN_FLAGS;
  // O_PATH keeps only the flags that make sense without opening (O_PATH_FLAGS in fs/open.c).
  if (f & O_PATH) f &= o.DIRECTORY | o.NOFOLLOW | O_PATH | O_CLOEXEC;
  const creates = (f & (O_CREAT | O_TMPFILE_BIT)) !== 0;
  return { flags: f, mode: creates ? mode & 0o7777 : 0 };
}

/** Does this open create a file (and so want the tracee's umask)? */
export const opensToCreate = (a: OpenArgs) => (a.flags & (O_CREAT | O_TMPFILE_BIT)) !== 0;

/**
 * Opens checked path `path` as call `c` asked: the fd to send, the errno, CONTINUE (the
 * kernel must open it), or HANDED (a helper opens it and answers). Runs inside the
 * tracee's credentials (the caller's `asTracee`).
 */
export function openFor(c: Pick<Call, "pid" | "handOff">, path: CheckedPath, raw: string | null, a: OpenArgs): Answer {
  // ADDFD cannot carry an O_PATH fd (the kernel's fget() refuses them). An O_PATH fd reads
  // and writes nothing; every later use of it (reopen through /proc, *at calls) is checked.
  if (a.flags & O_PATH) return CONTINUE;
  const wantNonblock = (a.flags & O_NONBLOCK) !== 0;
  // A trailing slash stays: with O_CREAT the kernel answers EISDIR, without it ENOTDIR for a file.
  const target: string = raw !== null && raw.length > 1 && raw.endsWith("/") && path !== "/" ? path + "/" : path;
  // A FIFO's blocking open waits for its other end, which only another tracee (whose open
  // waits for this thread) can provide; even a non-blocking open here would act as that
  // other end. The kernel must do it.
  if (!wantNonblock && isFifo(-100, target)) {
    // A helper thread waits in the open instead (blocking.ts); it answers the call itself.
    const st = traceeStatus(c.pid);
    if (st === null) return GONE;
    // Every helper busy: EAGAIN, not CONTINUE, which would let the kernel read the path again.
    return c.handOff(openJob(target, a.flags, a.mode, st)) ? HANDED : fail(Errno.EAGAIN);
  }
  const fd = openCanonical(target, a.flags | O_NONBLOCK | O_NOCTTY, a.mode);
  if (fd >= 0 && !wantNonblock) {
    const fl = fs.fcntl(fd, fs.F_GETFL);
    if (fl >= 0) fs.fcntl(fd, fs.F_SETFL, fl & ~O_NONBLOCK);
  }
  return sendFd(fd, (a.flags & O_CLOEXEC) !== 0);
}

function isFifo(dirfd: number, path: string): boolean {
  const st = at.statx(dirfd, path, at.AT.SYMLINK_NOFOLLOW);
  return typeof st !== "number" && (st.mode & S_IFMT) === S_IFIFO;
}

/** creat(2) is open(O_CREAT|O_WRONLY|O_TRUNC). */
export const CREAT_FLAGS = O_CREAT | O_WRONLY | O_TRUNC;
