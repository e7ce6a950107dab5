/**
 * Post-exec verification (core/sandbox/exec with core/trace/emulate). Only the tracee can
 * exec, so an allowed execve is CONTINUEd, and the kernel looks its path up again: a thread
 * that rewrites the path buffer meanwhile, or a symlink swapped in a writable directory,
 * would start a program the lists deny. So the supervisor thread becomes the exec's tracer
 * for that one call: PTRACE_SEIZE (which does not stop it) with PTRACE_O_TRACEEXEC before the
 * CONTINUE, PTRACE_INTERRUPT after it, then its first stop decides. The exec event stop
 * comes from inside execve, before the new image runs an instruction and before the return
 * to user space where the interrupt is taken: so an exec stop means the exec succeeded (and
 * what runs is judged here, then killed if it is not what was checked), and any other stop
 * means it failed and returned. Then PTRACE_DETACH, which also drops the pending interrupt.
 * The supervisor thread has no children, so waitid(P_ALL, __WNOTHREAD) sees this tracee only;
 * P_ALL because an exec by a non-leader thread takes the leader's tid.
 */
import { AT } from "../../ffi/at";
import * as at from "../../ffi/at";
import {
  CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_TRAPPED, PTRACE_EVENT_EXEC, PTRACE_O_EXITKILL, PTRACE_O_TRACEEXEC, SIGKILL, SIGTRAP,
} from "../../ffi/constants";
import * as fs from "../../ffi/fsops";
import { loadLibc } from "../../ffi/libc";
import { detach, interrupt, seize, waitTracee } from "../../ffi/ptrace";
import { Errno } from "../errors";
import { resolvePath } from "../path/resolve";
import { readProcText } from "../procfs";
import type { CheckedPath } from "./checked";
import { openCanonical, pin, selfFd } from "./emulate/canonical";
import type { Sandbox } from "./sandbox";
import { fail, type ExecCheck, type Fail } from "./verdict";

/**
 * The verification of an allowed exec of `checked` (`raw` as the tracee wrote it; for
 * execveat, `dirfd`), or a failure when the program cannot even be pinned (it vanished).
 */
export function execCheck(name: string, checked: CheckedPath, raw: string, dirfd: number | null): ExecCheck | Fail {
  const fd = pin(checked, true);
  if (fd < 0) return fail(-fd);
  // fs/exec.c alloc_bprm: the name a #! interpreter is given.
  const filename = dirfd === null || dirfd === AT.FDCWD || raw.charCodeAt(0) === 47 ? raw
    : raw === "" ? `/dev/fd/${dirfd}` : `/dev/fd/${dirfd}/${raw}`;
  return { kind: "verify-exec", name, pin: fd, filename };
}

/** Makes the supervisor thread thread `tid`'s tracer for one exec: 0 or -errno. */
export function seizeExec(tid: number): number {
  // EXITKILL: should sydbox die while it holds the exec, the tracee dies too.
  return seize(tid, PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
}

/** An exec that did not run what was checked: its pid, and what ran. */
export interface Foiled {
  pid: number;
  ran: string;
}

/**
 * Follows a seized exec of thread `tid` that was just CONTINUEd to its first stop, judges
 * what runs if it succeeded, and detaches; null then. If what runs is not what `x` checked,
 * it is returned still stopped at its exec event, to be reported and then foil()ed.
 * Blocks for one exec.
 */
export function followExec(tid: number, x: ExecCheck, sb: Sandbox): Foiled | null {
  // ESRCH: it has exec'd already under its leader's tid, or died; its stop or exit still comes.
  interrupt(tid);
  for (;;) {
    const w = waitTracee();
    if (typeof w === "number") {
      if (w === -Errno.EINTR) continue; // a tree request (SIGUSR1/2) to this thread
      if (w === -Errno.ECHILD) return null; // gone and reaped
      throw new Error(`waitid for the exec of ${tid}: errno ${-w}`);
    }
    if (w.code === CLD_EXITED || w.code === CLD_KILLED || w.code === CLD_DUMPED) return null; // died in the exec
    if (w.code !== CLD_TRAPPED) continue;
    const pid = w.pid;
    if (w.status === (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
      const ran = judge(pid, x, sb);
      if (ran === null) { detach(pid, 0); return null; }
      return { pid, ran }; // still stopped, for the report; then foil() kills it
    }
    // Any other first stop: the exec failed and returned. A signal-delivery stop (no event
    // in the high bits) is handed back with the detach, so the signal is still delivered.
    detach(pid, w.status >> 8 === 0 ? w.status : 0);
    return null;
  }
}

/** Kills a foiled exec, stopped at its exec event: it dies before its first instruction. */
export function foil(f: Foiled): void {
  loadLibc().kill(f.pid, SIGKILL);
  awaitExit();
}

/** Reaps the killed tracee's exit (reported to its tracer first). */
function awaitExit(): void {
  for (;;) {
    const w = waitTracee();
    if (typeof w === "number") { if (w === -Errno.EINTR) continue; return; }
    if (w.code === CLD_EXITED || w.code === CLD_KILLED || w.code === CLD_DUMPED) return;
  }
}

/**
 * What process `pid`, stopped at its exec event, is about to run: null if it is what `x`
 * checked, else the path to report. The checked file itself (same device and inode as the
 * pin) passes. Otherwise it was a #! script (its interpreter runs): that passes only if the
 * interpreter passes the exec check, the new argv starts with exactly what the kernel puts
 * there (each #! line's interpreter and argument, outermost first, then the filename the
 * checked script was given: a rewritten path buffer shows up there), and that filename
 * still names the checked script. The new image is private to this one stopped thread, so
 * nothing changes under us while we read.
 */
function judge(pid: number, x: ExecCheck, sb: Sandbox): string | null {
  const want = at.statx(x.pin, "", AT.EMPTY_PATH);
  const exe = at.statx(AT.FDCWD, `/proc/${pid}/exe`, 0);
  if (typeof want === "number" || typeof exe === "number") return `/proc/${pid}/exe`;
  if (same(want, exe)) return null;
  const exePath = at.readlinkat(AT.FDCWD, `/proc/${pid}/exe`);
  if (typeof exePath === "number") return `/proc/${pid}/exe`;
  if (!sb.allows("exec", exePath)) return exePath;
  const prefix = interpreters(pid, x.pin, exe);
  if (prefix === null) return exePath; // not a script, or not one that leads to exe
  prefix.push(x.filename);
  const argv = (readProcText(`/proc/${pid}/cmdline`) ?? "").split("\0");
  for (let i = 0; i < prefix.length; i++) if (argv[i] !== prefix[i]) return argv[prefix.length - 1] || exePath;
  // The script the interpreter will open by that name: still the checked one? (A swap after
  // this look, by another process, is the residual limit of #! scripts; docs/design.md.)
  const res = resolvePath(pid, "cwd", x.filename, "follow");
  if (!res.ok) return x.filename;
  const now = statPath(res.path);
  return now !== null && same(want, now) ? null : res.path;
}

/** The kernel follows at most this many #! interpreters (BINPRM_MAX_RECURSION). */
const MAX_INTERPRETERS = 4;

/**
 * The argv words the kernel puts before a script's filename, if the pinned script leads to
 * the program `exe` through its #! interpreters (an interpreter may itself be a script), or
 * null. Each interpreter is looked up as process `pid` sees it.
 */
function interpreters(pid: number, pinned: number, exe: at.StatxInfo): string[] | null {
  const words: string[] = [];
  let fd = pinned;
  try {
    for (let depth = 0; depth < MAX_INTERPRETERS; depth++) {
      const line = shebangOf(fd);
      if (line === null) return null;
      words.unshift(...line);
      const res = resolvePath(pid, "cwd", line[0], "follow");
      if (!res.ok) return null;
      if (fd !== pinned) at.close(fd);
      fd = openCanonical(res.path, at.O.PATH, 0);
      if (fd < 0) return null;
      const st = at.statx(fd, "", AT.EMPTY_PATH);
      if (typeof st === "number") return null;
      if (same(st, exe)) return words;
    }
    return null;
  } finally {
    if (fd !== pinned && fd >= 0) at.close(fd);
  }
}

/** The identity of the canonical `path`, or null. */
function statPath(path: string): at.StatxInfo | null {
  const fd = openCanonical(path, at.O.PATH, 0);
  if (fd < 0) return null;
  const st = at.statx(fd, "", AT.EMPTY_PATH);
  at.close(fd);
  return typeof st === "number" ? null : st;
}

const same = (a: at.StatxInfo, b: at.StatxInfo) => a.ino === b.ino && a.devMajor === b.devMajor && a.devMinor === b.devMinor;

const head = new Uint8Array(256);
/**
 * The #! line of the pinned file as fs/binfmt_script.c reads it (its first 256 bytes):
 * [interpreter] or [interpreter, argument]; null if it is not a script.
 */
function shebangOf(pinned: number): string[] | null {
  head.fill(0);
  const n = fs.readFile(selfFd(pinned), head);
  const b = head;
  if (n < 2 || b[0] !== 35 || b[1] !== 33) return null;
  const sp = (c: number) => c === 32 || c === 9, term = (c: number) => sp(c) || c === 0;
  const last = b.length - 1;
  let end = b.indexOf(10);
  if (end < 0) {
    let p = 2;
    while (p <= last && sp(b[p])) p++;
    if (p > last) return null;
    while (p <= last && !term(b[p])) p++;
    if (p > last) return null; // the interpreter's name is cut off: ENOEXEC
    end = last;
  }
  while (sp(b[end - 1])) end--;
  let name = 2;
  while (name <= end && sp(b[name])) name++;
  if (name >= end) return null;
  let sep = name;
  while (sep <= end && !term(b[sep])) sep++;
  let arg = -1;
  if (sep <= end && b[sep] !== 0) { arg = sep; while (arg <= end && sp(b[arg])) arg++; if (arg > end) arg = -1; }
  b[end] = 0;
  if (sep <= end) b[sep] = 0;
  const str = (i: number) => Buffer.from(b.buffer, b.byteOffset + i, b.indexOf(0, i) - i).toString("latin1");
  return arg < 0 ? [str(name)] : [str(name), str(arg)];
}
