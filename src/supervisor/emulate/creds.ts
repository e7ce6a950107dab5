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
 * - The effective capabilities: capabilities are per thread too; a root supervisor wears
 *   the tracee's effective set (within its own permitted set) around the call. Not those
 *   of a tracee in another user namespace: its capabilities hold in that namespace only
 *   (an unprivileged process gets a full set with `unshare -U`), while the supervisor's
 *   thread acts in its own, where they would be real. Such a tracee's calls are made with
 *   no capabilities at all: never more than the kernel would allow, sometimes less (over
 *   files whose owners are mapped into its namespace).
 *
 * - The real uid and gid, for sends only (`asSender`): the kernel stamps them on a unix or
 *   netlink message (what an SO_PASSCRED receiver sees). A root supervisor thread sets its
 *   real ids alone (raw setresuid/setresgid, per thread) and keeps its effective uid 0, so
 *   it keeps its capabilities, and sets them back after the send.
 *
 * Not carried over, documented: LSM labels, and the pid stamped on a unix message.
 */
import * as fs from "../../../ffi/fsops";

/** What /proc/TID/status says about a thread's identity. */
export interface TraceeStatus {
  tgid: number;
  umask: number | null;
  /** Real uid and gid: what the kernel stamps on a unix or netlink message it sends. */
  uid: number;
  gid: number;
  fsuid: number;
  fsgid: number;
  groups: number[];
  /** The effective capability set, low and high 32 bits; null if unknown. */
  capEff: [number, number] | null;
}

const statusBuf = Buffer.alloc(8192);
const field = (name: string) => Buffer.from(`\n${name}:\t`, "latin1");
const TGID = field("Tgid"), UMASK = field("Umask"), UID = field("Uid"), GID = field("Gid"), GROUPS = field("Groups"), CAPEFF = field("CapEff");

/** The 64-bit hex mask after `key` as [low, high] 32-bit halves; null if absent. */
function hexMask(b: Buffer, end: number, key: Buffer): [number, number] | null {
  const i = b.indexOf(key);
  if (i < 0 || i + key.length + 16 > end) return null;
  const s = b.latin1Slice(i + key.length, i + key.length + 16);
  return [parseInt(s.slice(8), 16), parseInt(s.slice(0, 8), 16)];
}

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
    uid: uid.length === 4 ? uid[0] : -1,
    gid: gid.length === 4 ? gid[0] : -1,
    fsuid: uid.length === 4 ? uid[3] : -1,
    fsgid: gid.length === 4 ? gid[3] : -1,
    groups: numbers(b, n, GROUPS, 10, []),
    capEff: hexMask(b, n, CAPEFF),
  };
}

let own: { uid: number; gid: number; ruid: number; rgid: number; groups: Uint32Array; caps: Uint32Array; userNs: string } | null = null;

const nsBuf = Buffer.alloc(64);

/** The user namespace of process `pid` (`user:[inode]`), "" if unreadable. */
function userNamespace(pid: number): string {
  const n = fs.readLink(`/proc/${pid}/ns/user`, nsBuf);
  return n > 0 ? nsBuf.latin1Slice(0, n) : "";
}

/**
 * The effective capabilities the supervisor may wear for tracee `st`: its own, or none
 * when it is in another user namespace (or that cannot be told). A process changes
 * user namespace only while single-threaded, so its thread group leader tells.
 */
function wearableCaps(st: TraceeStatus, me: NonNullable<typeof own>): [number, number] | null {
  if (st.capEff === null || (st.capEff[0] === 0 && st.capEff[1] === 0)) return st.capEff;
  return userNamespace(st.tgid) === me.userNs && me.userNs !== "" ? st.capEff : [0, 0];
}

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
  own = {
    uid: fs.geteuid(), gid: st ? st.fsgid : 0, ruid: st ? st.uid : -1, rgid: st ? st.gid : -1, groups: fs.getgroups(), caps: fs.capget(),
    userNs: userNamespace(process.pid),
  };
  return own;
}

const sameGroups = (a: number[], b: Uint32Array) => a.length === b.length && a.every((g, i) => g === b[i]);

const worn = new Uint32Array(6);

/**
 * Runs `op` with the tracee's filesystem identity and (for `creates`) its umask, and
 * returns what `op` returns. A root supervisor also wears the tracee's effective
 * capabilities (within its own permitted set), so a root tracee that dropped, say,
 * CAP_DAC_OVERRIDE is refused what the kernel would refuse it.
 */
export function asTracee<T>(st: TraceeStatus, creates: boolean, op: () => T): T {
  const me = ownCreds();
  if (creates && st.umask !== null) fs.umask(st.umask);
  if (me.uid !== 0 || st.fsuid < 0) return op();
  const caps = wearableCaps(st, me);
  const sameCaps = caps === null || (caps[0] === me.caps[0] && caps[1] === me.caps[3]);
  if (st.fsuid === me.uid && st.fsgid === me.gid && sameGroups(st.groups, me.groups) && sameCaps) return op();
  fs.setgroups(Uint32Array.from(st.groups));
  fs.setfsgid(st.fsgid);
  fs.setfsuid(st.fsuid);
  if (!sameCaps) {
    worn.set(me.caps);
    worn[0] = caps![0] & me.caps[1];
    worn[3] = caps![1] & me.caps[4];
    fs.capset(worn);
  }
  try {
    return op();
  } finally {
    // fsuid back to 0 first: that restores the filesystem capabilities the switch dropped.
    fs.setfsuid(me.uid);
    if (!sameCaps) fs.capset(me.caps);
    fs.setfsgid(me.gid);
    fs.setgroups(me.groups);
  }
}

/**
 * Can the supervisor send a message that the kernel stamps with the sender's real uid and gid
 * (unix, netlink) for tracee `st`? Yes when they are its own, or as root, which wears them.
 */
export function canSendAs(st: TraceeStatus): boolean {
  const me = ownCreds();
  return (st.uid === me.ruid && st.gid === me.rgid) || (me.uid === 0 && st.uid >= 0 && st.gid >= 0);
}

/** `asTracee` for a send (no umask), also wearing the tracee's real uid and gid (see `canSendAs`). */
export function asSender<T>(st: TraceeStatus, op: () => T): T {
  const me = ownCreds();
  if (me.uid !== 0 || st.uid < 0 || st.gid < 0 || (st.uid === me.ruid && st.gid === me.rgid)) return asTracee(st, false, op);
  // The gid first, while the thread's effective uid is still 0 either way.
  fs.setRealGid(st.gid);
  fs.setRealUid(st.uid);
  try {
    return asTracee(st, false, op);
  } finally {
    // setresuid and setresgid also reset the fsuid and fsgid to the effective ids (0), as before.
    fs.setRealUid(me.ruid);
    fs.setRealGid(me.rgid);
  }
}
