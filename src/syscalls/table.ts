/**
 * The syscall table: every syscall sydbox looks at, as data. The BPF filter, the
 * argument decoding, the decision and the emulation (core/trace/emulate) are all
 * derived from these rows, so adding a syscall means adding a row here and nothing
 * else (a new emulation kind also needs its implementation).
 *
 * Argument indices are those of the syscall ABI (not of libc wrappers).
 */
import {
  AT_EMPTY_PATH, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, EXT4_IOC32_SETVERSION, EXT4_IOC_SETVERSION, F_SETOWN, FS_IOC32_SETFLAGS, FS_IOC32_SETVERSION, FS_IOC_FSSETXATTR,
  FS_IOC_SETFLAGS, FS_IOC_SETVERSION, SYS_SOCKETCALL, type Arch,
} from "../../ffi/constants";
import { Errno } from "../errors";
import type { ResolveMode } from "../path/types";
import type { RuleCategory } from "../config/vocabulary";
import type { RestrictLevel } from "./classes";

/**
 * What a syscall is checked as. `access` and `open` rows pick read/write/exec per call.
 * `signal` is no sandbox category: those calls are always looked at, so that nothing
 * sandboxed can signal sydbox or the reaper of its tree (see `SignalTarget`).
 */
export type Category = RuleCategory | "magic" | "signal";

/**
 * How the last path component is resolved (see src/path/types.ts): `follow`
 * (open, stat, chmod), `nofollow` (lstat, unlink, rename, mkdir: not followed,
 * may be missing), `missing-ok` (creat, O_CREAT: followed to a possibly missing
 * symlink target, so a write through a symlink is checked where it lands).
 */
export type Follow = ResolveMode;

/** A flag bit in an argument that changes how a path argument is resolved. */
export interface FlagBit {
  arg: number;
  bit: number;
}

/** Where a path argument lives and how it resolves. */
export interface PathArg {
  /** Argument index of the `const char *` path. */
  path: number;
  /** Argument index of the dirfd, for the *at calls. */
  dirfd?: number;
  follow: Follow;
  /** A set bit makes the last component not followed (AT_SYMLINK_NOFOLLOW). */
  nofollowFlag?: FlagBit;
  /** A set bit makes the last component followed (linkat's AT_SYMLINK_FOLLOW). */
  followFlag?: FlagBit;
  /** A set bit with an empty path means the dirfd itself (AT_EMPTY_PATH). */
  emptyPathFlag?: FlagBit;
  /** A NULL path means the dirfd itself (utimensat). */
  nullIsDirfd?: boolean;
}

/**
 * The errno a call would get from the kernel anyway, so that denying it is "safe"
 * and silent unless core/violation/raise_safe is set:
 * - exists: EEXIST when the path already exists (mkdir, mknod, symlink, O_CREAT|O_EXCL);
 * - missing: ENOENT when the path does not exist (unlink, rmdir, chmod...);
 * - always: every denial is silent (SydBox 2's "safe" calls: the access family,
 *   answered EACCES, and listxattr, answered ENOTSUP).
 * With several path arguments (link, linkat) the rule is about the last one, the
 * path being created; a denied earlier path is a plain violation.
 */
export type SafeRule = "exists" | "missing" | "always";

/** How the category of an `access`-style or `open`-style row is decided per call. */
export type Refine =
  | { kind: "access"; modeArg: number }
  | { kind: "open"; flagsArg: number }
  | { kind: "openHow"; howArg: number }
  | { kind: "creat" };

/** A send's other arguments, for emulation: its flags, and sendto's buffer and length. */
export interface SendArgs { flags: number; buf?: number; len?: number }

/** Where a socket address lives (and, for the sends, the rest of what they send). */
export type AddrArg =
  | { kind: "sockaddr"; addr: number; len: number; send?: SendArgs }
  | { kind: "msghdr"; msg: number; send: SendArgs }
  /** sendmmsg: a vector of `vlen` struct mmsghdr, each with a msghdr's msg_name. */
  | { kind: "mmsghdr"; vec: number; vlen: number; send: SendArgs };

/**
 * How core/trace/emulate performs a path call itself: one implementation per kind
 * (src/supervisor/emulate/calls.ts), shared by the rows of a family, which differ only in
 * the argument indices of `Emulate`. Rows without one (exec, the access family,
 * mount, magic) are CONTINUEd: execve cannot be performed by another process, the access
 * family's outcome is only an answer.
 */
export type EmuKind =
  | "open" | "mkdir" | "mknod" | "unlink" | "rmdir" | "rename" | "link" | "symlink"
  | "chmod" | "chown" | "truncate" | "utime" | "utimes" | "utimensat" | "setxattr" | "removexattr";

/**
 * A call on a descriptor that changes the file it names and needs no writable fd (only
 * ownership): checked as a write of that file, always performed by the supervisor on its
 * copy of the tracee's fd (src/supervisor/emulate/fdcalls.ts), never CONTINUEd (another
 * thread could put another file under the same fd number in between).
 */
export interface FdCall {
  kind: "fchmod" | "fchown" | "fsetxattr" | "fremovexattr" | "ioctl";
  /** Argument index of the fd. */
  fd: number;
}

/** How a row is emulated, and from which arguments. */
export interface Emulate {
  kind: EmuKind;
  /**
   * Argument index of the call's operand: the mode (open, mkdir, mknod, chmod; mknod's dev
   * follows it), the owner (chown; the group follows it), the times (utime, utimes,
   * utimensat), the length (truncate), the stored target (symlink). The open family's
   * flags are those of `refine`; openat2's mode is in its struct.
   */
  arg?: number;
  /** Argument index of the call's flags, for the calls that take any besides open's. */
  flags?: number;
}

/**
 * The target of a call that signals a process, or names one to be signalled later
 * (category `signal`): src/supervisor/signals.ts refuses sydbox and the child stage
 * that reaps the tree, wherever a target is a thread id of theirs, a group holding
 * them, or every process.
 */
export interface SignalTarget {
  /** Argument index of the target (a pid_t, or for `which` an id_t). */
  arg: number;
  /**
   * What the argument names: `pid` (kill: a process by any of its thread ids, > 0; the
   * caller's group, 0; every process, -1; a group, -pgid); `thread` (a thread id, > 0;
   * 0 the caller: tkill, tgkill, the sigqueues, and the resource-limit and scheduling
   * calls); `owner` (fcntl F_SETOWN: a process by a thread id, a group, or 0: nobody);
   * `which` (setpriority, ioprio_set: a thread, a process group or a user, as argument
   * `which.arg` says; 0 the caller's own).
   */
  kind: "pid" | "thread" | "owner" | "which";
  /** A target of 0 is the caller itself: such calls stay in the kernel (libc and runtimes make them at start). */
  zeroIsSelf?: boolean;
  /** Kind `which`: the argument that says what `arg` is, and its values for a thread, a group and a user. */
  which?: { arg: number; process: number; pgrp: number; user: number };
}

/**
 * A row about some values of one argument only (fcntl's command, ioctl's request): calls whose
 * argument `arg`, read as the kernel reads it (32 bits), is one of `values` are sent; the rest
 * stay in the kernel. The filter derives one rule per value (src/launch/filter.ts).
 */
export interface When {
  arg: number;
  values: number[];
}

/** The struct a stat call fills (src/supervisor/fakestat.ts writes each one). */
export type StatLayout = "stat-x86_64" | "stat-generic" | "statx";

/**
 * Category `magic`: the argument holding the stat result buffer, and the struct the call
 * fills on each architecture whose layout sydbox writes (elsewhere the kernel answers).
 */
export interface StatResult {
  buf: number;
  layouts: Partial<Record<Arch, StatLayout>>;
}

/** The call's number under socketcall(2) (i386 and other 32-bit ABIs), and its argument words there. */
export interface SocketCall {
  call: number;
  words: number;
}

/** One row of the table. */
export interface SyscallRow {
  name: string;
  category: Category;
  paths?: PathArg[];
  refine?: Refine;
  addr?: AddrArg;
  safe?: SafeRule;
  /** The errno of a denial, when neither EPERM (paths) nor EACCES (exec, access) is right. */
  denyErrno?: number;
  /** Only present on some architectures (libseccomp tells); absent ones are skipped. */
  optional?: boolean;
  /** How core/trace/emulate performs the call; absent: it is CONTINUEd after the check. */
  emulate?: Emulate;
  /** Category `signal`: where the target is. */
  signal?: SignalTarget;
  /**
   * The call may also create a file (AF_UNIX bind: the socket node at its path), checked as
   * a write of that path: it is sent whenever write sandboxing needs the supervisor, whatever
   * the mode of its own category.
   */
  alsoWrite?: boolean;
  /** A call on a descriptor, checked as a write of its file (see `FdCall`). */
  fdCall?: FdCall;
  /** Only these values of one argument are checked (see `When`). */
  when?: When;
  /** Category `magic`: where the fake stat goes, in which layout. */
  stat?: StatResult;
  /** Reached through socketcall(2) too, as this call number. */
  socketcall?: SocketCall;
  /** The lowest core/restrict/general level whose allowlist holds the call (see classes.ts). */
  restrict?: RestrictLevel;
}

/**
 * The ioctl requests that change a file's inode flags or version through any fd of it,
 * even a read-only one, with only ownership (chattr +i/-i/+a, the project id; ext4's own
 * version setter), in their 64-bit and 32-bit (compat) numbers. Those that change a file or
 * filesystem in ways no build needs are refused in BPF instead (src/launch/refusals.ts). FICLONE/FICLONERANGE need a writable destination fd,
 * FIDEDUPERANGE shares identical data only: they stay with the kernel.
 */
export const INODE_IOCTLS = {
  FS_IOC_SETFLAGS, FS_IOC32_SETFLAGS, FS_IOC_SETVERSION, FS_IOC32_SETVERSION, FS_IOC_FSSETXATTR,
  EXT4_IOC_SETVERSION, EXT4_IOC32_SETVERSION,
} as const;

const at = (path: number, dirfd: number, follow: Follow, extra: Partial<PathArg> = {}): PathArg => ({ path, dirfd, follow, ...extra });
const p = (path: number, follow: Follow): PathArg => ({ path, follow });
const nofollowAt = (arg: number): FlagBit => ({ arg, bit: AT_SYMLINK_NOFOLLOW });
const emptyAt = (arg: number): FlagBit => ({ arg, bit: AT_EMPTY_PATH });

/** Every syscall sydbox filters, in SydBox 2's categories. */
export const SYSCALLS: readonly SyscallRow[] = [
  // The open family: read or write by flags.
  { name: "open", restrict: 3, category: "read", paths: [p(0, "follow")], refine: { kind: "open", flagsArg: 1 }, emulate: { kind: "open", arg: 2 } },
  { name: "openat", restrict: 3, category: "read", paths: [at(1, 0, "follow")], refine: { kind: "open", flagsArg: 2 }, emulate: { kind: "open", arg: 3 } },
  { name: "openat2", category: "read", paths: [at(1, 0, "follow")], refine: { kind: "openHow", howArg: 2 }, emulate: { kind: "open" } },
  { name: "creat", restrict: 3, category: "write", paths: [p(0, "missing-ok")], refine: { kind: "creat" }, emulate: { kind: "open", arg: 1 } },
  // The access family: R_OK is read, W_OK write, X_OK exec.
  { name: "access", restrict: 2, category: "read", paths: [p(0, "follow")], refine: { kind: "access", modeArg: 1 }, safe: "always" },
  { name: "faccessat", category: "read", paths: [at(1, 0, "follow")], refine: { kind: "access", modeArg: 2 }, safe: "always" },
  { name: "faccessat2", category: "read", paths: [at(1, 0, "follow", { nofollowFlag: nofollowAt(3), emptyPathFlag: emptyAt(3) })], refine: { kind: "access", modeArg: 2 }, safe: "always" },
  // Read-only metadata.
  { name: "listxattr", category: "read", paths: [p(0, "follow")], safe: "always", denyErrno: Errno.ENOTSUP },
  { name: "llistxattr", category: "read", paths: [p(0, "nofollow")], safe: "always", denyErrno: Errno.ENOTSUP },
  // Writes.
  { name: "chmod", restrict: 3, category: "write", paths: [p(0, "follow")], safe: "missing", emulate: { kind: "chmod", arg: 1 } },
  { name: "fchmodat", restrict: 3, category: "write", paths: [at(1, 0, "follow")], safe: "missing", emulate: { kind: "chmod", arg: 2 } },
  { name: "fchmodat2", restrict: 3, category: "write", paths: [at(1, 0, "follow", { nofollowFlag: nofollowAt(3), emptyPathFlag: emptyAt(3) })], safe: "missing", optional: true, emulate: { kind: "chmod", arg: 2, flags: 3 } },
  { name: "chown", restrict: 3, category: "write", paths: [p(0, "follow")], safe: "missing", emulate: { kind: "chown", arg: 1 } },
  { name: "chown32", restrict: 3, category: "write", paths: [p(0, "follow")], safe: "missing", optional: true, emulate: { kind: "chown", arg: 1 } },
  { name: "lchown", restrict: 3, category: "write", paths: [p(0, "nofollow")], safe: "missing", emulate: { kind: "chown", arg: 1 } },
  { name: "lchown32", restrict: 3, category: "write", paths: [p(0, "nofollow")], safe: "missing", optional: true, emulate: { kind: "chown", arg: 1 } },
  { name: "fchownat", restrict: 3, category: "write", paths: [at(1, 0, "follow", { nofollowFlag: nofollowAt(4), emptyPathFlag: emptyAt(4) })], safe: "missing", emulate: { kind: "chown", arg: 2, flags: 4 } },
  { name: "mkdir", restrict: 3, category: "write", paths: [p(0, "nofollow")], safe: "exists", emulate: { kind: "mkdir", arg: 1 } },
  { name: "mkdirat", restrict: 3, category: "write", paths: [at(1, 0, "nofollow")], safe: "exists", emulate: { kind: "mkdir", arg: 2 } },
  { name: "mknod", restrict: 3, category: "write", paths: [p(0, "nofollow")], safe: "exists", emulate: { kind: "mknod", arg: 1 } },
  { name: "mknodat", restrict: 3, category: "write", paths: [at(1, 0, "nofollow")], safe: "exists", emulate: { kind: "mknod", arg: 2 } },
  { name: "rmdir", restrict: 3, category: "write", paths: [p(0, "nofollow")], safe: "missing", emulate: { kind: "rmdir" } },
  { name: "truncate", restrict: 3, category: "write", paths: [p(0, "follow")], safe: "missing", emulate: { kind: "truncate", arg: 1 } },
  { name: "truncate64", restrict: 3, category: "write", paths: [p(0, "follow")], safe: "missing", optional: true, emulate: { kind: "truncate", arg: 1 } },
  { name: "utime", restrict: 3, category: "write", paths: [p(0, "follow")], safe: "missing", emulate: { kind: "utime", arg: 1 } },
  { name: "utimes", restrict: 3, category: "write", paths: [p(0, "follow")], safe: "missing", emulate: { kind: "utimes", arg: 1 } },
  { name: "utimensat", restrict: 3, category: "write", paths: [at(1, 0, "follow", { nofollowFlag: nofollowAt(3), nullIsDirfd: true })], safe: "missing", emulate: { kind: "utimensat", arg: 2, flags: 3 } },
  { name: "futimesat", restrict: 3, category: "write", paths: [at(1, 0, "follow", { nullIsDirfd: true })], safe: "missing", emulate: { kind: "utimes", arg: 2 } },
  { name: "unlink", restrict: 2, category: "write", paths: [p(0, "nofollow")], safe: "missing", emulate: { kind: "unlink" } },
  { name: "unlinkat", restrict: 2, category: "write", paths: [at(1, 0, "nofollow")], safe: "missing", emulate: { kind: "unlink", flags: 2 } },
  { name: "link", restrict: 3, category: "write", paths: [p(0, "nofollow"), p(1, "nofollow")], safe: "exists", emulate: { kind: "link" } },
  { name: "linkat", restrict: 3, category: "write", paths: [at(1, 0, "nofollow", { followFlag: { arg: 4, bit: AT_SYMLINK_FOLLOW }, emptyPathFlag: emptyAt(4) }), at(3, 2, "nofollow")], safe: "exists", emulate: { kind: "link", flags: 4 } },
  { name: "rename", restrict: 3, category: "write", paths: [p(0, "nofollow"), p(1, "nofollow")], emulate: { kind: "rename" } },
  { name: "renameat", restrict: 3, category: "write", paths: [at(1, 0, "nofollow"), at(3, 2, "nofollow")], emulate: { kind: "rename" } },
  { name: "renameat2", restrict: 3, category: "write", paths: [at(1, 0, "nofollow"), at(3, 2, "nofollow")], emulate: { kind: "rename", flags: 4 } },
  { name: "symlink", restrict: 3, category: "write", paths: [p(1, "nofollow")], safe: "exists", emulate: { kind: "symlink", arg: 0 } },
  { name: "symlinkat", restrict: 3, category: "write", paths: [at(2, 1, "nofollow")], safe: "exists", emulate: { kind: "symlink", arg: 0 } },
  { name: "setxattr", restrict: 3, category: "write", paths: [p(0, "follow")], safe: "missing", emulate: { kind: "setxattr", arg: 1 } },
  { name: "lsetxattr", restrict: 3, category: "write", paths: [p(0, "nofollow")], safe: "missing", emulate: { kind: "setxattr", arg: 1 } },
  { name: "removexattr", restrict: 3, category: "write", paths: [p(0, "follow")], safe: "missing", emulate: { kind: "removexattr", arg: 1 } },
  { name: "lremovexattr", restrict: 3, category: "write", paths: [p(0, "nofollow")], safe: "missing", emulate: { kind: "removexattr", arg: 1 } },
  // Calls on a descriptor: a read-only fd of a file one owns is enough for these.
  { name: "fchmod", category: "write", fdCall: { kind: "fchmod", fd: 0 } },
  { name: "fchown", category: "write", fdCall: { kind: "fchown", fd: 0 } },
  { name: "fchown32", category: "write", fdCall: { kind: "fchown", fd: 0 }, optional: true },
  { name: "fsetxattr", category: "write", fdCall: { kind: "fsetxattr", fd: 0 } },
  { name: "fremovexattr", category: "write", fdCall: { kind: "fremovexattr", fd: 0 } },
  { name: "ioctl", category: "write", fdCall: { kind: "ioctl", fd: 0 }, when: { arg: 1, values: Object.values(INODE_IOCTLS) } },
  { name: "mount", category: "write", paths: [p(1, "follow")] },
  { name: "umount", category: "write", paths: [p(0, "follow")], optional: true },
  { name: "umount2", category: "write", paths: [{ path: 0, follow: "follow", nofollowFlag: { arg: 1, bit: 8 /* UMOUNT_NOFOLLOW */ } }] },
  // Exec.
  { name: "execve", restrict: 1, category: "exec", paths: [p(0, "follow")] },
  { name: "execveat", restrict: 1, category: "exec", paths: [at(1, 0, "follow", { nofollowFlag: nofollowAt(4), emptyPathFlag: emptyAt(4) })] },
  // Network: bind is its own group; connect and the sends are the connect group.
  // recvmsg, which SydBox 2 listed, is deliberately absent: its msg_name is an
  // output buffer the kernel never reads, so checking it only refused receives
  // on stale bytes, and notifying it cost every receive a round trip.
  { name: "bind", restrict: 2, category: "bind", addr: { kind: "sockaddr", addr: 1, len: 2 }, alsoWrite: true, socketcall: { call: SYS_SOCKETCALL.BIND, words: 3 } },
  { name: "connect", restrict: 2, category: "connect", addr: { kind: "sockaddr", addr: 1, len: 2 }, socketcall: { call: SYS_SOCKETCALL.CONNECT, words: 3 } },
  { name: "sendto", restrict: 2, category: "connect", addr: { kind: "sockaddr", addr: 4, len: 5, send: { buf: 1, len: 2, flags: 3 } }, socketcall: { call: SYS_SOCKETCALL.SENDTO, words: 6 } },
  { name: "sendmsg", restrict: 2, category: "connect", addr: { kind: "msghdr", msg: 1, send: { flags: 2 } }, socketcall: { call: SYS_SOCKETCALL.SENDMSG, words: 3 } },
  { name: "sendmmsg", category: "connect", addr: { kind: "mmsghdr", vec: 1, vlen: 2, send: { flags: 3 } }, socketcall: { call: SYS_SOCKETCALL.SENDMMSG, words: 4 } },
  // Magic: stat calls carry /dev/sydbox commands while the magic lock is off. The 32-bit
  // struct stat64 is not written: i386's stat64 and lstat64 go to the kernel.
  { name: "stat", restrict: 1, category: "magic", paths: [p(0, "follow")], stat: { buf: 1, layouts: { x86_64: "stat-x86_64" } } },
  { name: "lstat", restrict: 1, category: "magic", paths: [p(0, "nofollow")], stat: { buf: 1, layouts: { x86_64: "stat-x86_64" } } },
  { name: "stat64", restrict: 1, category: "magic", paths: [p(0, "follow")], optional: true, stat: { buf: 1, layouts: {} } },
  { name: "lstat64", category: "magic", paths: [p(0, "nofollow")], optional: true, stat: { buf: 1, layouts: {} } },
  { name: "newfstatat", restrict: 1, category: "magic", paths: [at(1, 0, "follow", { nofollowFlag: nofollowAt(3), emptyPathFlag: emptyAt(3) })], stat: { buf: 2, layouts: { x86_64: "stat-x86_64", aarch64: "stat-generic" } } },
  { name: "statx", restrict: 1, category: "magic", paths: [at(1, 0, "follow", { nofollowFlag: nofollowAt(2), emptyPathFlag: emptyAt(2) })], stat: { buf: 4, layouts: { x86_64: "statx", aarch64: "statx" } } },
  // Signals: nothing sandboxed may stop or kill sydbox or the reaper (docs/design.md, Fail-closed).
  { name: "kill", category: "signal", signal: { arg: 0, kind: "pid" } },
  { name: "tkill", category: "signal", signal: { arg: 0, kind: "thread" } },
  { name: "tgkill", category: "signal", signal: { arg: 1, kind: "thread" } },
  { name: "rt_sigqueueinfo", category: "signal", signal: { arg: 0, kind: "thread" } },
  { name: "rt_tgsigqueueinfo", category: "signal", signal: { arg: 1, kind: "thread" } },
  { name: "fcntl", restrict: 2, category: "signal", signal: { arg: 2, kind: "owner" }, when: { arg: 1, values: [F_SETOWN] } },
  { name: "fcntl64", category: "signal", signal: { arg: 2, kind: "owner" }, when: { arg: 1, values: [F_SETOWN] }, optional: true },
  // Nor lower their limits or priorities: RLIMIT_NOFILE 0 once left sydbox unable to poll.
  { name: "prlimit64", category: "signal", signal: { arg: 0, kind: "thread", zeroIsSelf: true } },
  { name: "setpriority", category: "signal", signal: { arg: 1, kind: "which", which: { arg: 0, process: 0, pgrp: 1, user: 2 } } },
  { name: "ioprio_set", category: "signal", signal: { arg: 1, kind: "which", which: { arg: 0, process: 1, pgrp: 2, user: 3 } } },
  { name: "sched_setaffinity", category: "signal", signal: { arg: 0, kind: "thread", zeroIsSelf: true } },
  { name: "sched_setscheduler", category: "signal", signal: { arg: 0, kind: "thread", zeroIsSelf: true } },
  { name: "sched_setparam", category: "signal", signal: { arg: 0, kind: "thread", zeroIsSelf: true } },
  { name: "sched_setattr", category: "signal", signal: { arg: 0, kind: "thread", zeroIsSelf: true } },
  { name: "migrate_pages", category: "signal", signal: { arg: 0, kind: "thread", zeroIsSelf: true } },
  { name: "move_pages", category: "signal", signal: { arg: 0, kind: "thread", zeroIsSelf: true } },
];
