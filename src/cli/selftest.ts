/**
 * `sydbox --test`: checks, one per line in SydBox's style, that this kernel and
 * system give sydbox what it needs. Exit 0 when every required check passes.
 */
import { ptr } from "bun:ffi";
import { SECCOMP_GET_ACTION_AVAIL, SECCOMP_RET_USER_NOTIF } from "../../ffi/constants";
import { loadLibc } from "../../ffi/libc";
import { loadSeccomp, syscallNumber } from "../../ffi/seccomp";
import { kernelFeatures } from "../launch/features";
import { openChildren } from "../launch/reaper";
import { nodeFs } from "../lazy-node";

interface Check {
  name: string;
  required: boolean;
  run: () => string | true;
}

/** Runs every check, prints the results, and returns the exit status. */
export async function selfTest(out: (line: string) => void): Promise<number> {
  const L = loadLibc();
  const sc = loadSeccomp();
  const child = Bun.spawn(["sleep", "10"], { stdio: ["ignore", "ignore", "ignore"] });
  // A mapped address in the child: the start of its first mapping.
  const firstMapping = () => parseInt(nodeFs().readFileSync(`/proc/${child.pid}/maps`, "utf8").split("-")[0], 16);
  const buf = new Uint8Array(16);
  const checks: Check[] = [
    {
      name: "seccomp user notification", required: true, run: () => {
        const action = new Uint32Array([SECCOMP_RET_USER_NOTIF]);
        const r = L.ret(Number(L.syscall(syscallNumber(sc, "seccomp"), SECCOMP_GET_ACTION_AVAIL, 0, ptr(action), 0, 0, 0)));
        return r === 0 || `not available (errno ${-r})`;
      },
    },
    {
      name: "pidfd_open and pidfd_getfd", required: true, run: () => {
        const pidfd = L.ret(Number(L.syscall(syscallNumber(sc, "pidfd_open"), child.pid, 0, 0, 0, 0, 0)));
        if (pidfd < 0) return `pidfd_open failed (errno ${-pidfd})`;
        const fd = L.ret(Number(L.syscall(syscallNumber(sc, "pidfd_getfd"), pidfd, 0, 0, 0, 0, 0)));
        L.close(pidfd);
        if (fd < 0) return `pidfd_getfd failed (errno ${-fd})`;
        L.close(fd);
        return true;
      },
    },
    {
      // The child stage kills the tree through it when sydbox dies (launch/reaper.ts).
      name: "fail-closed (/proc/PID/task/TID/children)", required: true, run: () => {
        L.close(openChildren(L));
        return true;
      },
    },
    {
      name: "cross memory attach (process_vm_readv)", required: false, run: () => {
        const local = new BigUint64Array([BigInt(ptr(buf)), 16n]);
        const remote = new BigUint64Array([BigInt(firstMapping()), 16n]);
        const n = L.ret(L.process_vm_readv(child.pid, local, 1, remote, 1, 0));
        return n === 16 || `failed (${n < 0 ? `errno ${-n}` : `${n} of 16 bytes`}); /proc/PID/mem will be used`;
      },
    },
    {
      name: "/proc/PID/mem", required: false, run: () => {
        const fd = L.ret(L.openat(-100, Buffer.from(`/proc/${child.pid}/mem\0`), 0, 0));
        if (fd < 0) return `cannot open (errno ${-fd})`;
        const n = L.ret(L.pread(fd, buf, 16, firstMapping()));
        L.close(fd);
        return n === 16 || `cannot read (${n < 0 ? `errno ${-n}` : `${n} of 16 bytes`})`;
      },
    },
  ];
  let failed = false, memoryReadable = false;
  for (const c of checks) {
    let r: string | true;
    try { r = c.run(); } catch (e) { r = String((e as Error).message); }
    if (r === true && (c.name === "/proc/PID/mem" || c.name.startsWith("cross memory attach"))) memoryReadable = true;
    if (r !== true && c.required) failed = true;
    out(`sydbox: ${c.name}: ${r === true ? "OK" : r}`);
  }
  if (!memoryReadable) { failed = true; out("sydbox: cannot read tracee memory by any means"); }
  const f = kernelFeatures();
  for (const [name, ok] of Object.entries(f)) out(`sydbox: kernel feature ${name}: ${ok ? "yes" : "no"}`);
  child.kill();
  await child.exited;
  out(failed ? "sydbox: the system is NOT usable by sydbox." : "sydbox: the system is usable by sydbox.");
  return failed ? 1 : 0;
}
