/**
 * core/restrict/*: the syscall allowlists of SydBox 2's restriction levels, as a
 * second seccomp filter. Its default answer is EPERM; the rules below let calls
 * through. Two filters stack in the kernel and the stricter answer wins, so this
 * one only ever takes away from what the main filter allows or notifies.
 *
 * It is a separate filter because the child stage (a Bun runtime) could not run
 * under it: it is loaded as the very last step before the command's execve.
 *
 * - general 1: a strict allowlist (SydBox 2.0.1's level 1); opens only read-only,
 *   decided from the flags argument.
 * - general 2: more calls (processes, pipes, sockets, time); opens still read-only.
 * - general 3: level 2 plus the write calls (creat, mkdir, unlink, rename...) and
 *   every open.
 * - io_control: ioctl only with the terminal and fd-flag requests of IOCTL
 *   (TIOCSTI, which injects input into a terminal, deliberately left out).
 * - memory_map: no mapping or protection change that is both writable and
 *   executable, no writable shared mapping of a file (in the spirit of Tor's
 *   sandbox). mprotect cannot tell a shared file mapping from a private one, so
 *   making a read-only shared mapping of a file opened O_RDWR writable is not caught.
 * - shared_memory_writable: no writable shared memory at all (MAP_SHARED with
 *   PROT_WRITE, file or anonymous).
 *
 * Which calls each level allows is syscall data: the `restrict` field of src/syscalls/
 * (classes.ts, table.ts), read by restrictAllowlist. Level 1 is SydBox 2.0.1's list plus the
 * calls every program needs to start and end (exit, arch_prctl, i386's set_thread_area,
 * rt_sigreturn...) and what a dynamically linked program needs today: pread64 (the loader
 * reads ELF headers with it), statx and fstatat64 (the stat calls of 32-bit C libraries).
 * This file keeps the argument conditions.
 */
import {
  AUDIT_ARCH, IOCTL, MAP_ANONYMOUS, MAP_SHARED, O_ACCMODE, O_CREAT, O_TMPFILE_BIT, O_TRUNC, PROT_EXEC, PROT_WRITE,
  SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_CMP,
} from "../../ffi/constants";
import { Errno } from "../errors";
import type { RestrictLevel } from "../syscalls/classes";
import { restrictAllowlist } from "../syscalls/restrict-levels";
import type { ArgCmp, ProgramSpec, Restrict, RuleSpec } from "./filter-spec";

/** Signals whose handlers levels 2 and 3 let a program install (x86 numbering). */
const SIGACTION_SIGNALS = [1, 2, 4, 7, 8, 10, 11, 12, 13, 15, 17, 25, 29, 31]; // HUP INT ILL BUS FPE USR1 SEGV USR2 PIPE TERM CHLD XFSZ IO SYS

/** Flag bits that make an open write (or create): any of them denies it below level 3. */
export const OPEN_WRITE_MASK = O_ACCMODE | O_CREAT | O_TRUNC | O_TMPFILE_BIT;

const allow = (name: string, cmps: ArgCmp[] = []): RuleSpec => ({ name, action: SCMP_ACT_ALLOW, cmps });
const masked = (arg: number, mask: number, value: number): ArgCmp => ({ arg, op: SCMP_CMP.MASKED_EQ, a: mask, b: value });

/**
 * Architectures whose `mmap` is old_mmap, taking one pointer to its arguments:
 * register checks mean nothing there, so under the memory rules it stays refused
 * (their C libraries use mmap2).
 */
const OLD_MMAP_ARCHES = [AUDIT_ARCH.I386, AUDIT_ARCH.S390];

/** mmap/mmap2 and mprotect/pkey_mprotect rules: every (prot, flags) class that is not forbidden. */
function memoryRules(r: Restrict): RuleSpec[] {
  const WX = PROT_WRITE | PROT_EXEC;
  const TYPE = MAP_SHARED | MAP_ANONYMOUS;
  const protClasses = [0, PROT_EXEC, PROT_WRITE, WX];
  const flagClasses = [0, MAP_ANONYMOUS, MAP_SHARED, TYPE]; // private file, private anon, shared file, shared anon
  const forbidden = (prot: number, flags: number) =>
    (r.memory_map && prot === WX)
    || (r.memory_map && prot & PROT_WRITE && flags === MAP_SHARED)
    || (r.shared_memory_writable && prot & PROT_WRITE && flags & MAP_SHARED);
  const out: RuleSpec[] = [];
  for (const prot of protClasses) {
    const ok = flagClasses.filter((f) => !forbidden(prot, f));
    for (const name of ["mmap", "mmap2"]) {
      const rules = ok.length === flagClasses.length ? [allow(name, [masked(2, WX, prot)])] : ok.map((f) => allow(name, [masked(2, WX, prot), masked(3, TYPE, f)]));
      if (name === "mmap") for (const rule of rules) rule.skipArches = OLD_MMAP_ARCHES;
      out.push(...rules);
    }
    // A protection change cannot create a mapping, only make one executable and writable.
    if (!(r.memory_map && prot === WX)) for (const name of ["mprotect", "pkey_mprotect"]) out.push(allow(name, [masked(2, WX, prot)]));
  }
  return out;
}

/** The restriction filter for `r`, or null when core/restrict/general is 0. */
export function buildRestrict(r: Restrict, arches: number[]): ProgramSpec | null {
  if (r.general <= 0) return null;
  const rules: RuleSpec[] = [];
  const level = restrictAllowlist(Math.min(r.general, 3) as RestrictLevel);
  const memory = r.memory_map || r.shared_memory_writable;
  for (const name of level) {
    if (!(memory && (name === "mmap" || name === "mmap2"))) rules.push(allow(name)); // memoryRules decides them
  }
  if (r.general < 3) {
    // Read-only opens only: the flags say so, and the kernel checks them.
    rules.push(allow("open", [masked(1, OPEN_WRITE_MASK, 0)]), allow("openat", [masked(2, OPEN_WRITE_MASK, 0)]));
  }
  if (r.general >= 2) {
    for (const sig of SIGACTION_SIGNALS) rules.push(allow("rt_sigaction", [{ arg: 0, op: SCMP_CMP.EQ, a: sig, b: 0 }]));
    rules.push(allow("time", [{ arg: 0, op: SCMP_CMP.EQ, a: 0, b: 0 }]));
  }
  if (memory) rules.push(...memoryRules(r));
  else for (const name of ["mprotect", "pkey_mprotect"]) rules.push(allow(name));
  if (r.io_control) {
    // The kernel reads the request as an unsigned int: compare the low 32 bits only.
    for (const req of new Set(Object.values(IOCTL))) rules.push(allow("ioctl", [masked(1, 0xffffffff, req)]));
  } else {
    rules.push(allow("ioctl"));
  }
  // An allowlist: a rule libseccomp cannot name on a 32-bit ABI is left out, which only refuses more.
  return { defaultAction: SCMP_ACT_ERRNO(Errno.EPERM), rules, arches, omitUnnamed: true };
}
