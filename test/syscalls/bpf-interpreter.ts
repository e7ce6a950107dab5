/**
 * A classic BPF interpreter for the subset libseccomp and src/launch/classes-bpf.ts emit, to
 * walk a compiled seccomp program in tests without loading it.
 */
/** seccomp_data: nr, arch, ip, args. */
export function seccompData(nr: number, auditArch: number, args: number[] = []): DataView {
  const d = new DataView(new ArrayBuffer(64));
  d.setUint32(0, nr >>> 0, true);
  d.setUint32(4, auditArch >>> 0, true);
  args.forEach((a, i) => { d.setUint32(16 + 8 * i, a >>> 0, true); d.setUint32(20 + 8 * i, Math.floor(a / 2 ** 32) >>> 0, true); });
  return d;
}

/** Runs a classic BPF program (struct sock_filter[]) over `data`: the subset libseccomp emits. */
export function runBpf(prog: Uint8Array, data: DataView): number {
  const v = new DataView(prog.buffer, prog.byteOffset, prog.byteLength);
  const mem = new Uint32Array(16);
  let A = 0, X = 0, pc = 0;
  for (let steps = 0; steps < 100000; steps++) {
    const code = v.getUint16(pc * 8, true), jt = v.getUint8(pc * 8 + 2), jf = v.getUint8(pc * 8 + 3), k = v.getUint32(pc * 8 + 4, true);
    pc++;
    switch (code) {
      case 0x20: A = data.getUint32(k, true); break; // ld [k]
      case 0x00: A = k; break; // ld #k
      case 0x60: A = mem[k]; break; // ld M[k]
      case 0x02: mem[k] = A; break; // st M[k]
      case 0x61: X = mem[k]; break; // ldx M[k]
      case 0x07: X = A; break; // tax
      case 0x87: A = X; break; // txa
      case 0x54: A = (A & k) >>> 0; break; // and #k
      case 0x05: pc += k; break; // ja
      case 0x15: pc += A === k ? jt : jf; break;
      case 0x25: pc += A > k ? jt : jf; break;
      case 0x35: pc += A >= k ? jt : jf; break;
      case 0x45: pc += (A & k) !== 0 ? jt : jf; break;
      case 0x06: return k; // ret #k
      default: throw new Error(`BPF opcode 0x${code.toString(16)} at ${pc - 1} not interpreted`);
    }
  }
  throw new Error("BPF program did not return");
}

