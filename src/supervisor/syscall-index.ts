/**
 * Maps (architecture, syscall number) from a notification to a row of the
 * syscall table. Numbers come from libseccomp by name, never from a hand-kept
 * list, so the table stays the single source, for every architecture.
 *
 * - seccomp_data.arch says the architecture; x32 reports AUDIT_ARCH_X86_64 with
 *   bit 30 (X32_SYSCALL_BIT) set in the number.
 * - socketcall (i386 and other 32-bit ABIs) multiplexes bind, connect, sendto,
 *   sendmsg and sendmmsg: its first argument names the call and its second points to the
 *   call's arguments, an array of 32-bit words. The index reads that array and
 *   puts the words in the notification's argument slots, so every engine decodes
 *   a multiplexed call exactly like the direct one.
 * - Such architectures (i386 since Linux 4.3) also have direct socket calls, which
 *   libseccomp filters too but names by a negative pseudo-number: their numbers
 *   are looked up the other way (number to name) on first sight.
 */
import { CString, type Pointer } from "bun:ffi";
import { AUDIT_ARCH, X32_SYSCALL_BIT } from "../../ffi/constants";
import type { Libc } from "../../ffi/libc";
import type { Seccomp } from "../../ffi/seccomp";
import { SYSCALLS } from "../syscalls/table";
import type { Listener } from "./listener";
import { TraceeMemory } from "./memory";

/** `rowOf` for a socketcall of a checked call whose argument array cannot be read. */
export const UNREADABLE_ARGS = -2;

/** Row indices by syscall number, per architecture; -1 where we have no row. */
export class SyscallIndex {
  private readonly native: number;
  private readonly nativeRows: Int16Array;
  private readonly rows = new Map<number, Int16Array>();
  /** socketcall's number on each architecture that has it. */
  private readonly socketcall = new Map<number, number>();
  private readonly socketRows = new Int16Array(32).fill(-1);
  private readonly socketWords = new Uint8Array(32);
  private readonly memory: TraceeMemory;
  private readonly words = new Uint32Array(6);
  /** Rows of numbers missing from `rows` (direct multiplexed calls), per architecture, once looked up. */
  private readonly direct = new Map<number, Map<number, number>>();

  constructor(private readonly sc: Seccomp, private readonly L: Libc) {
    this.memory = new TraceeMemory(L);
    this.native = sc.seccomp_arch_native();
    this.nativeRows = this.build(this.native);
    SYSCALLS.forEach((r, i) => {
      if (!r.socketcall) return;
      this.socketRows[r.socketcall.call] = i;
      this.socketWords[r.socketcall.call] = r.socketcall.words;
    });
  }

  /** Rows of one architecture; other architectures are indexed when their first call arrives (-a). */
  private build(arch: number): Int16Array {
    const names = SYSCALLS.map((r) => Buffer.from(r.name + "\0"));
    const nrs = names.map((n) => this.sc.seccomp_syscall_resolve_name_arch(arch, n) & ~X32_SYSCALL_BIT);
    const rows = new Int16Array(Math.max(0, ...nrs) + 1).fill(-1);
    nrs.forEach((nr, i) => { if (nr >= 0) rows[nr] = i; });
    this.rows.set(arch, rows);
    const sc32 = this.sc.seccomp_syscall_resolve_name_arch(arch, Buffer.from("socketcall\0"));
    if (sc32 >= 0) this.socketcall.set(arch, sc32);
    return rows;
  }

  /**
   * The row index for the notification `n` holds, or -1 (no row), or UNREADABLE_ARGS. A
   * socketcall gets its call's row and arguments.
   */
  rowOf(n: Listener): number {
    const nr = n.nr;
    if (n.arch === this.native && nr >= 0 && nr < this.nativeRows.length) return this.nativeRows[nr];
    return this.otherRow(n, nr);
  }

  private otherRow(n: Listener, nr: number): number {
    let arch = n.arch;
    if (arch === AUDIT_ARCH.X86_64 && nr & X32_SYSCALL_BIT) { arch = AUDIT_ARCH.X32; nr &= ~X32_SYSCALL_BIT; }
    if (nr < 0) return -1;
    const rows = this.rows.get(arch) ?? this.build(arch);
    if (nr === this.socketcall.get(arch)) return this.demux(n);
    if (nr < rows.length && rows[nr] >= 0) return rows[nr];
    return this.directRow(arch, nr);
  }

  /** The row of a number libseccomp could not give by name (i386's direct bind ... sendmmsg), by its name. */
  private directRow(arch: number, nr: number): number {
    let seen = this.direct.get(arch);
    if (!seen) this.direct.set(arch, seen = new Map());
    let row = seen.get(nr);
    if (row === undefined) {
      const name = this.sc.seccomp_syscall_resolve_num_arch(arch, nr) as Pointer | null;
      row = name ? SYSCALLS.findIndex((r) => r.name === new CString(name).toString()) : -1;
      if (name) this.L.free(name); // libseccomp returns a malloc'd copy
      seen.set(nr, row);
    }
    return row;
  }

  /** socketcall(call, args): the row of `call`, its argument words moved into `n`. -1 if unchecked, UNREADABLE_ARGS. */
  private demux(n: Listener): number {
    const call = n.argU32(0);
    const row = call < this.socketRows.length ? this.socketRows[call] : -1;
    if (row < 0) return -1;
    const len = this.socketWords[call] * 4;
    // Unreadable: EFAULT, answered by the dispatcher; a CONTINUE would let the kernel read
    // arguments a racing thread has mapped meanwhile, unchecked.
    if (this.memory.read(n.pid, n.argU32(1), len) !== len) return UNREADABLE_ARGS;
    const b = this.memory.buf;
    for (let i = 0; i < len / 4; i++) this.words[i] = b.readUInt32LE(i * 4);
    n.setArgs32(this.words, len / 4);
    return row;
  }
}
