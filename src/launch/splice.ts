/**
 * Joins seccomp programs into one that consults each in turn while the one before allows:
 * every RET ALLOW of a program but the last becomes a jump to the start of the next. The
 * kernel runs one program instead of a stack of three for every syscall its cache cannot
 * answer (filter.ts), and the answer is the same: each part's only actions are ALLOW, an
 * errno, NOTIFY (the last) and KILL_PROCESS for a foreign architecture, which all parts
 * check alike, so "the first part that does not allow decides" is "the strictest wins".
 * A RET and a JA are one instruction each, so no other jump of a part moves.
 */
import { SCMP_ACT_ALLOW } from "../../ffi/constants";

const RET_K = 0x06, RET_A = 0x16, JA = 0x05;
/** BPF_MAXINSNS: the kernel's limit on a classic BPF program. */
const MAX_INSNS = 4096;

export function spliceAllowing(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (total / 8 > MAX_INSNS) throw new Error(`the seccomp filter would have ${total / 8} instructions, more than the kernel's ${MAX_INSNS}`);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  let start = 0;
  parts.forEach((p, i) => {
    out.set(p, start);
    const next = start + p.length;
    if (i < parts.length - 1) {
      for (let off = start; off < next; off += 8) {
        const code = v.getUint16(off, true);
        if (code === RET_A) throw new Error("internal error: a seccomp program returns A, which cannot be spliced");
        if (code !== RET_K || v.getUint32(off + 4, true) !== SCMP_ACT_ALLOW) continue;
        v.setUint16(off, JA, true);
        v.setUint16(off + 2, 0, true);
        v.setUint32(off + 4, (next - off) / 8 - 1, true);
      }
    }
    start = next;
  });
  return out;
}
