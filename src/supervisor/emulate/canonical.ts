/**
 * Using a checked path, and nothing else. The path the policy approved is canonical:
 * absolute, no `.`, `..` or symlinks (src/path/resolve.ts). The supervisor opens exactly
 * that with openat2(RESOLVE_NO_SYMLINKS), which implies RESOLVE_NO_MAGICLINKS: if any
 * component became a symlink after the check (the symlink-swap race), the open fails with
 * ELOOP instead of following it, and the tracee's path buffer is never read again (the
 * buffer-swap race). What is created or removed is named relative to a parent directory fd
 * opened the same way. `pin` and `openParent` take a CheckedPath (../checked.ts), which
 * only the sandbox's checker makes.
 *
 * One kind of checked path does contain a magic link: a tracee fd that names no path
 * (pipe, socket, deleted file) is checked as /proc/PID/fd/N. Such a path is opened through
 * the magic link, and the object it reached must still be path-less, or the one checked;
 * otherwise the tracee swapped the fd in between, and the call fails with ELOOP.
 */
import * as at from "../../../ffi/at";
import { AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_PATH, RESOLVE } from "../../../ffi/constants";
import * as fs from "../../../ffi/fsops";
import { Errno } from "../../errors";
import type { CheckedPath } from "../checked";

/** Longest prefix handed to one openat2 (PATH_MAX is 4096 with the NUL). */
const CHUNK = 4000;
const FD_LINK = /^\/proc\/\d+\/(task\/\d+\/)?fd\/\d+$/;

/**
 * openat2 of the canonical absolute `path` without following any symlink: an fd or -errno.
 * A path longer than PATH_MAX is walked in chunks, each one opened as a directory relative
 * to the last.
 */
export function openCanonical(path: string, flags: number, mode: number): number {
  let dir = AT_FDCWD, rest = path;
  while (rest.length > CHUNK) {
    const cut = rest.lastIndexOf("/", CHUNK);
    if (cut <= 0) { if (dir !== AT_FDCWD) fs.close(dir); return -Errno.ENAMETOOLONG; }
    const next = fs.openat2(dir, rest.slice(0, cut), O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE.NO_SYMLINKS);
    if (dir !== AT_FDCWD) fs.close(dir);
    if (next < 0) return next;
    dir = next;
    rest = rest.slice(cut + 1);
  }
  const fd = fs.openat2(dir, rest, flags | O_CLOEXEC, mode, RESOLVE.NO_SYMLINKS);
  if (dir !== AT_FDCWD) fs.close(dir);
  if (fd === -Errno.ELOOP && FD_LINK.test(path)) return openFdLink(path, flags, mode);
  return fd;
}

/** A checked /proc/PID/fd/N that named a path-less object: reopen it if it still does. */
function openFdLink(path: string, flags: number, mode: number): number {
  const pin = fs.openat2(AT_FDCWD, path, O_PATH | O_CLOEXEC | (flags & O_NOFOLLOW), 0, 0);
  if (pin < 0) return pin;
  const name = at.readFdLink(pin);
  const pathless = typeof name === "string" && (name.charCodeAt(0) !== 47 || name.endsWith(" (deleted)"));
  if (!pathless) { fs.close(pin); return -Errno.ELOOP; }
  if (flags & O_PATH) return pin;
  // The object is pinned: reopening our own fd's magic link cannot land anywhere else.
  const fd = fs.openat2(AT_FDCWD, selfFd(pin), flags | O_CLOEXEC, mode, 0);
  fs.close(pin);
  return fd;
}

const selfFdNames: string[] = [];
/** /proc/self/fd/N for our fd N: the magic link through which path-taking calls reach a pinned object. */
export function selfFd(fd: number): string {
  return (selfFdNames[fd] ??= `/proc/self/fd/${fd}`);
}

/**
 * Pins the object at checked path `path` with an O_PATH fd (ours to close), or -errno.
 * `follow` false keeps a symlink at the end as itself (lchown, AT_SYMLINK_NOFOLLOW).
 */
export function pin(path: CheckedPath, follow: boolean): number {
  return openCanonical(path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
}

/** A checked path split into a pinned parent directory and the last component. */
export interface Parent {
  fd: number;
  name: string;
}

/**
 * Opens the parent directory of checked path `path` (O_PATH, ours to close) and gives the
 * name to use in it: the checked last component, or the tracee's own last component when
 * that was `.` or `..` (the kernel fails those by their type, with its own errno), with the
 * tracee's trailing slash kept (it makes the kernel insist on a directory). `-errno` on
 * failure.
 */
export function openParent(path: CheckedPath, raw: string | null, out: Parent): number {
  const rawEnd = raw === null ? "" : raw.replace(/\/+$/, "");
  const rawLast = rawEnd.slice(rawEnd.lastIndexOf("/") + 1);
  const slash = raw !== null && rawEnd.length < raw.length && rawEnd.length > 0;
  if (rawLast === "." || rawLast === "..") {
    // `path` is the directory itself: the call names its `.` or `..`.
    const fd = openCanonical(path, O_PATH | O_DIRECTORY, 0);
    if (fd < 0) return fd;
    out.fd = fd; out.name = rawLast;
    return 0;
  }
  if (path === "/") {
    // The root names itself; nothing to swap. The kernel answers as for "/".
    const fd = fs.openat2(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0);
    if (fd < 0) return fd;
    out.fd = fd; out.name = ".";
    return 0;
  }
  const cut = path.lastIndexOf("/");
  const fd = openCanonical(cut === 0 ? "/" : path.slice(0, cut), O_PATH | O_DIRECTORY, 0);
  if (fd < 0) return fd;
  out.fd = fd;
  out.name = path.slice(cut + 1) + (slash ? "/" : "");
  return 0;
}
