/**
 * A fake Call (src/supervisor/call.ts) for the engines' unit tests: arguments set by the
 * test, tracee memory a few regions the test put there, the caller this test process. No
 * sydbox is spawned and no listener exists: an engine can only return its verdict.
 */
import { applyMagic } from "../../src/config/magic";
import { defaultConfig } from "../../src/config/schema";
import type { Config } from "../../src/config/types";
import { Errno } from "../../src/errors";
import type { Call } from "../../src/supervisor/call";
import type { JobBody } from "../../src/supervisor/emulate/jobs";
import { State } from "../../src/supervisor/state";
import { SYSCALLS, type SyscallRow } from "../../src/syscalls/table";

const AUDIT_ARCH_X86_64 = 0xc000003e;

/** The table row of syscall `name`. */
export function row(name: string): SyscallRow {
  const r = SYSCALLS.find((s) => s.name === name);
  if (!r) throw new Error(`no row ${name}`);
  return r;
}

/** The default Config with the magic commands `magic` applied. */
export function config(...magic: string[]): Config {
  const cfg = defaultConfig();
  for (const m of magic) applyMagic(cfg, m);
  return cfg;
}

export class FakeCall implements Call {
  readonly pid = process.pid;
  arch = AUDIT_ARCH_X86_64;
  compat = false;
  dryRun = false;
  /** The call's arguments. */
  args = [0, 0, 0, 0, 0, 0];
  /** Is the notification still pending? */
  valid = true;
  readErrno = 0;
  /** Reads of tracee memory so far (peek, readBytes, readString). */
  reads = 0;
  readonly peeked = Buffer.alloc(4096);
  /** What the engine wrote into the caller. */
  readonly written: { addr: number; bytes: Uint8Array }[] = [];
  /** Jobs handed to helpers; `helpers` says whether one takes them. */
  readonly handed: JobBody[] = [];
  helpers = false;
  state: State;
  private readonly regions: { addr: number; bytes: Uint8Array }[] = [];
  private next = 0x10000;

  constructor(cfg: Config = config()) {
    this.state = new State(cfg);
  }

  get sandbox() { return this.state.sandbox; }
  get knownState() { return this.state; }

  /** Puts `data` (a string: latin1, NUL-terminated) into the caller's memory: its address. */
  put(data: string | Uint8Array): number {
    const bytes = typeof data === "string" ? Buffer.from(data + "\0", "latin1") : data;
    const addr = this.next;
    this.regions.push({ addr, bytes: new Uint8Array(bytes) });
    this.next += Math.ceil((bytes.length + 1) / 4096) * 4096 + 4096; // a hole after each
    return addr;
  }

  /** The readable bytes from `addr` to the end of its region, or null. */
  private from(addr: number): Uint8Array | null {
    for (const r of this.regions) if (addr >= r.addr && addr < r.addr + r.bytes.length) return r.bytes.subarray(addr - r.addr);
    return null;
  }

  argInt(i: number): number { return this.args[i] | 0; }
  arg(i: number): number { return this.args[i]; }
  argU32(i: number): number { return this.args[i] >>> 0; }
  idValid(): boolean { return this.valid; }
  readBytes(addr: number, len: number): Uint8Array | null {
    this.reads++;
    const b = this.from(addr);
    return b !== null && b.length >= len && this.valid ? b.subarray(0, len) : null;
  }
  peek(addr: number, len: number): number {
    this.reads++;
    const b = this.from(addr);
    if (b === null) return -1;
    const n = Math.min(len, b.length);
    this.peeked.set(b.subarray(0, n));
    return n;
  }
  readString(addr: number): string | null {
    this.reads++;
    const b = this.from(addr);
    if (b === null) { this.readErrno = Errno.EFAULT; return null; }
    const nul = b.indexOf(0);
    if (nul < 0) { this.readErrno = Errno.EFAULT; return null; }
    return Buffer.from(b.subarray(0, nul)).toString("latin1");
  }
  gather(): number { return -1; }
  write(addr: number, src: Uint8Array, len: number): number {
    this.written.push({ addr, bytes: src.slice(0, len) });
    return 0;
  }
  /** exec/resume_if_match asked for. */
  resumed = false;
  resumeOnExec(): void { this.resumed = true; }
  handOff(job: JobBody): boolean {
    if (this.helpers) this.handed.push(job);
    return this.helpers;
  }
}
