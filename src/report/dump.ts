/**
 * The event dump (`-d fd|path|tmp`): one JSON object per line, each with the
 * schema version `v` and the event name `ev`. The main thread writes start,
 * the eldest's exit and sydbox's exit; the supervisor Worker writes syscall,
 * exec and the other processes' exits, on the same fd (each line is one
 * write(2), so lines do not interleave in a file; on a pipe, lines up to
 * PIPE_BUF bytes are atomic).
 *
 * Nothing here runs unless -d is given: every event site is guarded by one
 * boolean (the Worker's observer is null without -d and --dry-run).
 */
import { nodeFs, nodeOs } from "../lazy-node";
import { O_CLOEXEC, O_CREAT, O_EXCL, O_WRONLY } from "../../ffi/constants";
import { UsageError } from "../errors";

/** The dump's schema version, on every line as `v`. Bump on any incompatible change. */
export const DUMP_SCHEMA = 1;

type FieldType = "number" | "string" | "boolean" | "string[]" | "object" | "number|null" | "string|null";

/**
 * Every event and its fields (besides `v`, `ev` and `t`, the time in
 * milliseconds since the epoch, which every line has). A `?` suffix marks a
 * field that may be absent. docs/design.md (Observability) documents the same table.
 */
export const DUMP_EVENTS: Readonly<Record<string, Readonly<Record<string, FieldType>>>> = {
  /** sydbox started the command. */
  start: { pid: "number", eldest: "number", argv: "string[]", version: "string", dry_run: "boolean" },
  /** One notified syscall: its decoded arguments and what the sandbox answered. */
  syscall: {
    pid: "number", name: "string", category: "string", args: "object",
    /** continue (the kernel runs it), deny (failed with errno), return (answered with ret), emulate (fd injected). */
    decision: "string", "errno?": "number", "ret?": "number",
    /** A reported violation (in a dry run: one that was recorded and let through). */
    violation: "boolean", "would_deny?": "boolean",
  },
  /** An execve/execveat that the sandbox let through (whether the kernel then succeeds is not seen). */
  exec: { pid: "number", path: "string" },
  /** A process is gone; status only for the eldest (sydbox's own child). */
  exit: { pid: "number", status: "number|null" },
  /** sydbox's own exit. */
  "sydbox-exit": { status: "number", violations: "number", suppressed: "number" },
};

/** Checks one parsed dump line against the schema; returns the problems (none when valid). */
export function checkEvent(e: unknown): string[] {
  if (typeof e !== "object" || e === null || Array.isArray(e)) return ["not an object"];
  const o = e as Record<string, unknown>;
  const errs: string[] = [];
  if (o.v !== DUMP_SCHEMA) errs.push(`v is ${JSON.stringify(o.v)}, expected ${DUMP_SCHEMA}`);
  if (typeof o.t !== "number") errs.push("t is not a number");
  const fields = typeof o.ev === "string" ? DUMP_EVENTS[o.ev] : undefined;
  if (!fields) return [...errs, `unknown event ${JSON.stringify(o.ev)}`];
  const known = new Set(["v", "ev", "t"]);
  for (const [spec, type] of Object.entries(fields)) {
    const optional = spec.endsWith("?");
    const name = optional ? spec.slice(0, -1) : spec;
    known.add(name);
    if (!(name in o)) { if (!optional) errs.push(`${o.ev}: missing ${name}`); continue; }
    if (!hasType(o[name], type)) errs.push(`${o.ev}: ${name} is not ${type}`);
  }
  for (const k of Object.keys(o)) if (!known.has(k)) errs.push(`${o.ev}: unknown field ${k}`);
  return errs;
}

function hasType(v: unknown, type: FieldType): boolean {
  switch (type) {
    case "string[]": return Array.isArray(v) && v.every((x) => typeof x === "string");
    case "object": return typeof v === "object" && v !== null && !Array.isArray(v);
    case "number|null": return v === null || typeof v === "number";
    case "string|null": return v === null || typeof v === "string";
    default: return typeof v === type;
  }
}

/** Writes events to an fd. Both threads make their own over the same fd. */
export class Dump {
  constructor(readonly fd: number) {}

  /** Writes one event line. Errors (a closed pipe) stop nothing: the dump is best effort, the run is not. */
  event(ev: string, fields: Record<string, unknown>): void {
    const line = JSON.stringify({ v: DUMP_SCHEMA, ev, t: Date.now(), ...fields }) + "\n";
    try { nodeFs().writeSync(this.fd, line); } catch { /* EPIPE, EBADF: keep running */ }
  }
}

/** Where `-d` writes: the fd, and the file's path for path and tmp. */
export interface DumpTarget {
  fd: number;
  path: string | null;
  /** tmp: print the path at start and exit. */
  announce: boolean;
  /** We opened it: close at exit. */
  owned: boolean;
}

/**
 * Opens the target of `-d SPEC`: a decimal fd (must be open), `tmp` (a new file
 * in $TMPDIR), or a path (created with O_EXCL: an existing file is an error).
 * Throws a UsageError naming the problem.
 */
export function openDump(spec: string): DumpTarget {
  if (/^\d+$/.test(spec)) {
    const fd = Number(spec);
    try { nodeFs().fstatSync(fd); } catch { throw new UsageError(`-d ${spec}: fd ${fd} is not open`); }
    return { fd, path: null, announce: false, owned: false };
  }
  const tmp = spec === "tmp";
  const flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
  for (let attempt = 0; ; attempt++) {
    const path = tmp ? `${nodeOs().tmpdir()}/sydbox-dump-${process.pid}-${Math.random().toString(36).slice(2, 10)}.jsonl` : spec;
    try {
      return { fd: nodeFs().openSync(path, flags, 0o600), path, announce: tmp, owned: true };
    } catch (e: any) {
      if (tmp && e?.code === "EEXIST" && attempt < 10) continue;
      const why = e?.code === "EEXIST" ? "file exists (the dump never overwrites)" : e?.code ?? String(e);
      throw new UsageError(`-d ${spec}: cannot create ${path}: ${why}`);
    }
  }
}

/** Closes a dump sydbox opened. */
export function closeDump(t: DumpTarget): void {
  if (t.owned) try { nodeFs().closeSync(t.fd); } catch {}
}
