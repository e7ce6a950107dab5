/**
 * Refusals decided in BPF from argument registers, for calls the classification otherwise allows
 * (src/syscalls/classes.ts): each is EPERM in the rules program unless its core/trust key says
 * otherwise. The kernel reads these arguments as 32-bit ints, and so does each comparison
 * (`arg32`): the upper half of a register cannot smuggle a value past it.
 */
import {
  DEVICE_IOCTLS, F2FS_IOCTL_TYPE, F_SETOWN_EX, FIOSETOWN, FS_CHANGING_IOCTLS, IOC_NO_SIZE, RLIMIT_CORE, RTC_SET_IOCTLS,
  S_IFBLK, S_IFCHR, S_IFMT, SCMP_ACT_ERRNO, SCMP_CMP, SIOCSPGRP, TIOCCONS, TIOCLINUX, TIOCSCTTY, TIOCSTI, XFS_HANDLE_IOCTLS,
} from "../../ffi/constants";
import { Errno } from "../errors";
import { arg32, type ArgCmp, type RuleSpec, type Trust } from "./filter-spec";

const eperm = SCMP_ACT_ERRNO(Errno.EPERM);
const refuse = (name: string, ...cmps: ArgCmp[]): RuleSpec => ({ name, action: eperm, cmps });
const masked32 = (arg: number, mask: number, value: number): ArgCmp => ({ arg, op: SCMP_CMP.MASKED_EQ, a: mask, b: value });
/** ioctl refusals by request, whatever the argument size in it (it differs between ABIs and kernels). */
const ioctls = (requests: Record<string, number>): RuleSpec[] =>
  Object.values(requests).map((r) => refuse("ioctl", masked32(1, IOC_NO_SIZE, (r & IOC_NO_SIZE) >>> 0)));

/** The refusals for the given trust. */
export function argumentRefusals(trust: Trust, rootful: boolean): RuleSpec[] {
  const out: RuleSpec[] = [
    // A process to receive SIGIO/SIGURG named through tracee memory, which sydbox cannot check
    // race-free (supervisor/signals.ts checks F_SETOWN, whose pid is an argument).
    refuse("fcntl", arg32(1, F_SETOWN_EX)), refuse("fcntl64", arg32(1, F_SETOWN_EX)),
    refuse("ioctl", arg32(1, FIOSETOWN)), refuse("ioctl", arg32(1, SIOCSPGRP)),
    // Input pushed into a terminal runs in the invoker's shell after sydbox exits; a stolen or
    // redirected console reaches other sessions. Never needed by a build: no trust key.
    refuse("ioctl", arg32(1, TIOCSTI)), refuse("ioctl", arg32(1, TIOCLINUX)), refuse("ioctl", arg32(1, TIOCCONS)),
    refuse("ioctl", arg32(1, TIOCSCTTY), arg32(2, 1)),
    // The virtual console's keyboard and switching requests ('K' KD*, 'V' VT_*): on a console
    // opened even read-only, root remaps the host's keys (input injection) or switches consoles.
    refuse("ioctl", masked32(1, 0xffffff00, 0x4b00)), refuse("ioctl", masked32(1, 0xffffff00, 0x5600)),
    // The hardware clock, set through /dev/rtc opened read-only: the host's, like settimeofday.
    ...ioctls(RTC_SET_IOCTLS),
  ];
  if (!trust.fs_ioctl) {
    // A read-only fd changes its file (fs-verity makes it read-only for good), a directory's
    // entries (btrfs subvolumes and snapshots) or the whole filesystem (label, UUID, freeze,
    // shutdown, resize): the kernel asks for ownership or a capability, not a writable fd.
    out.push(...ioctls(FS_CHANGING_IOCTLS), refuse("ioctl", masked32(1, 0xffc0, F2FS_IOCTL_TYPE << 8)));
  }
  // Files named by handle, not path: the ioctl twin of open_by_handle_at.
  if (!trust.open_by_handle) out.push(...ioctls(XFS_HANDLE_IOCTLS));
  if (!trust.devices) {
    // A block device over a denied file's disk, or /dev/mem, created in an allowed directory.
    for (const [name, arg] of [["mknod", 1], ["mknodat", 2]] as const) {
      for (const type of [S_IFCHR, S_IFBLK]) out.push(refuse(name, masked32(arg, S_IFMT, type)));
    }
    // The same disks written through an existing device node opened read-only: pass-through
    // commands and partition-table changes.
    out.push(...ioctls(DEVICE_IOCTLS));
  }
  if (!trust.core_dumps && rootful) {
    // The child stage sets RLIMIT_CORE to 0/0; only a process with CAP_SYS_RESOURCE could
    // raise it again (no_new_privs keeps setuid programs from gaining it), so without root
    // a build's own `ulimit -c 0` keeps working.
    out.push(refuse("setrlimit", arg32(0, RLIMIT_CORE)));
    out.push(refuse("prlimit64", arg32(1, RLIMIT_CORE), { arg: 2, op: SCMP_CMP.NE, a: 0, b: 0 }));
  }
  return out;
}
