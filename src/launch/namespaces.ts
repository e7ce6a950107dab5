/**
 * The namespace guard (core/trust/namespaces). The supervisor checks paths in
 * its own view of the filesystem: its root directory and its mount namespace.
 * A process that changes what paths mean for itself (chroot, pivot_root, a bind
 * mount in a mount namespace of its own, setns into another one) makes the path
 * checked and the file the kernel acts on differ: with CONTINUE an allowed write
 * lands wherever the new view points, and with emulation the supervisor acts on
 * its own view's file instead of the process's. So, unless trusted, every way
 * to get such a view is refused in the kernel.
 *
 * The calls that only do that (chroot, pivot_root, setns, the new mount API) are
 * refused by the classification (src/syscalls/classes.ts, key `namespaces`); here are
 * the argument refusals of the calls that otherwise run, unshare and clone.
 * mount(2) has a key of its own (core/trust/mount).
 */
import { AUDIT_ARCH, CLONE_NEWTIME, CLONE_NS_FLAGS, SCMP_ACT_ERRNO, SCMP_CMP } from "../../ffi/constants";
import { Errno } from "../errors";
import type { ArgCmp, RuleSpec } from "./filter-spec";

/** Architectures whose clone(2) takes the stack first and the flags second. */
const CLONE_FLAGS_SECOND = [AUDIT_ARCH.S390, AUDIT_ARCH.S390X];

const flagSet = (arg: number, bit: number): ArgCmp => ({ arg, op: SCMP_CMP.MASKED_EQ, a: bit, b: bit });

/**
 * The rules that refuse new namespaces: unshare(2) and clone(2) with any
 * namespace flag get EPERM (one rule per flag: BPF tests one mask at a time).
 * clone3(2) takes its flags in memory, out of BPF's reach, and a supervisor
 * check of memory the caller can rewrite is raceable, so the classification
 * answers it ENOSYS: glibc (2.34+) and Rust's std then fall back to clone(2).
 */
export function namespaceRules(): RuleSpec[] {
  const eperm = SCMP_ACT_ERRNO(Errno.EPERM);
  const rule = (name: string, cmp: ArgCmp): RuleSpec => ({ name, action: eperm, cmps: [cmp] });
  const cloneBits = Object.values(CLONE_NS_FLAGS);
  return [
    ...[...cloneBits, CLONE_NEWTIME].map((bit) => rule("unshare", flagSet(0, bit))),
    ...cloneBits.map((bit) => ({ ...rule("clone", flagSet(0, bit)), skipArches: CLONE_FLAGS_SECOND })),
    ...cloneBits.map((bit) => ({ ...rule("clone", flagSet(1, bit)), onlyArches: CLONE_FLAGS_SECOND })),
  ];
}
