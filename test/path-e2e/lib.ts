/**
 * Shared pieces of the path-sandboxing acceptance tests: the sysc helper, shell
 * scripts that run many sysc calls in one sydbox run (one `LABEL=RESULT` line
 * each), filesystem snapshots, and violation-report parsing.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { cc } from "../lib/cc";
import { constants } from "node:os";
import { sydboxCommand, type Result } from "../lib/sydbox";

/** The compiled sysc helper (test/c/sysc.c). */
export const SYSC = cc("sysc");
/** Its directory, to allowlist for read and exec. */
export const BUILD_DIR = dirname(SYSC);

/** Single-quotes a word for sh. */
export const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** One sysc call in a script: `label` must be unique and shell-safe. */
export interface Call {
  label: string;
  args: string[];
}

/** A sh line printing `LABEL=RESULT` for one sysc call. */
export function callLine(c: Call): string {
  return `printf '%s=%s\\n' ${q(c.label)} "$(${[SYSC, ...c.args].map(q).join(" ")} 2>&1)"`;
}

/** The `LABEL=RESULT` lines of a run's stdout. */
export function results(stdout: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/**
 * Runs `sydbox ...args` like test/lib/sydbox.ts, but decodes stdout and stderr as
 * latin1, so that reports naming non-UTF-8 bytes compare byte for byte.
 */
export async function sydboxRaw(args: string[], opts: { cwd?: string } = {}): Promise<Result> {
  const p = Bun.spawn([...sydboxCommand(), ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", cwd: opts.cwd, timeout: 30000 });
  const [o, e] = await Promise.all([new Response(p.stdout).arrayBuffer(), new Response(p.stderr).arrayBuffer()]);
  await p.exited;
  const latin1 = (b: ArrayBuffer) => Buffer.from(b).toString("latin1");
  return { status: p.exitCode ?? 128 + (p.signalCode ? (constants.signals as Record<string, number>)[p.signalCode] ?? 0 : 0), stdout: latin1(o), stderr: latin1(e) };
}

/** Runs `sh -c script` under sydbox with the given options. */
export function runSh(opts: string[], script: string, extra: { cwd?: string; wrap?: string[] } = {}): Promise<Result> {
  return sydboxRaw([...opts, "--", ...(extra.wrap ?? []), "sh", "-c", script], { cwd: extra.cwd });
}

/** Runs many sysc calls in one sydbox run. */
export async function runCalls(opts: string[], calls: Call[], extra: { cwd?: string; pre?: string; post?: string } = {}) {
  const script = [extra.pre ?? "", ...calls.map(callLine), extra.post ?? ""].join("\n");
  const r = await runSh(opts, script, extra);
  return { ...r, results: results(r.stdout) };
}

/** The second lines (`name(...)`) of every violation report in `stderr`, in SydBox's format. */
export function violations(stderr: string): string[] {
  const out: string[] = [];
  const lines = stderr.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "sydbox: 8< -- Access Violation! --") continue;
    // The call line may span lines when a path holds newlines: it ends at the proc line.
    let k = i + 1;
    while (k < lines.length && !lines[k].startsWith("sydbox: proc: ")) k++;
    out.push(lines.slice(i + 1, k).join("\n").replace(/^sydbox: /, ""));
    i = k - 2;
    // The rest of the block: proc, cwd, cmdline, end marker.
    if (!/^sydbox: proc: .+\[\d+\] \(parent:\d+\)$/.test(lines[i + 2] ?? "")) throw new Error(`bad report block: ${lines.slice(i, i + 6).join("\n")}`);
    if (!/^sydbox: cwd: `.*'$/.test(lines[i + 3] ?? "")) throw new Error(`bad report cwd: ${lines[i + 3]}`);
    if (!/^sydbox: cmdline: `/.test(lines[i + 4] ?? "")) throw new Error(`bad report cmdline: ${lines[i + 4]}`);
    // A cmdline may contain newlines (sh -c scripts); the end marker follows it.
    let j = i + 5;
    while (j < lines.length && lines[j] !== "sydbox: >8 --") j++;
    if (j === lines.length) throw new Error("report block without its end marker");
  }
  return out;
}

/** Does the report list contain `name(`...path...` ? */
export function reported(vs: string[], name: string, path: string): boolean {
  return vs.some((v) => v.startsWith(`${name}(`) && v.includes(`\`${path}'`));
}

/** A recursive snapshot of a tree: type, mode, owner, size, mtime, content, link target, xattrs. */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const xattrTargets: string[] = [];
  const visit = (p: string) => {
    const st = lstatSync(p);
    let desc = `mode=${st.mode.toString(8)} uid=${st.uid} gid=${st.gid} size=${st.size} mtime=${st.mtimeMs} nlink=${st.nlink}`;
    if (st.isSymbolicLink()) desc += ` -> ${readlinkSync(p, "latin1")}`;
    else if (st.isFile()) desc += ` data=${readFileSync(p, "latin1")}`;
    if (!st.isSymbolicLink()) xattrTargets.push(p);
    out.set(p, desc);
    if (st.isDirectory()) for (const e of readdirSync(p, { encoding: "latin1" }).sort()) visit(join(p, e));
  };
  visit(root);
  if (xattrTargets.length) {
    const script = xattrTargets.map((t) => `${q(SYSC)} xattrs ${q(t.replace(/\\/g, "\\\\"))}`).join("\n");
    const r = Bun.spawnSync(["sh", "-c", script]);
    const lines = r.stdout.toString().split("\n");
    xattrTargets.forEach((t, i) => out.set(t, `${out.get(t)} xattrs=${lines[i]}`));
  }
  return out;
}

/** The differences between two snapshots, for a readable failure. */
export function diff(a: Map<string, string>, b: Map<string, string>): string[] {
  const d: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) d.push(`${k}: ${v} => ${b.get(k) ?? "(gone)"}`);
  for (const [k, v] of b) if (!a.has(k)) d.push(`${k}: (new) ${v}`);
  return d;
}
