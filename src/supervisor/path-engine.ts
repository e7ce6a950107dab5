/**
 * The engine for path syscalls: one function over every row of the table that has path
 * arguments. It decodes the arguments the row describes (paths.ts), resolves them as the
 * kernel will, has them checked (checked.ts), and returns the verdict: CONTINUE, a denial,
 * or (core/trace/emulate) the result of performing the call on the checked paths.
 */
import { Errno } from "../errors";
import { pathCall } from "../report/violation";
import type { SyscallRow } from "../syscalls/table";
import type { Call } from "./call";
import { checkPaths, type CheckedPath, type DryRecord } from "./checked";
import { emulatePath, emulates } from "./emulate";
import { execCheck } from "./exec-verify";
import { argResolveMode, pathRequest, resolveArg, RESOLVE_SCOPED, type PathRequest } from "./paths";
import type { Sandbox } from "./sandbox";
import { CONTINUE, deny, fail, GONE, KILL, type Answer, type Verdict } from "./verdict";

/**
 * Is there nothing to decide for this call? True when none of its categories is
 * on, or none can deny (allow mode with no deny rule) and a failed lookup is not
 * a violation either: its paths are then not even read (exec under --profile
 * paludis, most of a build's notified path calls). openat2's scoped lookups are
 * always looked at (they may be unverifiable, which denies). Indexed loops and
 * no closure: this runs first for every notified path call.
 */
function nothingToDecide(sb: Sandbox, req: PathRequest): boolean {
  const cats = req.categories;
  let noneOn = true;
  for (let i = 0; i < cats.length; i++) {
    const c = cats[i];
    if (sb.mode(c) === "off") continue;
    if (!sb.allowsEverything(c)) return false;
    noneOn = false;
  }
  if (noneOn) return true;
  return !sb.cfg.core.violation.raise_fail && ((req.resolve ?? 0) & RESOLVE_SCOPED) === 0;
}

/**
 * Would "nothing to decide" rest on tracee memory? openat2's categories come from its
 * struct open_how, which another thread can rewrite after our read: unless neither read
 * nor write can deny, its calls are always looked at (and emulated, or refused).
 */
function memoryDecides(sb: Sandbox, row: SyscallRow): boolean {
  return row.refine?.kind === "openHow" && !(sb.allowsEverything("read") && sb.allowsEverything("write"));
}

/**
 * The category a denial of the call is reported as: the first of its categories that is
 * on; none on (an openat2 looked at because its flags are memory), a write's.
 */
function firstOn(sb: Sandbox, req: PathRequest): "read" | "write" | "exec" {
  const cats = req.categories;
  for (let i = 0; i < cats.length; i++) if (sb.mode(cats[i]) !== "off") return cats[i];
  return "write";
}

/**
 * Lets the kernel fail a call the way it will; with emulation the supervisor answers the
 * errno itself, since a CONTINUE would let the kernel re-read a path a racing thread changed.
 */
const pass = (emu: boolean, errno: number): Answer => (emu ? fail(errno) : CONTINUE);

/** The path engine of one supervisor thread: its arrays are reused by every call. */
export class PathEngine {
  private readonly paths: string[] = [];
  private readonly exists: boolean[] = [];
  /** The tracee's own path strings, kept for emulation (its `.`, `..`, trailing slash). */
  private readonly raws: (string | null)[] = [];
  private readonly checked: CheckedPath[] = [];
  private readonly dry: DryRecord = { errno: 0, violations: null };
  /** The resolved paths of the last call, when it got that far (for the -d dump); else null. */
  resolved: readonly string[] | null = null;

  /** The verdict on call `c` of `row`, a row with path arguments. */
  check(c: Call, row: SyscallRow): Verdict {
    this.resolved = null;
    const pid = c.pid, sb = c.sandbox;
    if (row.category === "exec" && (sb.killIfMatch.length > 0 || sb.resumeIfMatch.length > 0) && !c.dryRun) {
      const k = execIfMatch(c, row, sb);
      if (k !== null) return k;
    }
    const req = pathRequest(row, c);
    if (req !== null && nothingToDecide(sb, req) && !memoryDecides(sb, row)) return CONTINUE;
    const emu = sb.cfg.core.trace.emulate && emulates(row);
    // openat2's flags are tracee memory: without emulation (or where it cannot be made) the
    // call is refused with ENOSYS, and libc callers fall back to openat, whose flags are registers.
    if (!emu && row.refine?.kind === "openHow") return fail(Errno.ENOSYS);
    // A verified exec answers its failed lookups itself too: a CONTINUE would let the kernel
    // look again, at a path a racing thread has meanwhile made to exist.
    const verifies = verifiesExec(c, row, sb), own = emu || verifies;
    if (req === null) return pass(own, Errno.EFAULT); // unreadable flags: the kernel reports EFAULT
    const firstCat = firstOn(sb, req);

    const paths = this.paths, exists = this.exists, raws = this.raws;
    paths.length = 0; exists.length = 0; raws.length = 0;
    let raw0 = "";
    for (let i = 0; i < row.paths!.length; i++) {
      const p = row.paths![i];
      const addr = c.arg(p.path);
      const raw = addr === 0 ? null : c.readString(addr);
      // No ID_VALID check here: a notification that died meanwhile makes our
      // answer fail harmlessly. The dispatcher checks it before anything with a
      // side effect (a report, a kill), emulation before it acts.
      if (raw === null && addr !== 0) {
        // An exec whose path we may not read (an undumpable process under a non-root sydbox)
        // could not be seized either: denied and reported, never continued.
        const e = c.readErrno;
        if (verifies && (e === Errno.EPERM || e === Errno.EACCES)) return deny(Errno.EACCES, [{ category: "exec", call: `${row.name}(?) (cannot be verified: its memory is not readable)`, subjects: [] }]);
        return pass(own, e); // EFAULT/ENAMETOOLONG: the kernel says so itself
      }
      const res = resolveArg(pid, p, c, raw, argResolveMode(p, c, i === 0 ? req.mode : undefined), i === 0 ? req.resolve : 0);
      if (!res.ok && "unverifiable" in res) {
        // openat2 scoped lookups sydbox cannot reproduce: denied, whatever the lists say.
        return deny(req.eacces ? Errno.EACCES : Errno.EPERM, [{ category: firstCat, call: pathCall(row.name, [raw ?? ""]), subjects: [raw ?? ""] }]);
      }
      if (!res.ok) {
        // The kernel will fail this lookup the same way; raise_fail makes it a violation.
        if (!sb.cfg.core.violation.raise_fail) return pass(own, res.errno);
        return deny(res.errno || (req.eacces ? Errno.EACCES : Errno.EPERM), [{ category: firstCat, call: pathCall(row.name, [raw ?? ""]), subjects: [raw ?? ""] }]);
      }
      if (i === 0) raw0 = raw ?? "";
      paths.push(res.path);
      exists.push(res.exists);
      if (emu) raws.push(raw);
    }
    this.resolved = paths;
    const dry = this.dry;
    dry.errno = 0; dry.violations = null;
    const denied = checkPaths(c, row, req, paths, exists, this.checked, dry);
    if (denied !== null) return denied;
    if (verifies) {
      // Only the tracee can exec: continued, then what runs is verified (exec-verify.ts).
      return execCheck(row.name, this.checked[0], raw0, row.name === "execveat" ? c.argInt(0) : null);
    }
    const then = emu ? emulatePath(c, row, req, this.checked, raws) : CONTINUE;
    return dry.violations === null ? then : deny(dry.errno, dry.violations, then);
  }
}

/**
 * Is an allowed exec verified after the fact? With emulation (core/trace/emulate:false is
 * SydBox 2's check-then-continue) and exec sandboxing deciding it; not in a dry run, which
 * denies nothing.
 */
function verifiesExec(c: Call, row: SyscallRow, sb: Sandbox): boolean {
  return row.category === "exec" && !c.dryRun && sb.cfg.core.trace.emulate && sb.mode("exec") !== "off";
}

/**
 * exec/kill_if_match: an exec of a matching path kills the process with SIGKILL
 * (whatever core/sandbox/exec says). exec/resume_if_match (checked second, as SydBox
 * did): if this exec succeeds, the process is no longer sandboxed (state.ts
 * resumeOnExec); the exec itself is decided as usual. Null when no kill is due.
 */
function execIfMatch(c: Call, row: SyscallRow, sb: Sandbox): Verdict | null {
  const p = row.paths![0];
  const addr = c.arg(p.path);
  const raw = addr === 0 ? null : c.readString(addr);
  if (!c.idValid()) return GONE;
  if (raw === null) return null;
  const res = resolveArg(c.pid, p, c, raw, argResolveMode(p, c));
  if (!res.ok) return null;
  if (!sb.killIfMatch.some((f) => f(res.path))) {
    if (sb.resumeIfMatch.some((f) => f(res.path))) c.resumeOnExec();
    return null;
  }
  return KILL;
}
