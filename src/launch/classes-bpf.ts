/**
 * The classification program (filter.ts) compiled to classic BPF here rather than by
 * libseccomp: it maps numbers to actions and looks at no argument, so it is a search over
 * ranges of numbers. Neighbours with the same action merge into one range (most of a table
 * is "allow"), which makes the program a fraction of libseccomp's, and building it costs no
 * FFI call per syscall at start-up. Numbers libseccomp cannot name are no special case.
 *
 * Shape: for each architecture, `arch == A ?` then a balanced binary search on the number
 * (`nr >= K ?` per level) down to a RET of the range's action; x86_64's block sends
 * numbers with X32_SYSCALL_BIT to x32's search when -a x32 is given, else kills, as
 * libseccomp does; any other architecture is killed (ACT_BADARCH).
 */
import { AUDIT_ARCH, BPF, SCMP_ACT_KILL_PROCESS, SECCOMP_DATA, X32_SYSCALL_BIT } from "../../ffi/constants";
import type { ArchTable } from "../syscalls/numbers";

/** One architecture's classification: the action of every number below `names.length` (others: the default). */
export interface ArchActions {
  table: ArchTable;
  /** action by number (bias excluded); undefined: the default action. */
  actions: ReadonlyArray<number | undefined>;
}

const { LD_W_ABS, JEQ_K, JGE_K, JA, RET_K } = BPF;
const { OFF_NR, OFF_ARCH } = SECCOMP_DATA;

type Insn = [code: number, jt: number, jf: number, k: number];

/** [first number, action] per range, in order; the last range runs to 2^32. */
function ranges(a: ArchActions, dflt: number): Array<[number, number]> {
  const out: Array<[number, number]> = [[0, a.actions[0] ?? dflt]];
  const push = (start: number, action: number) => { if (out[out.length - 1][1] !== action) out.push([start, action]); };
  for (let nr = 1; nr < a.actions.length; nr++) push(nr, a.actions[nr] ?? dflt);
  push(a.actions.length, dflt);
  return out.map(([start, action]) => [start + a.table.bias, action]);
}

/**
 * A binary search over `rs`, as instructions whose jumps are relative to their own
 * position. Each test is `jge K` followed by an unconditional jump to the upper half, so
 * every offset fits whatever the program's size (conditional jumps reach only 255 ahead).
 */
function search(rs: Array<[number, number]>): Insn[] {
  if (rs.length === 1) return [[RET_K, 0, 0, rs[0][1]]];
  const mid = rs.length >> 1;
  const low = search(rs.slice(0, mid)), high = search(rs.slice(mid));
  // jge K: true falls into the `ja` (to `high`), false skips it (into `low`).
  return [[JGE_K, 0, 1, rs[mid][0]], [JA, 0, 0, low.length], ...low, ...high];
}

/** Compiles the classification (native architecture first) into a program (struct sock_filter[]). */
export function classesBpf(spec: { arches: ArchActions[]; defaultAction: number }): Uint8Array {
  const { arches, defaultAction: dflt } = spec;
  const prog: Insn[] = [[LD_W_ABS, 0, 0, OFF_ARCH]];
  const x32 = arches.find((a) => a.table.name === "x32");
  for (const a of arches) {
    if (a === x32) continue;
    const body: Insn[] = [[LD_W_ABS, 0, 0, OFF_NR]];
    if (a.table.token === AUDIT_ARCH.X86_64) {
      // x32 calls come with x86_64's AUDIT_ARCH and X32_SYSCALL_BIT in the number.
      const x32Search = x32 ? search(ranges(x32, dflt)) : [[RET_K, 0, 0, SCMP_ACT_KILL_PROCESS] as Insn];
      const own = search(ranges(a, dflt).filter(([start]) => start < X32_SYSCALL_BIT));
      body.push([JGE_K, 0, 1, X32_SYSCALL_BIT], [JA, 0, 0, own.length], ...own, ...x32Search);
    } else {
      body.push(...search(ranges(a, dflt)));
    }
    // arch == A: fall into the body; else skip it (through the ja) to the next architecture.
    prog.push([JEQ_K, 1, 0, audit(a.table)], [JA, 0, 0, body.length], ...body);
  }
  prog.push([RET_K, 0, 0, SCMP_ACT_KILL_PROCESS]);
  const out = new Uint8Array(prog.length * 8);
  const v = new DataView(out.buffer);
  prog.forEach(([code, jt, jf, k], i) => {
    v.setUint16(i * 8, code, true);
    v.setUint8(i * 8 + 2, jt);
    v.setUint8(i * 8 + 3, jf);
    v.setUint32(i * 8 + 4, k >>> 0, true);
  });
  return out;
}

/** The AUDIT_ARCH value the kernel reports for `t` (x32 shares x86_64's). */
function audit(t: ArchTable): number {
  return t.name === "x32" ? AUDIT_ARCH.X86_64 : t.token;
}
