/**
 * The exact floor: the C yardstick (c/csup.c) loading the very filter sydbox builds
 * for a run (`sydbox OPTIONS --export bpf`), so it gets the same notifications by
 * construction, and answering each the cheapest correct way: copy out of the tracee
 * what any checker of sydbox's policy must read, then CONTINUE.
 *
 * What must be read comes from sydbox's syscall table and the categories the profile
 * turns on: a magic-stat row, the 12 bytes that tell a /dev/sydbox/ command from a
 * path; a row of an active category (or an open/access row, whose category depends on
 * its flags), every path string; an address row of an active network category, the
 * sockaddr. Signal rows and rows of inactive categories are answered unread, as sydbox
 * answers them. Relative paths are not resolved: that part of sydbox's work is left
 * above the floor.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SYSCALLS } from "../../src/syscalls/table";
import { runBounded } from "./proc";
import { SYDBOX } from "./prepare";

/** sydbox's magic-stat check reads this many bytes of a stat path ("/dev/sydbox/"). */
const MAGIC_PREFIX = 12;
/** A struct sockaddr_in6 and less: what a bind/connect check copies. */
const SOCKADDR = 28;

/**
 * The nice value sydbox's supervisor thread asks for (SUPERVISOR_NICE in
 * src/supervisor/worker.ts): the floor's answering thread gets the same, or under load
 * the floor would wait for the CPU where sydbox does not.
 */
const SUPERVISOR_NICE = -10;

/** The categories --profile paludis turns on (exec and read are off). */
export const PALUDIS_ON = ["write", "bind", "connect"] as const;

/**
 * Every syscall --export pfc names: libseccomp's `# filter for syscall "name" (nr)` lines
 * (the rules), and the classification's `# x86_64 nr name: VERDICT` lines (native
 * architecture only: the bench runs native binaries).
 */
export function filterSyscalls(pfc: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of pfc.matchAll(/filter for syscall "(\w+)" \((\d+)\)/g)) out.set(m[1], Number(m[2]));
  const arch = process.arch === "arm64" ? "aarch64" : "x86_64";
  for (const m of pfc.matchAll(new RegExp(`^# ${arch} (\\d+) (\\w+):`, "gm"))) if (!out.has(m[2])) out.set(m[2], Number(m[1]));
  return out;
}

/** csup's --paths spec for the syscalls of `pfc`, given the categories that are on. */
export function pathsSpec(pfc: string, on: readonly string[]): string {
  const items: string[] = [];
  for (const [name, nr] of filterSyscalls(pfc)) {
    const row = SYSCALLS.find((r) => r.name === name);
    if (!row) continue;
    const reads: [number, number][] = [];
    if (row.category === "magic" && row.paths) reads.push([row.paths[0].path, MAGIC_PREFIX]);
    else if (row.paths && (on.includes(row.category) || row.refine)) for (const p of row.paths) reads.push([p.path, 0]);
    else if (row.addr?.kind === "sockaddr" && on.includes(row.category)) reads.push([row.addr.addr, SOCKADDR]);
    if (reads.length) items.push(`${nr}:${reads.map(([a, l]) => `${a}:${l}`).join(":")}`);
  }
  return items.join(",");
}

/**
 * Exports sydbox's filter for `sydboxOpts` into dir and returns csup's arguments for the
 * floor (before `-- cmd`), and the syscall names by number (for csup --stats). Refuses a
 * filter made of two programs (core/restrict), which a raw export cannot split.
 */
export async function floorArgs(sydboxOpts: string[], dir: string, on: readonly string[] = PALUDIS_ON): Promise<{ args: string[]; names: Map<number, string> }> {
  const bpf = join(dir, "sydbox-filter.bpf");
  const pfc = await runBounded([SYDBOX, ...sydboxOpts, "--export", "pfc"], 60_000);
  const raw = await runBounded(["sh", "-c", `exec "$0" "$@" --export bpf > ${bpf}`, SYDBOX, ...sydboxOpts], 60_000);
  if (pfc.code !== 0 || raw.code !== 0) throw new Error(`sydbox --export failed: ${pfc.stderr}${raw.stderr}`);
  if (pfc.stdout.includes("core/restrict filter")) throw new Error("the floor cannot load a core/restrict filter (two programs in one --export bpf)");
  writeFileSync(join(dir, "sydbox-filter.pfc"), pfc.stdout);
  if (readFileSync(bpf).length % 8) throw new Error(`${bpf}: not a whole number of BPF instructions`);
  const spec = pathsSpec(pfc.stdout, on);
  const names = new Map([...filterSyscalls(pfc.stdout)].map(([name, nr]) => [nr, name]));
  return { args: ["--bpf", bpf, ...(spec ? ["--paths", spec] : []), "--nice", String(SUPERVISOR_NICE)], names };
}
