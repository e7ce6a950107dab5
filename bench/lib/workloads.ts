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
export const SIZES = { stat: 100_000, open: 100_000, create: 50_000, storm: 1000, startup: 20, shellStorm: 500, plain: 200_000 };

/** The build's profile, for the rows that measure what a Paludis build pays per exec and per syscall. */
const PALUDIS = ["--profile", "paludis"];

/** 500 × /bin/true from a shell loop, as issue #22 measured the exec storm (and as make runs commands). */
export const SHELL_STORM = ["sh", "-c", `i=0; while [ $i -lt ${SIZES.shellStorm} ]; do /bin/true; i=$((i+1)); done`];

/** Default write sandboxing as Paludis uses it: writes checked, read-only opens prefiltered in BPF. */
const WRITE_DENY = ["-m", "core/sandbox/write:deny", "-m", "allowlist/write+/tmp/***"];
// One deny rule (that never matches here): with none, sydbox decides read:allow
// without reading the path at all, and the row would not measure path work.
const READ_ALLOW = ["-m", "core/sandbox/read:allow", "-m", "denylist/read+/nonexistent/***"];
const WRITE_ALLOW = ["-m", "core/sandbox/write:allow"];
/** Emulation (the default) and CONTINUE after the check (SydBox 2's way), spelled out per row. */
const EMULATE = ["-m", "core/trace/emulate:true"];
const CONTINUE = ["-m", "core/trace/emulate:false"];

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

/**
 * A row whose every iteration is one notification of `syscall`, which both C yardstick
 * columns notify too (`cread` also copies `read` bytes of the path, as any check must).
 */
function notified(name: string, cmd: string[], syscall: string, read: number, magic: string[], target?: Row["target"]): Row {
  const csup = program("csup");
  return {
    name,
    unit: "µs/call",
    perNotification: true,
    variants: [
      { column: "native", argv: cmd },
      { column: "c", argv: [csup, syscall, "--", ...cmd] },
      { column: "cread", argv: [csup, "--read", String(read), syscall, "--", ...cmd] },
      sydbox(magic, cmd),
    ],
    target,
  };
}

/** A row measured natively and under sydbox only (nothing, or not only one syscall, notified). */
function whole(name: string, cmd: string[], magic: string[], unit: Row["unit"] = "ms/run"): Row {
  return { name, unit, perNotification: false, variants: [{ column: "native", argv: cmd }, sydbox(magic, cmd)] };
}

/**
 * A row under --profile paludis with the exact floor (lib/floor.ts: csup loading
 * sydbox's own filter) in the C column, when `floor` holds its arguments.
 */
function withFloor(name: string, cmd: string[], floor: string[] | undefined, unit: Row["unit"], timer: string[] = []): Row {
  const variants: Variant[] = [{ column: "native", argv: [...timer, ...cmd] }];
  if (floor) variants.push({ column: "c", argv: [...timer, program("csup"), ...floor, "--", ...cmd] });
  const s = sydbox(PALUDIS, cmd);
  variants.push({ column: "sydbox", argv: [...timer, ...s.argv], statsArgv: [...timer, ...s.statsArgv!] });
  return { name, unit, perNotification: false, variants };
}

/**
 * All rows, in table order. `floor`: csup's arguments for the exact floor of
 * --profile paludis (lib/floor.ts), for the rows that compare against it.
 */
export function rows(floor?: string[]): Row[] {
  const stat = [program("statbench"), "stat", String(SIZES.stat)];
  const open = [program("statbench"), "open", String(SIZES.open)];
  const create = [program("statbench"), "create", String(SIZES.create)];
  const storm = [program("spawnloop"), String(SIZES.storm), "/bin/true"];
  const csup = program("csup");
  const startupLoop = [program("spawnloop"), String(SIZES.startup)];
  const plain = (what: string) => [program("statbench"), what, String(SIZES.plain)];
  const roundTripTarget = { what: "round trip ≤ 1.2× C", check: (m: Measured) => ok(roundTrip(m), 1.2) };
  return [
    // sydbox reads 12 bytes of every stat path, to spot /dev/sydbox/ magic.
    notified(`stat loop (${SIZES.stat / 1000}k newfstatat, every call notified)`, stat, "newfstatat", 12, [], roundTripTarget),
    whole(`open loop, write:deny (${SIZES.open / 1000}k openat+close O_RDONLY, BPF prefilter)`, open, WRITE_DENY, "µs/call"),
    notified(`open loop, read:allow, CONTINUE (${SIZES.open / 1000}k openat+close, every open notified, emulate:false)`, open, "openat", 64, [...READ_ALLOW, ...CONTINUE], roundTripTarget),
    notified(`open loop, read:allow, emulated (${SIZES.open / 1000}k openat+close, each opened by sydbox, fd sent with ADDFD)`, open, "openat", 64, [...READ_ALLOW, ...EMULATE]),
    notified(`create loop, write:deny, CONTINUE (${SIZES.create / 1000}k openat(O_CREAT|O_TRUNC)+close in /tmp, emulate:false)`, create, "openat", 64, [...WRITE_DENY, ...CONTINUE]),
    notified(`create loop, write:deny, emulated (${SIZES.create / 1000}k openat(O_CREAT|O_TRUNC)+close in /tmp)`, create, "openat", 64, [...WRITE_DENY, ...EMULATE]),
    whole(`fork/exec storm, write:deny (${SIZES.storm} × /bin/true)`, storm, WRITE_DENY),
    // Timed from outside, sydbox's start included, as issue #22 timed it with hyperfine.
    withFloor(`exec storm from a shell, --profile paludis (${SIZES.shellStorm} × /bin/true in a sh loop, sydbox start included, fastest of 3; C: exact floor)`, SHELL_STORM, floor, "ms/run", [program("spawnloop"), "-m", "3"]),
    withFloor(`syscall loop, getpid, --profile paludis (${SIZES.plain / 1000}k, none notified: the filter's own cost; fastest batch of 1000; C: exact floor)`, plain("getpid"), floor, "µs/call"),
    withFloor(`syscall loop, read of /dev/zero, --profile paludis (${SIZES.plain / 1000}k × 64 bytes, none notified; fastest batch of 1000; C: exact floor)`, plain("read"), floor, "µs/call"),
    whole(`fork/exec storm, read:allow, CONTINUE (${SIZES.storm} × /bin/true, loader opens notified, emulate:false)`, storm, [...READ_ALLOW, ...CONTINUE]),
    whole(`fork/exec storm, read:allow, emulated (${SIZES.storm} × /bin/true, loader opens emulated)`, storm, [...READ_ALLOW, ...EMULATE]),
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
      target: { what: "≤ 20 ms", check: (m) => (m.sydbox === undefined ? undefined : m.sydbox <= 20) },
    },
  ];
}

function ok(v: number | undefined, limit: number): boolean | undefined {
  return v === undefined ? undefined : v <= limit;
}

/** A workload compared with the paired method (lib/paired.ts): native, exact floor and sydbox commands. */
export interface PairedRow {
  name: string;
  unit: Row["unit"];
  native: string[];
  floor: string[];
  sydbox: string[];
}

/** Pairs per comparison in `npm run bench`'s paired section. */
export const PAIRS = { compare: 8, aa: 6 };

/**
 * The rows issue #22 sets targets for, under --profile paludis: the exec storm from a
 * shell (sydbox's start included, 3 runs per sample) and the non-notified syscall loops.
 */
export function pairedRows(floor: string[]): PairedRow[] {
  const row = (name: string, unit: Row["unit"], cmd: string[], timer: string[] = []): PairedRow => ({
    name, unit,
    native: [...timer, ...cmd],
    floor: [...timer, program("csup"), ...floor, "--", ...cmd],
    sydbox: [...timer, SYDBOX, ...PALUDIS, "--", ...cmd],
  });
  return [
    row(`exec storm: ${SIZES.shellStorm} × /bin/true from a shell, sydbox start included (fastest of 3)`, "ms/run", SHELL_STORM, [program("spawnloop"), "-m", "3"]),
    row(`syscall loop: ${SIZES.plain / 1000}k getpid, none notified (fastest batch of 1000)`, "µs/call", [program("statbench"), "getpid", String(SIZES.plain)]),
    row(`syscall loop: ${SIZES.plain / 1000}k read of 64 bytes of /dev/zero, none notified (fastest batch of 1000)`, "µs/call", [program("statbench"), "read", String(SIZES.plain)]),
  ];
}
