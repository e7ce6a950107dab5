/**
 * Race-free emulation (core/trace/emulate:true): instead of answering CONTINUE after a
 * check, which lets the kernel read the path (and follow its symlinks) a second time, the
 * supervisor performs the call itself on the paths it checked and answers with the result
 * or errno the kernel would have given.
 *
 * What is emulated is what is checked: a call whose categories are all off is not looked at
 * at all, so with only write sandboxing on only write-class calls are emulated, and with read
 * sandboxing on reads are too. Calls that cannot be performed by another process (execve)
 * and calls whose outcome is only an answer (the access family) stay CONTINUE; so does
 * mount. See README "Emulation" for the measured cost.
 */
import type { SyscallRow } from "../../syscalls/table";
import type { Dispatcher } from "../dispatch";
import type { PathRequest } from "../paths";
import { ANSWERED, EMULATIONS, KERNEL, type EmuCall } from "./calls";
import { asTracee, identityMatters, traceeStatus } from "./creds";

/**
 * Can calls of `row` be emulated? Its `emulate` says. (i386 callers' 32-bit time structs
 * and split truncate64 length are read in their layout, calls.ts.)
 */
export function emulates(row: SyscallRow): boolean {
  return row.emulate !== undefined;
}

/**
 * Performs the current notification's call on the checked canonical `paths` and answers
 * it. `raws` are the tracee's own path strings (null for a NULL pointer): only their last
 * component's `.`/`..` and trailing slash are looked at.
 */
export function emulatePath(d: Dispatcher, row: SyscallRow, req: PathRequest, paths: string[], raws: (string | null)[]): void {
  const n = d.n;
  // The paths were resolved through /proc/PID: act only if that is still our tracee.
  if (!n.idValid()) return;
  const spec = row.emulate!;
  const e = EMULATIONS[spec.kind];
  const c: EmuCall = { d, row, spec, req, paths, raws };
  const creates = e.creates(c);
  let r: number;
  if (creates || identityMatters()) {
    const st = traceeStatus(n.pid);
    if (st === null) return; // the tracee is gone: nobody to answer
    r = asTracee(st, creates, () => e.run(c));
  } else {
    r = e.run(c);
  }
  if (r === ANSWERED) return;
  if (r === KERNEL) return n.continue();
  if (r < 0) return n.fail(-r);
  n.succeed(r);
}
