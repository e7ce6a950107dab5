/** The bench rows: each workload and the commands that run it natively, under the C yardstick and under sydbox. */
import { program, SYDBOX } from "./prepare";

/**
 * Which column a command fills. `cread` is the C yardstick doing the kernel work
 * a path check cannot avoid (copying the path prefix out of the tracee) before
 * answering: the floor for any supervisor that looks at paths.
 */
export type Column = "native" | "c" | "cread" | "sydbox";

/** One command whose stdout yields a single number (µs/call or ms/run). */
export interface Variant {
  column: Column;
  argv: string[];
  /** Same command with sydbox's --stats, run once after the rounds for notification counts. */
  statsArgv?: string[];
}

/** One table row. */
export interface Row {
  name: string;
  unit: "µs/call" | "ms/run";
  variants: Variant[];
  /** Each iteration is exactly one notification: report (sydbox - native) / (C - native). */
  perNotification: boolean;
  /** Goal stated in issue #2, shown next to the result. */
  target?: { what: string; check: (m: Measured) => boolean | undefined };
}

/** Medians per column of one row, in the row's unit. */
export type Measured = Partial<Record<Column, number>>;

/** Loop sizes: large enough that startup noise vanishes, small enough for a 3-minute bench on 2 cores. */
export const SIZES = { stat: 100_000, open: 100_000, create: 50_000, storm: 1000, startup: 20 };

/** Default write sandboxing as Paludis uses it: writes checked, read-only opens prefiltered in BPF. */
const WRITE_DENY = ["-m", "core/sandbox/write:deny", "-m", "allowlist/write+/tmp/***"];
// One deny rule (that never matches here): with none, sydbox decides read:allow
// without reading the path at all, and the row would not measure path work.
const READ_ALLOW = ["-m", "core/sandbox/read:allow", "-m", "denylist/read+/nonexistent/***"];
const WRITE_ALLOW = ["-m", "core/sandbox/write:allow"];
const EMULATE = ["-m", "core/trace/emulate:true"];

function sydbox(magic: string[], cmd: string[]): Variant {
  return {
    column: "sydbox",
    argv: [SYDBOX, ...magic, "--", ...cmd],
    statsArgv: [SYDBOX, ...magic, "--stats", "--", ...cmd],
  };
}

/** Per-notification round trip of sydbox over a C yardstick column, native cost removed from both. */
export function roundTrip(m: Measured, base: "c" | "cread" = "c"): number | undefined {
  const c = m[base];
  if (m.native === undefined || c === undefined || m.sydbox === undefined) return undefined;
  return (m.sydbox - m.native) / (c - m.native);
}

/** All rows, in table order. */
export function rows(): Row[] {
  const stat = [program("statbench"), "stat", String(SIZES.stat)];
  const open = [program("statbench"), "open", String(SIZES.open)];
  const create = [program("statbench"), "create", String(SIZES.create)];
  const storm = [program("spawnloop"), String(SIZES.storm), "/bin/true"];
  const csup = program("csup");
  const startupLoop = [program("spawnloop"), String(SIZES.startup)];
  return [
    {
      name: `stat loop (${SIZES.stat / 1000}k newfstatat, every call notified)`,
      unit: "µs/call",
      perNotification: true,
      variants: [
        { column: "native", argv: stat },
        { column: "c", argv: [csup, "newfstatat", "--", ...stat] },
        // sydbox reads 12 bytes of every stat path, to spot /dev/sydbox/ magic.
        { column: "cread", argv: [csup, "--read", "12", "newfstatat", "--", ...stat] },
        sydbox([], stat),
      ],
      target: { what: "round trip ≤ 1.2× C", check: (m) => ok(roundTrip(m), 1.2) },
    },
    {
      name: `open loop, write:deny (${SIZES.open / 1000}k openat+close O_RDONLY, BPF prefilter)`,
      unit: "µs/call",
      perNotification: false,
      variants: [{ column: "native", argv: open }, sydbox(WRITE_DENY, open)],
    },
    {
      name: `open loop, read:allow (${SIZES.open / 1000}k openat+close, every open notified)`,
      unit: "µs/call",
      perNotification: true,
      variants: [
        { column: "native", argv: open },
        { column: "c", argv: [csup, "openat", "--", ...open] },
        { column: "cread", argv: [csup, "--read", "64", "openat", "--", ...open] },
        sydbox(READ_ALLOW, open),
      ],
      target: { what: "round trip ≤ 1.2× C", check: (m) => ok(roundTrip(m), 1.2) },
    },
    {
      name: `open loop, read:allow, emulated (${SIZES.open / 1000}k openat+close, each opened by sydbox, fd sent with ADDFD)`,
      unit: "µs/call",
      perNotification: true,
      variants: [
        { column: "native", argv: open },
        { column: "c", argv: [csup, "openat", "--", ...open] },
        sydbox([...READ_ALLOW, ...EMULATE], open),
      ],
    },
    {
      name: `create loop, write:deny (${SIZES.create / 1000}k openat(O_CREAT|O_TRUNC)+close in /tmp, CONTINUE)`,
      unit: "µs/call",
      perNotification: true,
      variants: [
        { column: "native", argv: create },
        { column: "c", argv: [csup, "openat", "--", ...create] },
        sydbox(WRITE_DENY, create),
      ],
    },
    {
      name: `create loop, write:deny, emulated (${SIZES.create / 1000}k openat(O_CREAT|O_TRUNC)+close in /tmp)`,
      unit: "µs/call",
      perNotification: true,
      variants: [
        { column: "native", argv: create },
        { column: "c", argv: [csup, "openat", "--", ...create] },
        sydbox([...WRITE_DENY, ...EMULATE], create),
      ],
    },
    {
      name: `open loop, write:deny, emulated (${SIZES.open / 1000}k openat+close O_RDONLY: not notified, so not emulated)`,
      unit: "µs/call",
      perNotification: false,
      variants: [{ column: "native", argv: open }, sydbox([...WRITE_DENY, ...EMULATE], open)],
    },
    {
      name: `fork/exec storm, write:deny (${SIZES.storm} × /bin/true)`,
      unit: "ms/run",
      perNotification: false,
      variants: [{ column: "native", argv: storm }, sydbox(WRITE_DENY, storm)],
    },
    {
      name: `fork/exec storm, read:allow (${SIZES.storm} × /bin/true, loader opens notified)`,
      unit: "ms/run",
      perNotification: false,
      variants: [{ column: "native", argv: storm }, sydbox(READ_ALLOW, storm)],
    },
    {
      name: `fork/exec storm, read:allow, emulated (${SIZES.storm} × /bin/true, loader opens emulated)`,
      unit: "ms/run",
      perNotification: false,
      variants: [{ column: "native", argv: storm }, sydbox([...READ_ALLOW, ...EMULATE], storm)],
    },
    {
      // Timed from outside by spawnloop, so it includes both Bun runtime starts.
      name: `startup: write:allow -- /bin/true (mean of ${SIZES.startup})`,
      unit: "ms/run",
      perNotification: false,
      variants: [
        { column: "native", argv: [...startupLoop, "/bin/true"] },
        { column: "c", argv: [...startupLoop, csup, "newfstatat", "--", "/bin/true"] },
        { column: "sydbox", argv: [...startupLoop, SYDBOX, ...WRITE_ALLOW, "--", "/bin/true"] },
      ],
      target: { what: "< 30 ms (≤ 20 ms later)", check: (m) => (m.sydbox === undefined ? undefined : m.sydbox < 30) },
    },
  ];
}

function ok(v: number | undefined, limit: number): boolean | undefined {
  return v === undefined ? undefined : v <= limit;
}
