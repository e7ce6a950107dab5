/**
 * The filter sydbox loads, one program (src/launch/splice.ts: classification, refusals,
 * rules), walked by a BPF interpreter on x86_64 numbers: each part answers what it is there
 * for, and a later part is consulted only where the earlier ones allow.
 */
import { expect, test } from "bun:test";
import {
  AUDIT_ARCH, DEVICE_IOCTLS, EXT4_IOC32_SETVERSION, EXT4_IOC_SETVERSION, F_SETOWN, F_SETOWN_EX, FS_CHANGING_IOCTLS, ioc,
  IOC_READ, IOC_WRITE, RTC_SET_IOCTLS, S_IFBLK, S_IFCHR, SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_NOTIFY, TIOCSTI, XFS_HANDLE_IOCTLS,
} from "../../ffi/constants";
import { loadLibc } from "../../ffi/libc";
import { loadSeccomp } from "../../ffi/seccomp";
import { buildFilter } from "../../src/launch/filter";
import type { FilterInputs, Trust } from "../../src/launch/filter-spec";
import { filterBpf } from "../../src/launch/seccomp-context";
import { runBpf, seccompData } from "./bpf-interpreter";

const TRUST: Trust = {
  ptrace: false, io_uring: false, open_by_handle: false, userfaultfd: false, pidfd: false, namespaces: false,
  mount: false, devices: false, acct: false, core_dumps: false, terminal: false, fs_ioctl: false,
};
const EPERM = SCMP_ACT_ERRNO(1), ENOSYS = SCMP_ACT_ERRNO(38);
const S_IFIFO = 0o010000;

function program(trust: Partial<Trust> = {}, arches: number[] = []): Uint8Array {
  const sc = loadSeccomp();
  const inputs: FilterInputs = {
    modes: { exec: "off", read: "off", write: "deny", network: "off" }, magicLocked: true, watchExec: false,
    trust: { ...TRUST, ...trust }, bpfOnly: false, arches, rootful: true,
    restrict: { general: 0, io_control: false, memory_map: false, shared_memory_writable: false, file_control: false },
  };
  return filterBpf(loadLibc(), sc, buildFilter(inputs, sc.seccomp_arch_native()));
}
const call = (prog: Uint8Array, nr: number, ...args: number[]) => runBpf(prog, seccompData(nr, AUDIT_ARCH.X86_64, args));

test.skipIf(process.arch !== "x64")("classification, refusals and rules in one program (x86_64)", () => {
  const p = program();
  expect(call(p, 39)).toBe(SCMP_ACT_ALLOW); // getpid
  expect(call(p, 999)).toBe(ENOSYS); // unassigned
  expect(call(p, 463)).toBe(ENOSYS); // setxattrat: no row
  expect(call(p, 165)).toBe(EPERM); // mount
  expect(call(p, 257, -100, 0, 1)).toBe(SCMP_ACT_NOTIFY); // openat O_WRONLY: write sandboxing
  expect(call(p, 257, -100, 0, 0)).toBe(SCMP_ACT_ALLOW); // openat O_RDONLY, read sandboxing off
  expect(call(p, 259, -100, 0, S_IFIFO | 0o600, 0)).toBe(SCMP_ACT_NOTIFY); // mknodat of a FIFO: checked as a write
  expect(call(p, 259, -100, 0, S_IFBLK | 0o600, 0)).toBe(EPERM); // of a block device: refused before the rules
  expect(call(p, 133, 0, S_IFCHR | 0o600, 0)).toBe(EPERM); // mknod of a character device
  expect(call(p, 72, 3, F_SETOWN, 1)).toBe(SCMP_ACT_NOTIFY); // fcntl F_SETOWN: the supervisor checks the pid
  expect(call(p, 72, 3, F_SETOWN_EX, 1)).toBe(EPERM);
  expect(call(p, 72, 3, 1)).toBe(SCMP_ACT_ALLOW); // F_GETFD
  expect(call(p, 16, 0, TIOCSTI, 0)).toBe(EPERM);
  expect(call(p, 16, 0, TIOCSTI + 2 ** 32, 0)).toBe(EPERM); // the kernel reads 32 bits: so does the check
  expect(call(p, 16, 0, 0x5401, 0)).toBe(SCMP_ACT_ALLOW); // TCGETS
  expect(call(p, 16, 0, 0x4b47, 0)).toBe(EPERM); // KDSKBENT: remaps a key of the console
  expect(call(p, 16, 0, 0x5606, 0)).toBe(EPERM); // VT_ACTIVATE
  expect(call(p, 160, 4, 0)).toBe(EPERM); // setrlimit(RLIMIT_CORE)
  expect(call(p, 302, 0, 4, 0)).toBe(SCMP_ACT_ALLOW); // prlimit64 reading RLIMIT_CORE
  expect(runBpf(p, seccompData(39, AUDIT_ARCH.I386))).toBe(0x80000000); // another ABI: killed

  const trusted = program({ devices: true, mount: true, core_dumps: true });
  expect(call(trusted, 259, -100, 0, S_IFBLK | 0o600, 0)).toBe(SCMP_ACT_NOTIFY);
  expect(call(trusted, 165)).toBe(SCMP_ACT_NOTIFY); // mount: its write-checked row
  expect(call(trusted, 160, 4, 0)).toBe(SCMP_ACT_ALLOW);
});

test.skipIf(process.arch !== "x64")("ioctls that change a file or filesystem through a read-only fd: refused by request, whatever the size in it", () => {
  const p = program();
  const groups = { fs_ioctl: FS_CHANGING_IOCTLS, open_by_handle: XFS_HANDLE_IOCTLS, devices: DEVICE_IOCTLS, none: RTC_SET_IOCTLS };
  // The same request with another argument size (a 32-bit caller's struct, a grown struct).
  const resized = (r: number) => r > 0xffff ? ((r & ~(0x3fff << 16)) | (((((r >>> 16) & 0x3fff) + 4) & 0x3fff) << 16)) >>> 0 : r;
  for (const [key, requests] of Object.entries(groups)) {
    const trusted = key === "none" ? null : program({ [key]: true });
    for (const [name, r] of Object.entries(requests)) {
      expect({ name, got: call(p, 16, 3, r, 0), resized: call(p, 16, 3, resized(r), 0) }).toEqual({ name, got: EPERM, resized: EPERM });
      if (trusted) expect({ name, trusted: call(trusted, 16, 3, r, 0) }).toEqual({ name, trusted: SCMP_ACT_ALLOW });
    }
  }
  // f2fs's whole range; the readers beside the refused requests stay allowed.
  expect(call(p, 16, 3, ioc(IOC_WRITE, 0xf5, 13, 4), 0)).toBe(EPERM); // F2FS_IOC_SET_PIN_FILE
  for (const [name, r] of Object.entries({
    FS_IOC_GETFLAGS: 0x80086601, FS_IOC_GETFSLABEL: 0x81009431, FICLONE: 0x40049409, FIDEDUPERANGE: 0xc0189436,
    BTRFS_IOC_START_SYNC: ioc(IOC_READ, 0x94, 24, 8), BTRFS_IOC_GET_FEATURES: ioc(IOC_READ, 0x94, 57, 24), FS_IOC_MEASURE_VERITY: 0xc0046686,
    BLKGETSIZE64: 0x80081272,
  })) expect({ name, got: call(p, 16, 3, r, 0) }).toEqual({ name, got: SCMP_ACT_ALLOW });
  // An i386 caller under -a x86 (ioctl is 54 there): its 32-bit struct sizes are refused alike.
  const x86 = program({}, [AUDIT_ARCH.I386]);
  const i386 = (r: number) => runBpf(x86, seccompData(54, AUDIT_ARCH.I386, [3, r, 0]));
  expect(i386(ioc(IOC_WRITE, 0x94, 23, 4096))).toBe(EPERM); // BTRFS_IOC_SNAP_CREATE_V2
  expect(i386(ioc(IOC_WRITE, 0x66, 7, 4))).toBe(EPERM); // EXT4_IOC_GROUP_EXTEND with a 32-bit long
  expect(i386(0x80046601)).toBe(SCMP_ACT_ALLOW); // FS_IOC32_GETFLAGS
  // ext4's own version setter is checked as a write of the file, like FS_IOC_SETVERSION.
  expect(call(p, 16, 3, EXT4_IOC_SETVERSION, 0)).toBe(SCMP_ACT_NOTIFY);
  expect(call(p, 16, 3, EXT4_IOC32_SETVERSION, 0)).toBe(SCMP_ACT_NOTIFY);
});
