/**
 * The tracee's credentials, worn by the supervisor thread while it performs a call on the
 * tracee's behalf, so that permission checks, new files' owners and the umask come out as
 * they would have in the tracee.
 *
 * - The umask: the supervisor thread unshares its fs_struct (CLONE_FS) once, so setting the
 *   tracee's umask changes that thread only, never the main thread's file creation.
 * - fsuid, fsgid and the supplementary groups: setfsuid/setfsgid and the raw setgroups
 *   syscall are per thread at the kernel level, so the thread switches to the tracee's
 *   filesystem identity around the call and back. Only a root supervisor can (and needs to):
 *   under no_new_privs a tracee of an unprivileged supervisor cannot hold other ids.
 *
 * Not carried over, documented: capabilities beyond those the fsuid switch drops (a root
 * tracee that dropped CAP_DAC_OVERRIDE keeps it here), and LSM labels.
 */
import { readFileSync } from "node:fs";
import * as fs from "../../../ffi/fsops";

/** What /proc/TID/status says about a thread's identity. */
export interface TraceeStatus {
  tgid: number;
  umask: number | null;
  fsuid: number;
  fsgid: number;
  groups: number[];
}

/** Tgid, umask and filesystem identity of thread `tid`; null if it is gone. */
export function traceeStatus(tid: number): TraceeStatus | null {
  let s: string;
  try { s = readFileSync(`/proc/${tid}/status`, "latin1"); } catch { return null; }
  const tgid = /^Tgid:\s*(\d+)/m.exec(s);
  if (!tgid) return null;
  const umask = /^Umask:\s*([0-7]+)/m.exec(s);
  const uid = /^Uid:\s*\d+\s+\d+\s+\d+\s+(\d+)/m.exec(s);
  const gid = /^Gid:\s*\d+\s+\d+\s+\d+\s+(\d+)/m.exec(s);
  const groups = /^Groups:([ \d]*)$/m.exec(s);
  return {
    tgid: Number(tgid[1]),
    umask: umask ? parseInt(umask[1], 8) : null,
    fsuid: uid ? Number(uid[1]) : -1,
    fsgid: gid ? Number(gid[1]) : -1,
    groups: groups ? groups[1].trim().split(/\s+/).filter(Boolean).map(Number) : [],
  };
}

let own: { uid: number; gid: number; groups: Uint32Array } | null = null;

/** Gives the calling (supervisor) thread its own umask; once. */
function ownCreds() {
  if (own) return own;
  fs.unshare(fs.CLONE_FS);
  const st = traceeStatus(process.pid);
  own = { uid: fs.geteuid(), gid: st ? st.fsgid : 0, groups: fs.getgroups() };
  return own;
}

const sameGroups = (a: number[], b: Uint32Array) => a.length === b.length && a.every((g, i) => g === b[i]);

/**
 * Runs `op` with the tracee's filesystem identity and (for `creates`) its umask, and
 * returns what `op` returns.
 */
export function asTracee(st: TraceeStatus, creates: boolean, op: () => number): number {
  const me = ownCreds();
  if (creates && st.umask !== null) fs.umask(st.umask);
  const switchIds = me.uid === 0 && st.fsuid >= 0 && (st.fsuid !== me.uid || st.fsgid !== me.gid || !sameGroups(st.groups, me.groups));
  if (!switchIds) return op();
  fs.setgroups(Uint32Array.from(st.groups));
  fs.setfsgid(st.fsgid);
  fs.setfsuid(st.fsuid);
  try {
    return op();
  } finally {
    // fsuid back to 0 first: that restores the filesystem capabilities the switch dropped.
    fs.setfsuid(me.uid);
    fs.setfsgid(me.gid);
    fs.setgroups(me.groups);
  }
}
