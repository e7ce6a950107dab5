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
import type { Call } from "../call";
import type { CheckedPath } from "../checked";
import type { PathRequest } from "../paths";
import { GONE, result, type Answer } from "../verdict";
import { EMULATIONS, type EmuCall } from "./calls";
import { asTracee, identityMatters, traceeStatus } from "./creds";

/**
 * Can calls of `row` be emulated? Its `emulate` says. (i386 callers' 32-bit time structs
 * and split truncate64 length are read in their layout, calls.ts.)
 */
export function emulates(row: SyscallRow): boolean {
  return row.emulate !== undefined;
}

/**
 * Performs call `c` of `row` on the checked canonical `paths` and returns its answer.
 * `raws` are the tracee's own path strings (null for a NULL pointer): only their last
 * component's `.`/`..` and trailing slash are looked at.
 */
export function emulatePath(c: Call, row: SyscallRow, req: PathRequest, paths: readonly CheckedPath[], raws: readonly (string | null)[]): Answer {
  // The paths were resolved through /proc/PID: act only if that is still our tracee.
  if (!c.idValid()) return GONE;
  const spec = row.emulate!;
  const e = EMULATIONS[spec.kind];
  const emu: EmuCall = { call: c, row, spec, req, paths, raws };
  const creates = e.creates(emu);
  let r: number | Answer;
  if (creates || identityMatters()) {
    const st = traceeStatus(c.pid);
    if (st === null) return GONE; // the tracee is gone: nobody to answer
    r = asTracee(st, creates, () => e.run(emu));
  } else {
    r = e.run(emu);
  }
  return typeof r === "number" ? result(r) : r;
}
