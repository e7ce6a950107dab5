/**
 * The magic stat: stat, lstat, newfstatat and statx on `/dev/sydbox[/command]`
 * run the command against the calling process's own sandbox state.
 *
 * - The path is the literal argument: exactly `/dev/sydbox`, or starting with
 *   `/dev/sydbox/` (`/dev/sydboxFOO` and relative paths are not magic). Any other
 *   call goes to the kernel untouched, as does every call from a process whose
 *   magic lock is on (the kernel then answers, normally ENOENT).
 * - Success returns 0 with a fake character device in the caller's buffer
 *   (fakestat.ts). A false query is ENOENT; a ConfigError is its errno (EINVAL,
 *   ENOTSUP, EPERM); `cmd/exec` fails with the program's exit status as errno.
 * - A change applies to a copy of the caller's Config, which becomes the
 *   caller's new State (state.ts) only once the answer is written: the very next
 *   call of that process sees it, other processes do not.
 */
import type * as MagicModule from "../config/magic";
import { ConfigError, Errno } from "../errors";
import { byteStringToText } from "../policy/bytes";
import type { SyscallRow } from "../syscalls/table";
import type { Call } from "./call";
import { nodeFs, nodeOs } from "../lazy-node";
import { fakeStat, layoutFor } from "./fakestat";
import { CONTINUE, fail, GONE, succeed, type Verdict } from "./verdict";

const PREFIX = Buffer.from("/dev/sydbox");
const SLASH = 0x2f;

/** The fake stat's bytes, made here and written into the caller's buffer. */
let statBuf: Buffer | null = null;

/**
 * The magic language (config/magic.ts and its key schema), loaded by the first
 * magic stat: building the schema is most of a millisecond of the Worker's
 * start, which every command's first answer waits for, and most runs never
 * make a magic call.
 */
let magic: typeof MagicModule | undefined;
const magicLanguage = () => (magic ??= require("../config/magic") as typeof MagicModule);

/**
 * Is the string at `addr` possibly magic? Reads only the first 12 bytes, so the
 * (frequent) ordinary stat costs one small read. Returns false when it surely
 * is not; true when the full string must be read.
 */
function maybeMagic(c: Call, addr: number): boolean {
  const want = PREFIX.length + 1;
  const n = c.peek(addr, want);
  if (n <= 0) return false; // EFAULT: the kernel reports it
  const b = c.peeked;
  for (let i = 0; i < Math.min(n, PREFIX.length); i++) if (b[i] !== PREFIX[i]) return false;
  if (n < want) return true; // a short read (page boundary): decide on the whole string
  return b[PREFIX.length] === 0 || b[PREFIX.length] === SLASH;
}

/**
 * Decides a stat-family call: CONTINUE unless it is a magic stat, whose command runs
 * here. `run` runs cmd/exec's program (runOutside; unit tests stand in for it).
 */
export function castMagic(c: Call, row: SyscallRow, run: (pid: number, argv: string[]) => number = runOutside): Verdict {
  // A caller known to have its lock on (under a Paludis phase's exec_lock, every process
  // that has exec'd) casts no magic: its path is not even read.
  if (c.knownState?.lock === "on") return CONTINUE;
  const pid = c.pid;
  const addr = c.arg(row.paths![0].path);
  if (addr === 0 || !maybeMagic(c, addr)) return CONTINUE;
  const state = c.state;
  if (state.lock === "on") return CONTINUE;
  const path = c.readString(addr);
  if (!c.idValid()) return GONE;
  if (path === null) return CONTINUE;
  const { applyMagic, magicCommandFromPath, parseMagic } = magicLanguage();
  const command = magicCommandFromPath(path);
  if (command === null) return CONTINUE;
  const layout = layoutFor(row, c.arch);
  if (layout === null) return CONTINUE; // a layout we do not write (i386 stat64): the kernel answers

  let cfg = state.cfg;
  let changes = false;
  try {
    const { op } = parseMagic(command);
    changes = op === ":" || op === "+" || op === "-";
    if (changes) cfg = structuredClone(cfg);
    const result = applyMagic(cfg, command, { runtime: true });
    if (result.kind === "query" && !result.value) return fail(Errno.ENOENT);
    if (result.kind === "command") {
      const status = run(pid, result.argv);
      if (!c.idValid()) return GONE;
      if (status !== 0) return fail(status);
    }
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.errno);
    throw e;
  }

  const buf = (statBuf ??= Buffer.alloc(256));
  const len = fakeStat(layout, buf);
  const err = c.write(c.arg(row.stat!.buf), buf, len);
  if (!c.idValid()) return GONE;
  if (err) return fail(err === Errno.ESRCH ? Errno.EFAULT : err);
  // The change takes effect once the answer is written: the dispatcher installs it.
  // core/trace/exit_wait_all is global (SydBox 1's key): the last setting decides.
  return changes ? { kind: "reconfigure", cfg, exitWaitAll: command.startsWith("core/trace/exit_wait_all:") } : succeed(0);
}

/** Bytes read as latin1 (how tracee strings arrive) back to the string Bun will encode as those bytes. */
const bytes = byteStringToText;

/**
 * Runs `cmd/exec`'s program outside the sandbox, synchronously, with the
 * caller's working directory and environment, and sydbox's own stdio. Returns
 * its exit status (128 + signal if killed; 127 when it cannot be started).
 * Every tracee waits meanwhile: the supervisor answers nothing else.
 */
export function runOutside(pid: number, argv: string[]): number {
  let cwd = "/";
  try { cwd = nodeFs().readlinkSync(`/proc/${pid}/cwd`); } catch {}
  const env: Record<string, string> = {};
  try {
    for (const entry of nodeFs().readFileSync(`/proc/${pid}/environ`).toString("utf8").split("\0")) {
      const eq = entry.indexOf("=");
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } catch {}
  try {
    const r = Bun.spawnSync(argv.map(bytes), { cwd, env, stdin: "ignore", stdout: "inherit", stderr: "inherit" });
    if (r.exitCode !== null) return r.exitCode;
    const sig = r.signalCode ? (nodeOs().constants.signals as Record<string, number>)[r.signalCode] ?? 0 : 0;
    return 128 + sig;
  } catch {
    return 127;
  }
}
