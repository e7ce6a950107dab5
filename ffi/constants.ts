/**
 * Kernel ABI constants for the two architectures Bun targets, x86_64 and aarch64.
 * Most values are the same on both (x86 and arm64 use the generic numbering); where
 * they differ (the open(2) flags), the table is per architecture, and the exported
 * names hold this process's own values. Syscall *numbers* are deliberately absent:
 * they come from libseccomp by name and architecture.
 */

/** The architectures Bun builds for, by their kernel names. */
export type Arch = "x86_64" | "aarch64";
/** The architecture this process runs on (Bun's "x64" or "arm64"). */
export const NATIVE_ARCH: Arch = process.arch === "arm64" ? "aarch64" : "x86_64";

/** ioctl requests on the seccomp listener fd (include/uapi/linux/seccomp.h). */
export const NOTIF_IOCTL = {
  RECV: 0xc0502100,
  SEND: 0xc0182101,
  ID_VALID: 0x40082102,
  ADDFD: 0x40182103,
  /** 6.6+: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP makes the wake-up run on the waiter's CPU. */
  SET_FLAGS: 0x40082104,
} as const;

/** Layout of struct seccomp_notif / seccomp_notif_resp / seccomp_notif_addfd (bytes). */
export const NOTIF_LAYOUT = {
  NOTIF_SIZE: 80, // id u64, pid u32, flags u32, data{nr i32, arch u32, ip u64, args u64[6]}
  OFF_ID: 0,
  OFF_PID: 8,
  OFF_NR: 16,
  OFF_ARCH: 20,
  OFF_ARGS: 32,
  RESP_SIZE: 24, // id u64, val i64, error i32, flags u32
  RESP_OFF_ID: 0,
  RESP_OFF_VAL: 8,
  RESP_OFF_ERROR: 16,
  RESP_OFF_FLAGS: 20,
  ADDFD_SIZE: 24, // id u64, flags u32, srcfd u32, newfd u32, newfd_flags u32
  ADDFD_OFF_ID: 0,
  ADDFD_OFF_FLAGS: 8,
  ADDFD_OFF_SRCFD: 12,
  ADDFD_OFF_NEWFD: 16,
  ADDFD_OFF_NEWFD_FLAGS: 20,
} as const;

export const SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
export const SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP = 1;
export const SECCOMP_ADDFD_FLAG_SEND = 2;
export const SECCOMP_GET_ACTION_AVAIL = 2;
export const SECCOMP_SET_MODE_FILTER = 1;
/** pidfd_open(2): one number on every architecture (the unified table since Linux 5.1; alpha aside). */
export const SYS_PIDFD_OPEN = 434;
/** pidfd_open(2) flag: a pidfd for any thread, not only a thread-group leader (Linux 6.9+; O_EXCL's value). */
export const PIDFD_THREAD = 0o200;
/**
 * ioctl PIDFD_GET_INFO (Linux 6.13+): _IOWR(0xFF, 11, struct pidfd_info) at the struct's first
 * size, 64 bytes, which the kernel still accepts; byte offsets of the fields read, and the
 * request bit for them (always answered).
 */
export const PIDFD_GET_INFO = 0xc040ff0b;
export const PIDFD_INFO_LAYOUT = { SIZE: 64, OFF_MASK: 0, OFF_PID: 16, OFF_TGID: 20, OFF_PPID: 24 } as const;
export const PIDFD_INFO_PID = 1;
export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
/** memfd_create: close the memfd on exec. */
export const MFD_CLOEXEC = 1;
export const SECCOMP_RET_USER_NOTIF = 0x7fc00000;

/** struct sock_filter opcodes (linux/bpf_common.h) of the programs sydbox compiles itself. */
export const BPF = { LD_W_ABS: 0x20, JEQ_K: 0x15, JGE_K: 0x35, JA: 0x05, RET_K: 0x06 } as const;
/** Offsets in struct seccomp_data (linux/seccomp.h). */
export const SECCOMP_DATA = { OFF_NR: 0, OFF_ARCH: 4 } as const;

/** libseccomp actions and attributes (seccomp.h). */
export const SCMP_ACT_ALLOW = 0x7fff0000;
export const SCMP_ACT_NOTIFY = 0x7fc00000;
export const SCMP_ACT_KILL_PROCESS = 0x80000000;
export const SCMP_ACT_ERRNO = (e: number) => (0x00050000 | (e & 0xffff)) >>> 0;
/** libseccomp filter attributes (enum scmp_filter_attr). */
export const SCMP_FLTATR = { ACT_DEFAULT: 1, ACT_BADARCH: 2, CTL_NNP: 3, CTL_TSYNC: 4, API_TSKIP: 5, CTL_LOG: 6, CTL_SSB: 7, CTL_OPTIMIZE: 8 } as const;
/** enum scmp_compare. */
export const SCMP_CMP = { NE: 1, LT: 2, LE: 3, EQ: 4, GE: 5, GT: 6, MASKED_EQ: 7 } as const;
/** sizeof(struct scmp_arg_cmp): arg u32, op u32, datum_a u64, datum_b u64. */
export const SCMP_ARG_CMP_SIZE = 24;

/** AUDIT_ARCH_* values as reported in seccomp_data.arch. */
export const AUDIT_ARCH = {
  X86_64: 0xc000003e,
  I386: 0x40000003,
  AARCH64: 0xc00000b7,
  S390: 0x16,
  S390X: 0x80000016,
  /** x32: the libseccomp token (seccomp_data.arch is X86_64's; the number carries X32_SYSCALL_BIT). */
  X32: 0x4000003e,
} as const;
/** The Bun target whose seccomp_data.arch `audit` is, or null for any other architecture. */
export function archOfAudit(audit: number): Arch | null {
  return audit === AUDIT_ARCH.X86_64 ? "x86_64" : audit === AUDIT_ARCH.AARCH64 ? "aarch64" : null;
}
/** x32 syscalls are x86_64 syscalls with this bit set in nr. */
export const X32_SYSCALL_BIT = 0x40000000;

export const PR_SET_PDEATHSIG = 1;
export const PR_SET_NO_NEW_PRIVS = 38;
export const PR_SET_CHILD_SUBREAPER = 36;

/** clock_gettime(2): the calling thread's CPU time, user and system. */
export const CLOCK_THREAD_CPUTIME_ID = 3;

export const POLLIN = 1, POLLERR = 8, POLLHUP = 16, POLLNVAL = 32;

/** open(2) flags with one value on both architectures. */
export const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3, O_CREAT = 0o100, O_EXCL = 0o200,
  O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_APPEND = 0o2000, O_NONBLOCK = 0o4000, O_CLOEXEC = 0o2000000,
  O_PATH = 0o10000000;
/** __O_TMPFILE, O_TMPFILE without O_DIRECTORY: either bit of O_TMPFILE marks a create. */
export const O_TMPFILE_BIT = 0o20000000;

/** The open(2) flags whose bits depend on the architecture. */
export interface OpenFlags {
  readonly DIRECT: number;
  readonly LARGEFILE: number;
  readonly DIRECTORY: number;
  readonly NOFOLLOW: number;
  /** O_TMPFILE is __O_TMPFILE | O_DIRECTORY, so it differs too. */
  readonly TMPFILE: number;
}
/**
 * x86 takes the generic bits (include/uapi/asm-generic/fcntl.h); arm64 keeps arm's,
 * which swap O_DIRECTORY/O_NOFOLLOW with O_DIRECT/O_LARGEFILE
 * (arch/arm64/include/uapi/asm/fcntl.h). A 32-bit tracee uses its 64-bit kernel's
 * values (i386 = generic, arm = arm64), so the native table serves every tracee.
 */
const OPEN_FLAGS: Readonly<Record<Arch, OpenFlags>> = {
  x86_64: { DIRECT: 0o40000, LARGEFILE: 0o100000, DIRECTORY: 0o200000, NOFOLLOW: 0o400000, TMPFILE: O_TMPFILE_BIT | 0o200000 },
  aarch64: { DIRECTORY: 0o40000, NOFOLLOW: 0o100000, DIRECT: 0o200000, LARGEFILE: 0o400000, TMPFILE: O_TMPFILE_BIT | 0o40000 },
};
/** The open(2) flags of `arch`; this process's own by default. */
export function openFlags(arch: Arch = NATIVE_ARCH): OpenFlags {
  return OPEN_FLAGS[arch];
}
/** This process's (and its tracees') architecture-dependent open(2) flags. */
export const { DIRECT: O_DIRECT, LARGEFILE: O_LARGEFILE, DIRECTORY: O_DIRECTORY, NOFOLLOW: O_NOFOLLOW, TMPFILE: O_TMPFILE } = openFlags();
/** VALID_OPEN_FLAGS (fs/fcntl.c): the same set on both, the four moved bits are all in it. open(2) drops other bits, openat2(2) refuses them. */
export const VALID_OPEN_FLAGS = 0o37777703;

/** fcntl(2): get and set the file status flags. */
export const F_GETFL = 3, F_SETFL = 4;
/** unshare(CLONE_FS): the thread gets its own cwd, root and umask. */
export const CLONE_FS = 0x200;
/** fcntl commands that name a process to receive SIGIO/SIGURG: a pid (or -pgid), or a struct f_owner_ex. */
export const F_SETOWN = 8, F_SETOWN_EX = 15;
/** ioctls that set a socket's SIGIO/SIGURG owner through a pointer to a pid. */
export const FIOSETOWN = 0x8901, SIOCSPGRP = 0x8902;

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EMPTY_PATH = 0x1000;
/** statx(2): do not sync with a network filesystem's server; the fields of struct stat. */
export const AT_STATX_DONT_SYNC = 0x4000, STATX_BASIC_STATS = 0x7ff;
/** statx(2): ask for the inode number only; its byte offset in struct statx. */
export const STATX_INO = 0x100, STATX_OFF_INO = 32;

export const R_OK = 4, W_OK = 2, X_OK = 1;

/** File type bits of st_mode (and of mknod's mode), and the types we test for. */
export const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFIFO = 0o010000, S_IFLNK = 0o120000;

/** openat2 RESOLVE_* bits (struct open_how.resolve). */
export const RESOLVE = { NO_XDEV: 1, NO_MAGICLINKS: 2, NO_SYMLINKS: 4, BENEATH: 8, IN_ROOT: 0x10, CACHED: 0x20 } as const;

export const RLIMIT_NOFILE = 7;
export const SIG_SETMASK = 2;
export const SIG_DFL = 0;
/** Signal numbers (x86 and the generic ABI of arm64 and riscv agree on these). */
export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGTERM = 15, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23;
/** SIGCONT (x86 and the generic ABI alike). */
export const SIGCONT = 18;
/** SIGPIPE (x86 and the generic ABI alike). */
export const SIGPIPE = 13;
/** fcntl(2): duplicate to the lowest free fd, close-on-exec. */
export const F_DUPFD_CLOEXEC = 1030;
/** setpriority(2)'s `which` for one process (or, with a thread id, one thread). */
export const PRIO_PROCESS = 0;
/** sizeof(struct sockaddr_storage): the kernel caps socket addresses at it. */
export const SOCKADDR_STORAGE = 128;
/**
 * The ioctls that change a file's inode flags or version through any fd of it, in their
 * 64-bit and 32-bit (compat) numbers, and struct fsxattr's (FS_IOC_FSSETXATTR's) size.
 */
export const FS_IOC_SETFLAGS = 0x40086602, FS_IOC32_SETFLAGS = 0x40046602;
export const FS_IOC_SETVERSION = 0x40087602, FS_IOC32_SETVERSION = 0x40047602;
export const FS_IOC_FSSETXATTR = 0x401c5820, FSXATTR_SIZE = 28;
export const WNOHANG = 1, __WALL = 0x40000000;

/** AUDIT_ARCH_* carry this bit on 64-bit architectures (include/uapi/linux/audit.h). */
export const AUDIT_ARCH_64BIT = 0x80000000;

/**
 * clone(2)/unshare(2) flags that ask for a new namespace (include/uapi/linux/sched.h).
 * CLONE_NEWTIME is apart: in clone(2)'s flags its bit belongs to the exit signal.
 */
export const CLONE_NS_FLAGS = {
  NEWNS: 0x00020000, NEWCGROUP: 0x02000000, NEWUTS: 0x04000000, NEWIPC: 0x08000000,
  NEWUSER: 0x10000000, NEWPID: 0x20000000, NEWNET: 0x40000000,
} as const;
export const CLONE_NEWTIME = 0x00000080;

/** socketcall(2) call numbers (include/uapi/linux/net.h) for the calls sydbox checks. */
export const SYS_SOCKETCALL = { BIND: 2, CONNECT: 3, SENDTO: 11, SENDMSG: 16, SENDMMSG: 20 } as const;

/** mmap/mprotect bits (include/uapi/asm-generic/mman*.h). */
export const PROT_WRITE = 0x2, PROT_EXEC = 0x4;
export const MAP_SHARED = 0x01, MAP_ANONYMOUS = 0x20;

/**
 * ioctl requests of terminals and file descriptors (include/uapi/asm-generic/ioctls.h),
 * the ones core/restrict/io_control lets through.
 */
export const IOCTL = {
  TCGETS: 0x5401, TCSETS: 0x5402, TCSETSW: 0x5403, TCSETSF: 0x5404, TCSBRK: 0x5409, TCXONC: 0x540a,
  TCFLSH: 0x540b, TIOCEXCL: 0x540c, TIOCNXCL: 0x540d, TIOCSCTTY: 0x540e, TIOCGPGRP: 0x540f,
  TIOCSPGRP: 0x5410, TIOCOUTQ: 0x5411, TIOCGWINSZ: 0x5413, TIOCSWINSZ: 0x5414, TIOCGSOFTCAR: 0x5419,
  TIOCSSOFTCAR: 0x541a, FIONREAD: 0x541b, TIOCPKT: 0x5420, FIONBIO: 0x5421, TIOCNOTTY: 0x5422,
  TIOCSETD: 0x5423, TIOCGETD: 0x5424, TIOCGSID: 0x5429, TIOCGPTN: 0x80045430, TIOCSPTLCK: 0x40045431,
  TIOCGPKT: 0x80045438, TIOCGPTLCK: 0x80045439, TIOCGEXCL: 0x80045440, TIOCGPTPEER: 0x5441,
  FIONCLEX: 0x5450, FIOCLEX: 0x5451, FIOASYNC: 0x5452, TIOCGLCKTRMIOS: 0x5456,
} as const;

/** glibc's struct sigaction on 64-bit Linux: handler, 128-byte mask, int flags (at 136), restorer. */
export const SIGACTION_SIZE = 152, SIGACTION_FLAGS_OFFSET = 136, SA_RESTART = 0x10000000;

/** Sockets: getsockopt level and options, socket types, send flags, control message types. */
export const SOL_SOCKET = 1, SO_TYPE = 3, SO_DOMAIN = 39;
export const SOCK_STREAM = 1, SOCK_SEQPACKET = 5;
export const MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000, MSG_ZEROCOPY = 0x4000000;
export const SCM_RIGHTS = 1, SCM_CREDENTIALS = 2;

/** resource of setrlimit/prlimit64: core file size. */
export const RLIMIT_CORE = 4;
/**
 * Terminal ioctls that reach past the process (include/uapi/asm-generic/ioctls.h): TIOCSTI pushes
 * input into a terminal's queue, TIOCLINUX pastes the console selection, TIOCCONS redirects the
 * console's output, TIOCSCTTY with argument 1 steals a terminal from another session.
 */
export const TIOCSTI = 0x5412, TIOCLINUX = 0x541c, TIOCCONS = 0x541d, TIOCSCTTY = 0x540e;

/**
 * ioctl request numbers (include/uapi/asm-generic/ioctl.h, which x86 and arm64 both use):
 * direction << 30 | argument size << 16 | type << 8 | number. Only the size differs between
 * ABIs (a struct holding a long or a pointer is smaller for i386 and x32 callers, and some
 * structs grew between kernels), so refusals compare a request without it (IOC_NO_SIZE).
 */
export const IOC_NONE = 0, IOC_WRITE = 1, IOC_READ = 2;
export const ioc = (dir: number, type: number, nr: number, size: number): number => ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
const IO = (type: number, nr: number) => ioc(IOC_NONE, type, nr, 0);
const IOR = (type: number, nr: number, size: number) => ioc(IOC_READ, type, nr, size);
const IOW = (type: number, nr: number, size: number) => ioc(IOC_WRITE, type, nr, size);
const IOWR = (type: number, nr: number, size: number) => ioc(IOC_READ | IOC_WRITE, type, nr, size);
/** The bits of a request that say what it is: direction, type and number, not the argument's size. */
export const IOC_NO_SIZE = 0xc000ffff;

/** ext4's i_generation setter, an alias of FS_IOC_SETVERSION's kind (fs/ext4/ioctl.c), 64-bit and 32-bit. */
export const EXT4_IOC_SETVERSION = IOW(0x66, 4, 8), EXT4_IOC32_SETVERSION = IOW(0x66, 4, 4);

/**
 * ioctls that change a file, a directory's entries or a whole filesystem through any
 * descriptor of it, a read-only one included: the kernel asks for ownership, a capability
 * or the inode's write permission, not a writable fd. Refused unless core/trust/fs_ioctl.
 */
export const FS_CHANGING_IOCTLS = {
  // fs-verity and fscrypt (include/uapi/linux/fsverity.h, fscrypt.h).
  FS_IOC_ENABLE_VERITY: IOW(0x66, 133, 128),
  FS_IOC_SET_ENCRYPTION_POLICY: IOR(0x66, 19, 12),
  FS_IOC_ADD_ENCRYPTION_KEY: IOWR(0x66, 23, 80),
  FS_IOC_REMOVE_ENCRYPTION_KEY: IOWR(0x66, 24, 64),
  FS_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS: IOWR(0x66, 25, 64),
  // Generic filesystem-wide requests (include/uapi/linux/fs.h).
  FS_IOC_SETFSLABEL: IOW(0x94, 50, 256),
  FIFREEZE: IOWR(0x58, 119, 4),
  FITHAW: IOWR(0x58, 120, 4),
  /** FS_IOC_SHUTDOWN, also XFS_IOC_GOINGDOWN, EXT4_IOC_SHUTDOWN, F2FS_IOC_SHUTDOWN. */
  FS_IOC_SHUTDOWN: IOR(0x58, 125, 4),
  // ext4 (include/uapi/linux/ext4.h).
  EXT4_IOC_GROUP_EXTEND: IOW(0x66, 7, 8),
  EXT4_IOC_GROUP_ADD: IOW(0x66, 8, 40),
  EXT4_IOC_MIGRATE: IO(0x66, 9),
  EXT4_IOC_RESIZE_FS: IOW(0x66, 16, 8),
  EXT4_IOC_SWAP_BOOT: IO(0x66, 17),
  EXT4_IOC_CHECKPOINT: IOW(0x66, 43, 4),
  EXT4_IOC_SETFSUUID: IOW(0x66, 44, 8),
  EXT4_IOC_SET_TUNE_SB_PARAM: IOW(0x66, 46, 232),
  // XFS (fs/xfs/libxfs/xfs_fs.h): growing the filesystem, reserved blocks, error injection, repair.
  XFS_IOC_SCRUB_METADATA: IOWR(0x58, 60, 64),
  XFS_IOC_SCRUBV_METADATA: IOWR(0x58, 64, 24),
  XFS_IOC_FSGROWFSDATA: IOW(0x58, 110, 16),
  XFS_IOC_FSGROWFSLOG: IOW(0x58, 111, 8),
  XFS_IOC_FSGROWFSRT: IOW(0x58, 112, 16),
  XFS_IOC_SET_RESBLKS: IOR(0x58, 114, 16),
  XFS_IOC_ERROR_INJECTION: IOW(0x58, 116, 8),
  XFS_IOC_ERROR_CLEARALL: IOW(0x58, 117, 8),
  // btrfs (include/uapi/linux/btrfs.h): a directory fd, read-only, creates or deletes subvolumes in it.
  BTRFS_IOC_SNAP_CREATE: IOW(0x94, 1, 4096),
  BTRFS_IOC_DEFRAG: IOW(0x94, 2, 4096),
  BTRFS_IOC_RESIZE: IOW(0x94, 3, 4096),
  BTRFS_IOC_SCAN_DEV: IOW(0x94, 4, 4096),
  BTRFS_IOC_FORGET_DEV: IOW(0x94, 5, 4096),
  BTRFS_IOC_ADD_DEV: IOW(0x94, 10, 4096),
  BTRFS_IOC_RM_DEV: IOW(0x94, 11, 4096),
  BTRFS_IOC_BALANCE: IOW(0x94, 12, 4096),
  BTRFS_IOC_SUBVOL_CREATE: IOW(0x94, 14, 4096),
  BTRFS_IOC_SNAP_DESTROY: IOW(0x94, 15, 4096),
  BTRFS_IOC_DEFRAG_RANGE: IOW(0x94, 16, 48),
  BTRFS_IOC_DEFAULT_SUBVOL: IOW(0x94, 19, 8),
  BTRFS_IOC_SNAP_CREATE_V2: IOW(0x94, 23, 4096),
  BTRFS_IOC_SUBVOL_CREATE_V2: IOW(0x94, 24, 4096),
  BTRFS_IOC_SUBVOL_SETFLAGS: IOW(0x94, 26, 8),
  BTRFS_IOC_SCRUB: IOWR(0x94, 27, 1024),
  BTRFS_IOC_SCRUB_CANCEL: IO(0x94, 28),
  BTRFS_IOC_BALANCE_V2: IOWR(0x94, 32, 1024),
  BTRFS_IOC_BALANCE_CTL: IOW(0x94, 33, 4),
  BTRFS_IOC_SET_RECEIVED_SUBVOL: IOWR(0x94, 37, 200),
  BTRFS_IOC_QUOTA_CTL: IOWR(0x94, 40, 16),
  BTRFS_IOC_QGROUP_ASSIGN: IOW(0x94, 41, 24),
  BTRFS_IOC_QGROUP_CREATE: IOW(0x94, 42, 16),
  BTRFS_IOC_QGROUP_LIMIT: IOR(0x94, 43, 48),
  BTRFS_IOC_QUOTA_RESCAN: IOW(0x94, 44, 64),
  BTRFS_IOC_DEV_REPLACE: IOWR(0x94, 53, 2600),
  BTRFS_IOC_SET_FEATURES: IOW(0x94, 57, 48),
  BTRFS_IOC_RM_DEV_V2: IOW(0x94, 58, 4096),
  BTRFS_IOC_SNAP_DESTROY_V2: IOW(0x94, 63, 4096),
  BTRFS_IOC_ENCODED_WRITE: IOW(0x94, 64, 120),
} as const;
/** f2fs's requests (F2FS_IOCTL_MAGIC 0xf5, numbers 1-63): no build needs them, so all are refused with the rest. */
export const F2FS_IOCTL_TYPE = 0xf5;

/**
 * XFS's handle requests, the ioctl twin of open_by_handle_at: open, read a link or set
 * attributes of a file named by a handle, not a path (refused unless core/trust/open_by_handle).
 */
export const XFS_HANDLE_IOCTLS = {
  XFS_IOC_OPEN_BY_HANDLE: IOWR(0x58, 107, 48),
  XFS_IOC_READLINK_BY_HANDLE: IOWR(0x58, 108, 48),
  XFS_IOC_FSSETDM_BY_HANDLE: IOW(0x58, 121, 64),
  XFS_IOC_ATTRLIST_BY_HANDLE: IOW(0x58, 122, 64),
  XFS_IOC_ATTRMULTI_BY_HANDLE: IOW(0x58, 123, 48),
} as const;

/**
 * Raw device commands on a descriptor opened read-only (refused unless core/trust/devices):
 * with CAP_SYS_RAWIO/CAP_SYS_ADMIN the kernel lets SCSI, ATA and NVMe pass-through write a
 * disk behind its filesystem, and the block layer rewrite the partition table it uses.
 */
export const DEVICE_IOCTLS = {
  SCSI_IOCTL_SEND_COMMAND: 1,
  SG_IO: 0x2285,
  CDROM_SEND_PACKET: 0x5393,
  HDIO_DRIVE_TASKFILE: 0x031d,
  HDIO_DRIVE_TASK: 0x031e,
  HDIO_DRIVE_CMD: 0x031f,
  BLKROSET: IO(0x12, 93),
  BLKRRPART: IO(0x12, 95),
  BLKPG: IO(0x12, 105),
  NVME_IOCTL_ADMIN_CMD: IOWR(0x4e, 0x41, 72),
  NVME_IOCTL_SUBMIT_IO: IOW(0x4e, 0x42, 48),
  NVME_IOCTL_IO_CMD: IOWR(0x4e, 0x43, 72),
  NVME_IOCTL_RESET: IO(0x4e, 0x44),
  NVME_IOCTL_SUBSYS_RESET: IO(0x4e, 0x45),
  NVME_IOCTL_RESCAN: IO(0x4e, 0x46),
  NVME_IOCTL_ADMIN64_CMD: IOWR(0x4e, 0x47, 80),
  NVME_IOCTL_IO64_CMD: IOWR(0x4e, 0x48, 80),
  NVME_IOCTL_IO64_CMD_VEC: IOWR(0x4e, 0x49, 80),
} as const;

/** Setting the hardware clock through /dev/rtc, opened read-only (like settimeofday, never allowed). */
export const RTC_SET_IOCTLS = { RTC_SET_TIME: IOW(0x70, 0x0a, 36), RTC_EPOCH_SET: IOW(0x70, 0x0e, 8), RTC_PARAM_SET: IOW(0x70, 0x14, 16) } as const;

/**
 * Landlock (include/uapi/linux/landlock.h): the right to create a unix socket file, the
 * path-beneath rule type, and landlock_create_ruleset's flag that asks for the ABI version.
 */
export const LANDLOCK_ACCESS_FS_MAKE_SOCK = 1 << 9, LANDLOCK_RULE_PATH_BENEATH = 1, LANDLOCK_CREATE_RULESET_VERSION = 1;

/**
 * ptrace(2) requests, options and events (include/uapi/linux/ptrace.h; the same numbers
 * on x86_64 and aarch64), used only to verify an exec (src/supervisor/exec-verify.ts).
 */
export const PTRACE_DETACH = 17, PTRACE_SEIZE = 0x4206, PTRACE_INTERRUPT = 0x4207;
export const PTRACE_O_TRACEEXEC = 0x10, PTRACE_O_EXITKILL = 0x100000;
export const PTRACE_EVENT_EXEC = 4, PTRACE_EVENT_STOP = 128;
/** SIGTRAP (x86 and the generic ABI alike): the signal of ptrace event stops. */
export const SIGTRAP = 5;
/** waitid(2): idtype P_ALL; options; __WNOTHREAD (this thread's children and tracees only). */
export const P_ALL = 0, WSTOPPED = 2, WEXITED = 4, __WNOTHREAD = 0x20000000;
/** siginfo_t si_code of SIGCHLD (include/uapi/asm-generic/siginfo.h). */
export const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4, CLD_STOPPED = 5;
/**
 * siginfo_t as waitid(2) fills it for SIGCHLD, on 64-bit x86 and arm64: int si_signo,
 * si_errno, si_code, padding to 16, then pid_t si_pid, uid_t si_uid, int si_status.
 * 128 bytes in all.
 */
export const SIGINFO = { SIZE: 128, CODE: 8, PID: 16, STATUS: 24 } as const;
