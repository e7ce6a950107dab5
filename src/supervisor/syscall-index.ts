/**
 * Maps (architecture, syscall number) from a notification to a row of the
 * syscall table. Numbers come from libseccomp by name, never from a hand-kept
 * list, so the table stays the single source.
 */
import type { Seccomp } from "../../ffi/seccomp";
import { SYSCALLS } from "../syscalls/table";

/** Row indices by syscall number for one architecture; -1 where we have no row. */
export class SyscallIndex {
  private readonly rows: Int16Array;

  constructor(sc: Seccomp, readonly arch: number = sc.seccomp_arch_native()) {
    const nrs = SYSCALLS.map((r) => sc.seccomp_syscall_resolve_name_arch(arch, Buffer.from(r.name + "\0")));
    this.rows = new Int16Array(Math.max(0, ...nrs) + 1).fill(-1);
    nrs.forEach((nr, i) => { if (nr >= 0) this.rows[nr] = i; });
  }

  /** The row index for `nr`, or -1. */
  rowOf(nr: number): number {
    return nr >= 0 && nr < this.rows.length ? this.rows[nr] : -1;
  }
}
