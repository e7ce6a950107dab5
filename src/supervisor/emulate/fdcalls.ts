/**
 * Calls on a descriptor that change its file with only ownership, no writable fd (the
 * table's `fdCall` rows: fchmod, fchown, fsetxattr, fremovexattr, the inode-flag ioctls).
 * A read-only fd of a denied file would otherwise change its mode, owner, attributes or
 * flags (chattr -i).
 *
 * The tracee's fd is copied into the supervisor (tracee-fd.ts: the same open file
 * description); the file it names is checked as a write of that path, and the call is made
 * on the copy, with the tracee's identity (creds.ts) and with arguments copied out of its
 * memory once. Never CONTINUE: another thread could dup2 a different file onto the same fd
 * number between our look and the kernel's.
 *
 * What the fd names: a path, checked; a path-less object (pipe, socket, anonymous inode, a
 * memfd or a deleted file with no link left), which lies in no directory, let by; a
 * deleted file that still has links elsewhere, whose names sydbox cannot know, denied.
 */
import * as at from "../../../ffi/at";
import { AUDIT_ARCH, FS_IOC_FSSETXATTR, FSXATTR_SIZE } from "../../../ffi/constants";
import * as fs from "../../../ffi/fsops";
import { stablePtr } from "../../../ffi/pointer";
import { Errno } from "../../errors";
import { pathCall } from "../../report/violation";
import type { FdCall, SyscallRow } from "../../syscalls/table";
import type { Call } from "../call";
import { fetchTraceeFd } from "../tracee-fd";
import { CONTINUE, deny, fail, GONE, result, type Verdict } from "../verdict";
import { asTracee } from "./creds";
import { xattrName, xattrValue } from "./xattr";

/** Performs the call on our copy `fd` of the tracee's fd: its result, or -errno. */
type FdOp = (c: Call, fd: number, row: SyscallRow) => number;

const arg = (c: Call, i: number) => c.argU32(i);
/**
 * An owner argument of fchown: i386's fchown takes 16-bit ids (fchown32 the full ones),
 * where 0xffff is "unchanged", as -1 is for the 32-bit forms.
 */
function ownerId(c: Call, row: SyscallRow, i: number): number {
  const v = arg(c, i);
  if (c.arch !== AUDIT_ARCH.I386 || row.name !== "fchown") return v;
  const id = v & 0xffff;
  return id === 0xffff ? 0xffffffff : id;
}

const OPS: Readonly<Record<FdCall["kind"], FdOp>> = {
  fchmod: (c, fd) => fs.fchmod(fd, arg(c, 1)),
  fchown: (c, fd, row) => fs.fchown(fd, ownerId(c, row, 1), ownerId(c, row, 2)),
  fsetxattr: (c, fd) => {
    const name = xattrName(c, c.arg(1));
    if (typeof name === "number") return name;
    const size = c.arg(3);
    const value = xattrValue(c, c.arg(2), size);
    return value < 0 ? value : fs.fsetxattr(fd, name, value, size, c.argInt(4));
  },
  fremovexattr: (c, fd) => {
    const name = xattrName(c, c.arg(1));
    return typeof name === "number" ? name : fs.fremovexattr(fd, name);
  },
  ioctl: (c, fd) => {
    // Only the table's INODE_IOCTLS are notified: their argument is an int or a struct fsxattr.
    const request = arg(c, 1);
    const size = request === FS_IOC_FSSETXATTR ? FSXATTR_SIZE : 4;
    const bytes = c.readBytes(c.arg(2), size);
    if (bytes === null) return -Errno.EFAULT;
    return fs.ioctl(fd, request, ioctlArg(bytes));
  },
};

const ioctlBuf = new Uint8Array(new ArrayBuffer(FSXATTR_SIZE));
const ioctlPtr = stablePtr(ioctlBuf);
/** Our copy of the ioctl's argument, for the kernel to read instead of the tracee's. */
function ioctlArg(bytes: Uint8Array): number {
  ioctlBuf.fill(0);
  ioctlBuf.set(bytes);
  return ioctlPtr;
}

/** The path to check for our copy `fd` of a tracee fd; "" for an object in no directory; null to deny. */
function subjectOf(fd: number): string | null {
  const name = at.readFdLink(fd);
  if (typeof name === "number") return null;
  if (name.charCodeAt(0) !== 47) return ""; // pipe:[...], socket:[...], anon_inode:...
  if (!name.endsWith(" (deleted)")) return name;
  const st = at.statx(fd, "", at.AT.EMPTY_PATH);
  return typeof st !== "number" && st.nlink === 0 ? "" : null;
}

/** Decides and performs a call of an `fdCall` row: its verdict. */
function perform(c: Call, row: SyscallRow): Verdict {
  const spec = row.fdCall!;
  const got = fetchTraceeFd(c, c.argInt(spec.fd));
  if (got.kind === "gone") return GONE;
  if (got.kind === "badf") return fail(Errno.EBADF);
  // No pidfd_getfd (or not allowed): the file cannot be told race-free, so nothing is done.
  if (got.kind === "unavailable") return fail(Errno.EPERM);
  try {
    const path = subjectOf(got.fd);
    if (path === null || (path !== "" && !c.sandbox.allows("write", path))) {
      const shown = path ?? `/proc/${c.pid}/fd/${c.argInt(spec.fd)}`;
      return deny(Errno.EPERM, [{ category: "write", call: pathCall(row.name, [shown]), subjects: [shown] }]);
    }
    return result(asTracee(got.status, false, () => OPS[spec.kind](c, got.fd, row)));
  } finally {
    fs.close(got.fd);
  }
}

/** The verdict on a call of an `fdCall` row. */
export function fdCall(c: Call, row: SyscallRow): Verdict {
  const sb = c.sandbox;
  // Nothing to decide (write sandboxing off or allowing all): no memory is read, the kernel does it.
  if (sb.mode("write") === "off" || sb.allowsEverything("write")) return CONTINUE;
  return perform(c, row);
}
