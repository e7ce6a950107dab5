/**
 * The magic key schema: every API-v2 key as data, and the Config type derived from it.
 *
 * `-m`, `.syd-2` files, TOML profiles and the runtime `/dev/sydbox` stat all
 * look keys up here and apply them through `src/config/magic.ts`, so a key's
 * type, default, operators, validation and place in a Config live in exactly
 * one place.
 */
import {
  MAGIC_LOCKS, NO_WILDCARDS, SANDBOX_MODES, VIOLATION_DECISIONS,
  type Rule, type RuleAction, type RuleCategory, type SandboxCategory, type SandboxMode,
} from "./vocabulary.ts";

/** Magic operators: `:` set, `?` query, `+` append, `-` remove, `!` run a command. */
export type MagicOp = ":" | "?" | "+" | "-" | "!";

/** All operator characters, in the order SydBox 2.0.1 tests them. */
export const MAGIC_OPS: readonly MagicOp[] = [":", "+", "-", "?", "!"];

/** A key's value type. `list` keys take `+`/`-`, `command` keys take `!`. */
export type KeyType = "bool" | "int" | "enum" | "list" | "command";

/** One magic key. */
export interface KeyDef {
  /** The magic path, e.g. `core/sandbox/write`. */
  readonly key: string;
  readonly type: KeyType;
  /** Operators the key accepts; any other operator is EINVAL ("invalid operation"). */
  readonly ops: readonly MagicOp[];
  /** Default of a scalar key (lists start empty). */
  readonly default?: boolean | number | string;
  /** Allowed values of an `enum` key. */
  readonly values?: readonly string[];
  /** Inclusive range of an `int` key. */
  readonly range?: readonly [number, number];
  /** What each entry of a `list` key is: validated with the pattern compiler or the address parser. */
  readonly entry?: "path" | "address";
  /** Where the value lives in a Config. */
  readonly field: readonly string[];
  /** For allowlist/denylist keys: the action their entries carry in `cfg.lists`. */
  readonly action?: RuleAction;
  /** For `?`: what the current value answers. Absent means the key cannot be queried, as in SydBox. */
  readonly query?: (value: unknown) => boolean;
  /** One line of documentation (used by `config show` comments and the generated sydbox(5) key reference). */
  readonly doc: string;
  /**
   * A key of SydBox 1 (API 1) only, accepted so that API-1 scripts and files work.
   * `config show` and `config convert` write it only when it differs from its default.
   */
  readonly api1?: true;
}

const INT32 = [-2147483648, 2147483647] as const;
const notOff = (v: unknown) => v !== "off";
const truthy = (v: unknown) => v === true;
const positive = (v: unknown) => typeof v === "number" && v > 0;

// The entry makers keep their arguments' literal types (`field` above all): the Config
// type is computed from them.

function sandbox<const N extends SandboxCategory>(name: N, def: SandboxMode) {
  return {
    key: `core/sandbox/${name}`, type: "enum", ops: [":", "?"], default: def, values: SANDBOX_MODES,
    field: ["core", "sandbox", name], query: notOff,
    doc: `${name} sandboxing: off, bpf (kernel filter only), deny (deny unless allowlisted) or allow (allow unless denylisted)`,
  } as const satisfies KeyDef;
}

/** `a/b/c` as the tuple ["a", "b", "c"]. */
type Split<S extends string> = S extends `${infer H}/${infer R}` ? [H, ...Split<R>] : [S];

/** A bool key: its place in a Config is its magic path. */
interface BoolKey<K extends string> extends KeyDef {
  readonly key: K;
  readonly type: "bool";
  readonly field: Split<K>;
}

function bool<const K extends string>(key: K, def: boolean, doc: string): BoolKey<K> {
  return { key, type: "bool", ops: [":", "?"], default: def, field: key.split("/") as Split<K>, query: truthy, doc };
}

/** An API-1-only boolean (see KeyDef.api1). */
function api1<const K extends string>(key: K, def: boolean, doc: string): BoolKey<K> & { readonly api1: true } {
  return { ...bool(key, def, doc), api1: true };
}

function patterns<const F extends readonly string[]>(key: string, entry: "path" | "address", field: F, doc: string) {
  return { key, type: "list", ops: ["+", "-"], entry, field, doc } as const satisfies KeyDef;
}

function rules<const C extends RuleCategory>(list: "allowlist" | "denylist", category: C) {
  const network = category === "bind" || category === "connect";
  const action: RuleAction = list === "allowlist" ? "allow" : "deny";
  return {
    key: network ? `${list}/network/${category}` : `${list}/${category}`,
    type: "list", ops: ["+", "-"], entry: network ? "address" : "path", field: ["lists", category], action,
    doc: `${action === "allow" ? "allow" : "deny"} ${category} for matching ${network ? "addresses" : "paths"} (last match wins)`,
  } as const satisfies KeyDef;
}

/** Every key of the magic language, in the order `toSyd2` and `toToml` write them. */
const ENTRIES = [
  sandbox("exec", "off"),
  sandbox("read", "off"),
  sandbox("write", "bpf"),
  sandbox("network", "bpf"),

  {
    key: "core/restrict/general", type: "int", ops: [":", "?"], default: 0, range: [0, 3],
    field: ["core", "restrict", "general"], query: positive,
    doc: "syscall restriction level: 0 none, 1 strict allowlist, 2 adds more, 3 adds the write syscalls",
  },
  bool("core/restrict/io_control", false, "allow only terminal and fd-flag ioctl requests (needs general > 0)"),
  bool("core/restrict/memory_map", false, "refuse W+X mmap/mprotect and writable shared file mappings (needs general > 0)"),
  bool("core/restrict/shared_memory_writable", false, "refuse every writable shared mapping (needs general > 0)"),
  api1("core/restrict/file_control", false, "API 1: restrict fcntl(2) commands. Accepted and queryable, no effect: fcntl cannot change what a path names, and core/restrict/general covers the syscall set"),

  bool("core/allowlist/per_process_directories", true, "allow /proc/PID of the calling process"),
  bool("core/allowlist/successful_bind", true, "after a successful bind, allow connect to its address"),
  bool("core/allowlist/unsupported_socket_families", true, "allow socket families sydbox does not check"),

  {
    key: "core/violation/decision", type: "enum", ops: [":"], default: "deny", values: VIOLATION_DECISIONS,
    field: ["core", "violation", "decision"], doc: "what to do on a violation: deny, kill, killall, noop (dry run), or bpf (decide everything in the kernel, no reports: what -b sets)",
  },
  {
    key: "core/violation/exit_code", type: "int", ops: [":"], default: -1, range: INT32,
    field: ["core", "violation", "exit_code"], doc: "exit status after a violation: >0 that code; 0: 128 when the command's status is below 128, else the status (SydBox 2.0.1's code and test suite); <0 the status unchanged",
  },
  bool("core/violation/raise_fail", false, "count failures to resolve a path as violations"),
  bool("core/violation/raise_safe", false, "report safe denials (mkdir of an existing path and friends) as violations; the call still gets the errno it would have had (EEXIST...)"),

  {
    key: "core/trace/magic_lock", type: "enum", ops: [":"], default: "off", values: MAGIC_LOCKS,
    field: ["core", "trace", "magic_lock"], doc: "magic stat lock: off, on, or exec (locks when the process execs)",
  },
  bool("core/trace/use_toolong_hack", false, "handle working directories longer than PATH_MAX"),
  api1("core/trace/exit_wait_all", true, "API 1: true waits for every sandboxed process before exiting with the eldest's status; false exits when the eldest exits and kills the rest first (never left running unsupervised)"),
  api1("core/trace/exit_kill", false, "API 1: kill the remaining processes when sydbox exits with the eldest (exit_wait_all:false). Accepted and queryable, no effect: sydbox always kills them, it never leaves a process unsupervised"),
  api1("core/trace/follow_fork", true, "API 1: sandbox the children of sandboxed processes. Accepted and queryable, no effect: the seccomp filter is inherited, so children are always sandboxed"),
  {
    key: "core/trace/interrupt", type: "enum", ops: [":", "?"], default: "while_wait", values: ["everywhere", "while_wait", "never", "block_tstp_too"],
    field: ["core", "trace", "interrupt"], api1: true, query: (v) => v !== "never",
    doc: "API 1: when ptrace-based SydBox 1 let signals interrupt it (everywhere, while_wait, never, block_tstp_too; ? is true unless never). Accepted and queryable, no effect: sydbox does not trace with ptrace",
  },
  api1("core/trace/use_seize", true, "API 1: attach with PTRACE_SEIZE. Accepted and queryable, no effect: sydbox does not trace with ptrace"),
  api1("core/trace/use_ptrace", false, "API 1: trace with ptrace. Accepted and queryable, no effect: sydbox always uses seccomp user notification"),
  api1("core/trace/use_seccomp", true, "API 1: use a seccomp filter. Accepted and queryable, no effect: sydbox always does"),
  bool("core/trace/emulate", true, "perform checked calls in the supervisor on the checked paths, and verify an allowed exec at its exec event (race-free; false: CONTINUE as SydBox 2)"),

  // sydbox 3 additions: attacks on the supervisor are refused in the kernel (EPERM)
  // unless a trusted build turns the matching key on.
  bool("core/trust/ptrace", false, "allow ptrace, process_vm_readv/writev, process_madvise and kcmp (denied with EPERM by default); an exec by a process already traced is then continued without post-exec verification"),
  bool("core/trust/io_uring", false, "allow io_uring, which opens files without syscalls the filter sees"),
  bool("core/trust/open_by_handle", false, "allow open_by_handle_at, which opens files by handle, bypassing paths"),
  bool("core/trust/userfaultfd", false, "allow userfaultfd, which can stall the supervisor's memory reads"),
  bool("core/trust/pidfd", false, "allow pidfd_getfd and pidfd_send_signal, which can take fds from or signal other processes (sydbox's included)"),
  bool("core/trust/namespaces", false, "allow chroot, pivot_root, setns, the new mount API and new namespaces, which change what checked paths name (clone3 gets ENOSYS otherwise)"),
  bool("core/trust/mount", false, "allow mount, umount and umount2 (write-checked on the target) instead of refusing them with EPERM: a mount moves or covers files behind the path checks"),
  bool("core/trust/devices", false, "allow mknod/mknodat of block and character devices, and raw device commands through a read-only descriptor (SCSI, ATA and NVMe pass-through, partition table changes); refused with EPERM otherwise: a device node reaches a disk or kernel memory past the path checks"),
  bool("core/trust/fs_ioctl", false, "allow the ioctls that change a file or a filesystem through a read-only descriptor: fs-verity, encryption policies and keys, btrfs subvolumes and snapshots, labels, UUIDs, freezing, shutdown, resizing, f2fs's (refused with EPERM otherwise)"),
  bool("core/trust/acct", false, "allow acct, process accounting, in which the kernel writes a record to a file for every exit (refused with EPERM otherwise)"),
  bool("core/trust/core_dumps", false, "let crashes write core files: keep the invoker's RLIMIT_CORE and allow changing it (otherwise 0/0, and RLIMIT_CORE changes get EPERM)"),
  bool("core/trust/terminal", false, "run the command in sydbox's session, with the invoker's controlling terminal (otherwise in a session of its own, as bwrap --new-session); TIOCSTI and TIOCLINUX stay refused"),

  bool("core/match/case_sensitive", true, "match path patterns case-sensitively"),
  {
    key: "core/match/no_wildcard", type: "enum", ops: [":"], default: "literal", values: NO_WILDCARDS,
    field: ["core", "match", "no_wildcard"], doc: "a pattern without wildcards matches itself (literal) or also everything below (prefix)",
  },

  patterns("exec/kill_if_match", "path", ["exec", "kill_if_match"], "kill a process that execs a matching path"),
  patterns("exec/resume_if_match", "path", ["exec", "resume_if_match"], "a process whose exec of a matching path succeeds is no longer sandboxed (its notified calls and its children's are let through; kernel-side refusals stay) and is still waited for"),

  patterns("filter/exec", "path", ["filter", "exec"], "do not report exec violations of matching paths"),
  patterns("filter/read", "path", ["filter", "read"], "do not report read violations of matching paths"),
  patterns("filter/write", "path", ["filter", "write"], "do not report write violations of matching paths"),
  patterns("filter/network", "address", ["filter", "network"], "do not report network violations of matching addresses"),

  rules("allowlist", "exec"),
  rules("allowlist", "read"),
  rules("allowlist", "write"),
  rules("allowlist", "bind"),
  rules("allowlist", "connect"),
  rules("denylist", "exec"),
  rules("denylist", "read"),
  rules("denylist", "write"),
  rules("denylist", "bind"),
  rules("denylist", "connect"),

  {
    key: "cmd/exec", type: "command", ops: ["!"], field: [],
    doc: "cmd/exec!prog\\037arg...: run prog outside the sandbox (magic stat only)",
  },
] as const satisfies readonly KeyDef[];

/** Every key of the magic language, in the order `toSyd2` and `toToml` write them. */
export const SCHEMA: readonly KeyDef[] = ENTRIES;

/** The value a key holds in a Config. */
type ValueOf<D> =
  D extends { type: "bool" } ? boolean
  : D extends { type: "int" } ? number
  : D extends { type: "enum"; values: readonly (infer V)[] } ? V
  : D extends { type: "list"; action: RuleAction } ? Rule[]
  : D extends { type: "list" } ? string[]
  : never;
/** `value` at path `field`: ["core", "trace", "emulate"] gives { core: { trace: { emulate: value } } }. */
type Nest<F, V> = F extends readonly [infer H extends string, ...infer R] ? { [K in H]: Nest<R, V> } : V;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** An intersection of nested objects as one plain object type (readable in editors and errors). */
type Flat<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]: Flat<T[K]> } : T;

/**
 * The complete effective configuration: one field per key of the schema, at the key's
 * `field` path, of the key's type (command keys hold nothing).
 *
 * A Config is postMessage'd to the supervisor Worker and cloned per traced
 * process (the sandbox state is per process and inherited on fork), so it holds
 * only objects, arrays, strings, numbers and booleans: no classes, Maps, RegExps
 * or functions. Field names mirror the magic keys (`core/restrict/io_control`
 * is `cfg.core.restrict.io_control`) so there is one vocabulary, not two.
 */
export type Config = Flat<Intersection<Part<(typeof ENTRIES)[number]>>>;
/** One key's share of a Config (distributes over the union of entries). */
type Part<D> = D extends { field: readonly [string, ...string[]] } ? Nest<D["field"], ValueOf<D>> : never;

/**
 * SydBox 2.0.1 keys that this implementation does not support. Using one is
 * ENOTSUP rather than EINVAL so a 2.0.1 configuration gets an honest answer:
 * the key is real, the feature is not here.
 */
export const UNSUPPORTED_KEYS: readonly string[] = [
  "core/restrict/id_change",
  "core/restrict/system_info",
  "core/trace/memory_access",
  "core/trace/program_checksum",
];

/**
 * The magic "version" keys: `/dev/sydbox/2` succeeds, which is how scripts detect API 2,
 * and `/dev/sydbox/1` too, because Paludis's own sydbox.bash tests it to choose between
 * API 1 and syd-3 (it has no API-2 branch).
 */
export { API_VERSION, OLD_API_VERSION } from "../version.ts";

/**
 * API-1 key names and the API-2 names they stand for (prefixes). SydBox 1 said
 * whitelist/blacklist where SydBox 2 says allowlist/denylist; nothing else was
 * renamed. Longest prefix first.
 */
const API1_PREFIXES: readonly [string, string][] = [
  ["core/whitelist/", "core/allowlist/"],
  ["whitelist/", "allowlist/"],
  ["blacklist/", "denylist/"],
];

/** The API-2 name of `key` (an API-1 name is translated; any other key is returned as is). */
export function canonicalKey(key: string): string {
  for (const [old, now] of API1_PREFIXES) if (key.startsWith(old)) return now + key.slice(old.length);
  return key;
}

const BY_KEY: ReadonlyMap<string, KeyDef> = new Map(SCHEMA.map((d) => [d.key, d]));

/** The key's definition, or undefined for an unknown key. API-1 names find their API-2 key. */
export function lookupKey(key: string): KeyDef | undefined {
  return BY_KEY.get(key) ?? BY_KEY.get(canonicalKey(key));
}

/** Object (section) paths such as `core`, `core/sandbox` or `allowlist/network`: valid prefixes but not settable. */
export const SECTIONS: ReadonlySet<string> = new Set(
  SCHEMA.flatMap((d) => d.key.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))),
);

/** A Config seen as the tree of sections its `field` paths walk. */
type Section = Record<string, unknown>;

/** Read a key's value from a config (lists return the live array). */
export function getField(cfg: Config, def: KeyDef): unknown {
  let node: unknown = cfg;
  for (const part of def.field) node = (node as Section)[part];
  return node;
}

/** The section holding a key's value, made on the way if `make`. */
function parentOf(cfg: Section, def: KeyDef, make: boolean): Section {
  let node = cfg;
  for (const part of def.field.slice(0, -1)) node = (make ? (node[part] ??= {}) : node[part]) as Section;
  return node;
}

/** An API-1-only key at its default: left out of written configurations, which speak API 2. */
export function atDefaultApi1(cfg: Config, def: KeyDef): boolean {
  return def.api1 === true && getField(cfg, def) === def.default;
}

/** Write a scalar key's value into a config. */
export function setField(cfg: Config, def: KeyDef, value: unknown): void {
  parentOf(cfg, def, false)[def.field[def.field.length - 1]!] = value;
}

/** A fresh config holding every default (lists empty), its sections in schema order. */
export function defaultConfig(): Config {
  const cfg: Section = {};
  for (const def of SCHEMA) {
    if (def.field.length === 0) continue; // a command: nothing to hold
    parentOf(cfg, def, true)[def.field[def.field.length - 1]!] = def.type === "list" ? [] : def.default;
  }
  return cfg as Config;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The candidate closest to `name`, if it is close enough to be a plausible typo. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
