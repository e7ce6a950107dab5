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
import * as fs from "../../../ffi/fsops";

/** What /proc/TID/status says about a thread's identity. */
export interface TraceeStatus {
  tgid: number;
  umask: number | null;
  fsuid: number;
  fsgid: number;
  groups: number[];
}

const statusBuf = Buffer.alloc(8192);
const field = (name: string) => Buffer.from(`\n${name}:\t`, "latin1");
const TGID = field("Tgid"), UMASK = field("Umask"), UID = field("Uid"), GID = field("Gid"), GROUPS = field("Groups");

/** The numbers after `key` in status text `b[0..end)`, in `base`; [] if absent. */
function numbers(b: Buffer, end: number, key: Buffer, base: number, out: number[]): number[] {
  let i = b.indexOf(key);
  if (i < 0 || i >= end) return out;
  i += key.length;
  let v = -1;
  for (; i < end; i++) {
    const c = b[i];
    if (c >= 48 && c <= 57) v = (v < 0 ? 0 : v * base) + (c - 48);
    else {
      if (v >= 0) { out.push(v); v = -1; }
      if (c === 10) break;
    }
  }
  if (v >= 0) out.push(v);
  return out;
}

/** Tgid, umask and filesystem identity of thread `tid`; null if it is gone. */
export function traceeStatus(tid: number): TraceeStatus | null {
  // Read without allocating a string: this runs on every emulated create.
  const n = fs.readFile(`/proc/${tid}/status`, statusBuf);
  if (n <= 0) return null;
  const b = statusBuf;
  const tgid = numbers(b, n, TGID, 10, []);
  if (tgid.length === 0) return null;
  const umask = numbers(b, n, UMASK, 8, []);
  const uid = numbers(b, n, UID, 10, []), gid = numbers(b, n, GID, 10, []);
  return {
    tgid: tgid[0],
    umask: umask.length ? umask[0] : null,
    fsuid: uid.length === 4 ? uid[3] : -1,
    fsgid: gid.length === 4 ? gid[3] : -1,
    groups: numbers(b, n, GROUPS, 10, []),
  };
}

let own: { uid: number; gid: number; groups: Uint32Array } | null = null;

/**
 * Does a call that creates nothing need the tracee's status at all? Only a root supervisor
 * switches identities; any other shares its tracees' (no_new_privs), and reading
 * /proc/TID/status is the dearest part of an emulated call.
 */
export function identityMatters(): boolean {
  return ownCreds().uid === 0;
}

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
