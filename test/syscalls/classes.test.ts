/**
 * The classification (src/syscalls/numbers.ts, classes.ts, table.ts): every number of every
 * architecture sydbox filters has a verdict, and the filter libseccomp builds from it answers
 * each number so. The compiled classification program is run by a small BPF interpreter
 * below, for every number from 0 past the newest known, on x86_64 with x86 and x32 (-a), the
 * three ABIs of this machine; aarch64 is checked on the data.
 */
import { describe, expect, test } from "bun:test";
import { CString } from "bun:ffi";
import { AUDIT_ARCH, SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, X32_SYSCALL_BIT } from "../../ffi/constants";
import { loadSeccomp } from "../../ffi/seccomp";
import { buildFilter, classAction } from "../../src/launch/filter";
import type { FilterInputs, Trust } from "../../src/launch/filter-spec";
import { classesBpf } from "../../src/launch/classes-bpf";
import { classifiedNames, classOf, COMPAT_ENOSYS } from "../../src/syscalls/classes";
import { ARCH_TABLES, type ArchTable } from "../../src/syscalls/numbers";
import { SYSCALLS } from "../../src/syscalls/table";
import { runBpf, seccompData } from "./bpf-interpreter";

const NO_TRUST: Trust = {
  ptrace: false, io_uring: false, open_by_handle: false, userfaultfd: false, pidfd: false, namespaces: false,
  mount: false, devices: false, acct: false, core_dumps: false, terminal: false, fs_ioctl: false,
};
const ENOSYS = SCMP_ACT_ERRNO(38), EPERM = SCMP_ACT_ERRNO(1);
const arch = (name: string) => ARCH_TABLES.find((t) => t.name === name)!;
/** What the classification program must answer for number `nr` (bias excluded) of `t`. */
const expected = (t: ArchTable, nr: number, trust = NO_TRUST) => {
  const name = t.names[nr];
  return name === undefined || name === "-" ? ENOSYS : classAction(t, name, trust) ?? SCMP_ACT_ALLOW;
};

describe("the data", () => {
  test("every assigned number of every architecture is classified, with a reason", () => {
    for (const t of ARCH_TABLES) {
      for (const name of t.names) {
        if (name === "-") continue;
        const c = classOf(name);
        const row = SYSCALLS.some((r) => r.name === name);
        expect({ arch: t.name, name, classified: c !== undefined || row }).toEqual({ arch: t.name, name, classified: true });
        if (c) expect(c.why.length).toBeGreaterThan(10);
      }
    }
  });

  test("every classified name and every table.ts row is a syscall of some architecture", () => {
    const known = new Set(ARCH_TABLES.flatMap((t) => t.names));
    for (const name of [...classifiedNames(), ...SYSCALLS.map((r) => r.name), ...COMPAT_ENOSYS]) expect({ name, known: known.has(name) }).toEqual({ name, known: true });
  });

  test("a name with a table.ts row is classified only to allow it (the row decides) or to refuse it under a trust key (mount)", () => {
    for (const r of SYSCALLS) {
      const c = classOf(r.name);
      if (c && c.verdict !== "allow") expect({ name: r.name, verdict: c.verdict, trust: c.trust !== undefined }).toEqual({ name: r.name, verdict: "eperm", trust: true });
    }
    expect(classAction(arch("x86_64"), "fchmod", NO_TRUST)).toBeNull(); // allowed; notified where table.ts has a row
  });

  test("decisions of note, on each architecture that has the call", () => {
    const cases: Array<[string, string, number | null]> = [
      ["x86_64", "read", null], ["x86_64", "openat", null], ["x86_64", "mount", EPERM], ["x86_64", "acct", EPERM],
      ["x86_64", "setxattrat", ENOSYS], ["x86_64", "file_setattr", ENOSYS], ["x86_64", "open_tree_attr", EPERM],
      ["x86_64", "fchmodat2", null], ["x86_64", "mseal", null], ["x86_64", "uretprobe", null], ["x86_64", "clone3", ENOSYS],
      ["x86_64", "kexec_load", EPERM], ["x86_64", "swapon", EPERM], ["x86_64", "io_uring_setup", EPERM], ["x86_64", "tuxcall", ENOSYS],
      ["x86", "utimensat_time64", ENOSYS], ["x86", "fchmodat2", ENOSYS], ["x86", "open_tree_attr", ENOSYS], ["x86", "socketcall", null],
      ["x86", "clock_settime64", EPERM], ["x86", "chown32", null], ["x32", "mseal", ENOSYS], ["x32", "execve", null],
      ["aarch64", "mknodat", null], ["aarch64", "umount2", EPERM], ["aarch64", "file_getattr", ENOSYS], ["aarch64", "map_shadow_stack", null],
    ];
    for (const [a, name, want] of cases) {
      const t = arch(a);
      expect({ a, name, has: t.names.includes(name) }).toEqual({ a, name, has: true });
      expect({ a, name, action: classAction(t, name, NO_TRUST) }).toEqual({ a, name, action: want });
    }
    // A trust key turns its refusals into the call's own class (mount: its table.ts row).
    expect(classAction(arch("x86_64"), "mount", { ...NO_TRUST, mount: true })).toBeNull();
    expect(classAction(arch("x86_64"), "acct", { ...NO_TRUST, acct: true })).toBeNull();
    expect(classAction(arch("x86_64"), "clone3", { ...NO_TRUST, namespaces: true })).toBeNull();
  });

  test("libseccomp's names agree with the tables wherever libseccomp has one (aarch64 included)", () => {
    const sc = loadSeccomp();
    for (const t of ARCH_TABLES) {
      for (let nr = 0; nr < 1024; nr++) {
        const p = sc.seccomp_syscall_resolve_num_arch(t.token, nr + t.bias);
        if (!p) continue;
        expect({ arch: t.name, nr, name: t.names[nr] }).toEqual({ arch: t.name, nr, name: new CString(p).toString() });
      }
    }
  });
});

const isX86_64 = process.arch === "x64";

describe.skipIf(!isX86_64)("the compiled classification (x86_64 with -a x86 -a x32)", () => {
  const sc = loadSeccomp();
  const inputs: FilterInputs = {
    modes: { exec: "off", read: "off", write: "deny", network: "off" }, magicLocked: true, watchExec: false, trust: NO_TRUST,
    bpfOnly: false, arches: [AUDIT_ARCH.I386, AUDIT_ARCH.X32], restrict: { general: 0, io_control: false, memory_map: false, shared_memory_writable: false, file_control: false }, rootful: true,
  };
  const spec = buildFilter(inputs, sc.seccomp_arch_native());
  const prog = classesBpf(spec.classes);

  for (const name of ["x86_64", "x86", "x32"]) {
    test(`${name}: every number from 0 to past the newest, and far beyond, gets its class`, () => {
      const t = arch(name);
      const audit = name === "x86" ? AUDIT_ARCH.I386 : AUDIT_ARCH.X86_64;
      const last = t.names.length + 64;
      const numbers = [...Array(last).keys(), 1000, 4095, 65535, 0x3fffffff - t.bias];
      let checked = 0;
      for (const nr of numbers) {
        const got = runBpf(prog, seccompData(nr + t.bias, audit));
        if (got !== expected(t, nr)) expect({ arch: name, nr, name: t.names[nr], got: got.toString(16) }).toEqual({ arch: name, nr, name: t.names[nr], got: expected(t, nr).toString(16) });
        checked++;
      }
      expect(checked).toBe(numbers.length);
    });
  }

  test("another architecture is killed (ACT_BADARCH)", () => {
    expect(runBpf(prog, seccompData(0, AUDIT_ARCH.AARCH64))).toBe(0x80000000);
  });
});

describe("aarch64 (by data, compiled by sydbox as on an arm64 machine)", () => {
  test("every number from 0 past the newest, and far beyond, gets its class; the unassigned ones ENOSYS", () => {
    const t = arch("aarch64");
    const prog = classesBpf({ defaultAction: ENOSYS, arches: [{ table: t, actions: t.names.map((n) => (n === "-" ? undefined : classAction(t, n, NO_TRUST) ?? SCMP_ACT_ALLOW)) }] });
    for (const nr of [...Array(t.names.length + 64).keys(), 1000, 0xfffffff]) {
      const want = expected(t, nr);
      if (t.names[nr] === undefined || t.names[nr] === "-") expect(want).toBe(ENOSYS);
      else expect([SCMP_ACT_ALLOW, EPERM, ENOSYS]).toContain(want);
      expect({ nr, got: runBpf(prog, seccompData(nr, AUDIT_ARCH.AARCH64)) }).toEqual({ nr, got: want });
    }
    expect(runBpf(prog, seccompData(39, AUDIT_ARCH.X86_64))).toBe(0x80000000);
    expect(t.names.length).toBe(470); // file_setattr, Linux 6.17, is the newest
  });
});
