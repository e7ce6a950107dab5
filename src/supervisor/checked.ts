/**
 * Where the sandbox decides, and the only place a CheckedPath is made. The engines decode
 * and resolve a call's paths (path-engine.ts) or address (network.ts); the functions here
 * ask the sandbox about the result and hand back the canonical paths they checked, typed
 * `CheckedPath`. Emulation (emulate/) accepts nothing else, so "emulation acts only on
 * checked paths" is a fact the compiler checks: a raw tracee string cannot reach it.
 */
import { Errno } from "../errors";
import { resolvePath } from "../path/resolve";
import { formatAddress, AF_UNSPEC, type SockAddr, type UnsupportedSockAddr } from "../policy/sockaddr";
import { pathCall } from "../report/violation";
import type { SyscallRow } from "../syscalls/table";
import type { BoundAddresses } from "./bind";
import type { Call } from "./call";
import type { PathRequest } from "./paths";
import type { Sandbox } from "./sandbox";
import { deny, fail, GONE, type Verdict, type Violation } from "./verdict";

declare const checkedBrand: unique symbol;
/** A canonical absolute path that went through the sandbox's check for the current call. */
export type CheckedPath = string & { readonly [checkedBrand]: true };

/** The only constructor: private to this file. */
const mark = (path: string) => path as CheckedPath;

/** What a dry run records while it lets a call through: its violations, and the errno it would have denied. */
export interface DryRecord {
  errno: number;
  violations: Violation[] | null;
}

function allowedPath(sb: Sandbox, cat: "read" | "write" | "exec", path: string, pid: number): boolean {
  if (sb.cfg.core.allowlist.per_process_directories && cat !== "exec" && path.startsWith("/proc/")) {
    const own = `/proc/${pid}`;
    if (path === own || path.startsWith(own + "/")) return true;
  }
  return sb.allows(cat, path);
}

/**
 * Checks the resolved canonical `paths` of call `c` of `row` against every category of
 * `req`; `exists` says which exist (for the row's `safe` rule). A denial is returned as the
 * verdict; null means the call may go on, with `out` holding the checked paths. A dry run
 * denies nothing: it records into `dry` and goes on. Indexed loops, reused arrays: no
 * allocation unless something is denied.
 */
export function checkPaths(c: Call, row: SyscallRow, req: PathRequest, paths: readonly string[], exists: readonly boolean[], out: CheckedPath[], dry: DryRecord): Verdict | null {
  const sb = c.sandbox, pid = c.pid;
  const errno = row.denyErrno ?? (req.eacces ? Errno.EACCES : Errno.EPERM);
  const cats = req.categories;
  for (let k = 0; k < cats.length; k++) {
    const cat = cats[k];
    if (sb.mode(cat) === "off") continue;
    for (let i = 0; i < paths.length; i++) {
      if (allowedPath(sb, cat, paths[i], pid)) continue;
      // The safe rule is about the path the call creates or removes: the last one (link's new path).
      const last = i === paths.length - 1;
      const safe = !last ? 0
        : row.safe === "always" ? errno
        : row.safe === "exists" && exists[i] ? Errno.EEXIST
        : row.safe === "missing" && !exists[i] ? Errno.ENOENT : 0;
      if (safe && !sb.cfg.core.violation.raise_safe) {
        if (!c.dryRun) return fail(safe);
        dry.errno = safe;
        (dry.violations ??= []);
        continue;
      }
      // raise_safe reports a safe denial, and it keeps the errno it would have had (SydBox 2.0.1).
      if (!c.dryRun) return deny(safe || errno, [{ category: cat, call: pathCall(row.name, paths.slice()), subjects: paths.slice() }]);
      // Dry run: every category and path that would be denied is recorded (sydbox learn needs them all).
      dry.errno = errno;
      (dry.violations ??= []).push({ category: cat, call: pathCall(row.name, paths.slice()), subjects: [paths[i]] });
    }
  }
  out.length = 0;
  for (let i = 0; i < paths.length; i++) out.push(mark(paths[i]));
  return null;
}

/** An address that passed: the subject checked, and for a unix path its checked canonical path. */
export interface CheckedAddress {
  subject: SockAddr;
  unixPath: CheckedPath | null;
}

/**
 * Decides one decoded address `a` of call `c` of `row` (`bound`: core/allowlist/successful_bind's
 * addresses). "unchecked": an address no list applies to (AF_UNSPEC connect, an unsupported
 * family let by); a Verdict: a denial or a failed unix lookup; else the address to act on.
 */
export function checkAddress(c: Call, row: SyscallRow, a: SockAddr | UnsupportedSockAddr, bound: BoundAddresses): CheckedAddress | "unchecked" | Verdict {
  const sb = c.sandbox;
  const bind = row.category === "bind";
  const cat = bind ? "bind" : "connect";

  if (a.family === "unsupported") {
    if (a.af === AF_UNSPEC && row.name === "connect") return "unchecked";
    if (sb.cfg.core.allowlist.unsupported_socket_families) return "unchecked";
    return deny(Errno.EAFNOSUPPORT, [{ category: cat, call: `${row.name}(family:${a.af})`, subjects: [] }]);
  }

  let subject: SockAddr = a;
  let unixPath: CheckedPath | null = null;
  if (a.family === "unix" && a.path !== "") {
    // bind creates the last component (an existing symlink there is EADDRINUSE); connect
    // and sends follow a symlink to the socket.
    const res = resolvePath(c.pid, "cwd", a.path, bind ? "nofollow" : "missing-ok");
    if (!res.ok) {
      if (res.errno === Errno.ESRCH && !c.idValid()) return GONE;
      if (!sb.cfg.core.violation.raise_fail) return fail(res.errno);
      return deny(res.errno, [{ category: cat, call: `${row.name}(${formatAddress(a)})`, subjects: [a] }]);
    }
    subject = { family: "unix", path: res.path };
    unixPath = mark(res.path);
  }

  // A unix bind creates a socket file: a write of its path, whatever the network lists say.
  // In bpf mode every write is refused as the kernel would (EPERM, silently), binds included:
  // the filter cannot read the address, so it sends them here (src/launch/filter.ts).
  const wm = sb.mode("write");
  if (bind && subject.family === "unix" && a.family === "unix" && a.path !== "" && wm !== "off" && (wm === "bpf" || !sb.allows("write", subject.path))) {
    const path = subject.path;
    return deny(wm === "bpf" ? Errno.EPERM : Errno.EACCES, [{ category: "write", call: pathCall(row.name, [path]), subjects: [path] }]);
  }
  const autobind = bind && a.family === "unix" && a.path === "";
  const allowed = autobind || sb.allows(cat, subject) || (!bind && bound.has(subject));
  if (!allowed) {
    // bpf mode: the kernel's EPERM, as if the filter had answered (a bind is sent for the write check).
    const errno = sb.mode(cat) === "bpf" ? Errno.EPERM : bind ? Errno.EADDRNOTAVAIL : Errno.ECONNREFUSED;
    return deny(errno, [{ category: cat, call: `${row.name}(${formatAddress(subject)})`, subjects: [subject] }]);
  }
  return { subject, unixPath };
}
