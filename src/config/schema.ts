/**
 * The magic key schema: every API-v2 key as data.
 *
 * `-m`, `.syd-2` files, TOML profiles and the runtime `/dev/sydbox` stat all
 * look keys up here and apply them through `src/config/magic.ts`, so a key's
 * type, default, operators and validation live in exactly one place.
 */
import type { Config, RuleAction, RuleCategory } from "./types.ts";

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
  /** One line of documentation (used by `config show` comments and the README). */
  readonly doc: string;
}

const INT32: readonly [number, number] = [-2147483648, 2147483647];
const SANDBOX_MODES = ["off", "bpf", "deny", "allow"] as const;
const notOff = (v: unknown) => v !== "off";
const truthy = (v: unknown) => v === true;
const positive = (v: unknown) => typeof v === "number" && v > 0;

function sandbox(name: string, def: string): KeyDef {
  return {
    key: `core/sandbox/${name}`, type: "enum", ops: [":", "?"], default: def, values: SANDBOX_MODES,
    field: ["core", "sandbox", name], query: notOff,
    doc: `${name} sandboxing: off, bpf (kernel filter only), deny (deny unless allowlisted) or allow (allow unless denylisted)`,
  };
}

function bool(key: string, def: boolean, doc: string): KeyDef {
  return { key, type: "bool", ops: [":", "?"], default: def, field: key.split("/"), query: truthy, doc };
}

function patterns(key: string, entry: "path" | "address", field: readonly string[], doc: string): KeyDef {
  return { key, type: "list", ops: ["+", "-"], entry, field, doc };
}

function rules(list: "allowlist" | "denylist", category: RuleCategory): KeyDef {
  const network = category === "bind" || category === "connect";
  const action: RuleAction = list === "allowlist" ? "allow" : "deny";
  return {
    key: network ? `${list}/network/${category}` : `${list}/${category}`,
    type: "list", ops: ["+", "-"], entry: network ? "address" : "path", field: ["lists", category], action,
    doc: `${action === "allow" ? "allow" : "deny"} ${category} for matching ${network ? "addresses" : "paths"} (last match wins)`,
  };
}

/** Every key of the magic language, in the order `toSyd2` and `toToml` write them. */
export const SCHEMA: readonly KeyDef[] = [
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

  bool("core/allowlist/per_process_directories", true, "allow /proc/PID of the calling process"),
  bool("core/allowlist/successful_bind", true, "after a successful bind, allow connect to its address"),
  bool("core/allowlist/unsupported_socket_families", true, "allow socket families sydbox does not check"),

  {
    key: "core/violation/decision", type: "enum", ops: [":"], default: "deny", values: ["deny", "kill", "killall", "noop", "bpf"],
    field: ["core", "violation", "decision"], doc: "what to do on a violation: deny, kill, killall, noop (dry run), or bpf (decide everything in the kernel, no reports: what -b sets)",
  },
  {
    key: "core/violation/exit_code", type: "int", ops: [":"], default: -1, range: INT32,
    field: ["core", "violation", "exit_code"], doc: "exit status after a violation: >0 that code, 0 128+status, <0 unchanged",
  },
  bool("core/violation/raise_fail", false, "count failures to resolve a path as violations"),
  bool("core/violation/raise_safe", false, "report safe denials (EEXIST and friends) as violations"),

  {
    key: "core/trace/magic_lock", type: "enum", ops: [":"], default: "off", values: ["off", "on", "exec"],
    field: ["core", "trace", "magic_lock"], doc: "magic stat lock: off, on, or exec (locks when the process execs)",
  },
  bool("core/trace/use_toolong_hack", false, "handle working directories longer than PATH_MAX"),
  bool("core/trace/emulate", true, "perform checked calls in the supervisor on the checked paths (race-free; false: CONTINUE as SydBox 2)"),

  // sydbox 3 additions: attacks on the supervisor are refused in the kernel (EPERM)
  // unless a trusted build turns the matching key on.
  bool("core/trust/ptrace", false, "allow ptrace, process_vm_readv/writev, process_madvise and kcmp (denied with EPERM by default)"),
  bool("core/trust/io_uring", false, "allow io_uring, which opens files without syscalls the filter sees"),
  bool("core/trust/open_by_handle", false, "allow open_by_handle_at, which opens files by handle, bypassing paths"),
  bool("core/trust/userfaultfd", false, "allow userfaultfd, which can stall the supervisor's memory reads"),
  bool("core/trust/pidfd", false, "allow pidfd_getfd and pidfd_send_signal, which can take fds from or signal other processes (sydbox's included)"),
  bool("core/trust/namespaces", false, "allow chroot, pivot_root, setns, the new mount API and new namespaces, which change what checked paths name (clone3 gets ENOSYS otherwise)"),
  bool("core/trust/mount", false, "allow mount, umount and umount2 (write-checked on the target) instead of refusing them with EPERM: a mount moves or covers files behind the path checks"),
  bool("core/trust/devices", false, "allow mknod/mknodat of block and character devices (refused with EPERM otherwise: a device node reaches a disk or kernel memory past the path checks)"),
  bool("core/trust/acct", false, "allow acct, process accounting, in which the kernel writes a record to a file for every exit (refused with EPERM otherwise)"),
  bool("core/trust/core_dumps", false, "let crashes write core files: keep the invoker's RLIMIT_CORE and allow changing it (otherwise 0/0, and RLIMIT_CORE changes get EPERM)"),
  bool("core/trust/terminal", false, "run the command in sydbox's session, with the invoker's controlling terminal (otherwise in a session of its own, as bwrap --new-session); TIOCSTI and TIOCLINUX stay refused"),

  bool("core/match/case_sensitive", true, "match path patterns case-sensitively"),
  {
    key: "core/match/no_wildcard", type: "enum", ops: [":"], default: "literal", values: ["literal", "prefix"],
    field: ["core", "match", "no_wildcard"], doc: "a pattern without wildcards matches itself (literal) or also everything below (prefix)",
  },

  patterns("exec/kill_if_match", "path", ["exec", "kill_if_match"], "kill a process that execs a matching path"),
  patterns("exec/resume_if_match", "path", ["exec", "resume_if_match"], "resume (stop tracing) a process that execs a matching path"),

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
];

/**
 * SydBox 2.0.1 keys that this implementation does not support. Using one is
 * ENOTSUP rather than EINVAL so a 2.0.1 configuration gets an honest answer:
 * the key is real, the feature is not here.
 */
export const UNSUPPORTED_KEYS: readonly string[] = [
  "core/restrict/id_change",
  "core/restrict/system_info",
  "core/trace/interrupt",
  "core/trace/memory_access",
  "core/trace/program_checksum",
];

/** The magic "version" key: `/dev/sydbox/2` succeeds, which is how scripts detect API 2. */
export const API_VERSION = 2;

const BY_KEY: ReadonlyMap<string, KeyDef> = new Map(SCHEMA.map((d) => [d.key, d]));

/** The key's definition, or undefined for an unknown key. */
export function lookupKey(key: string): KeyDef | undefined {
  return BY_KEY.get(key);
}

/** Object (section) paths such as `core`, `core/sandbox` or `allowlist/network`: valid prefixes but not settable. */
export const SECTIONS: ReadonlySet<string> = new Set(
  SCHEMA.flatMap((d) => d.key.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))),
);

/** Read a key's value from a config (lists return the live array). */
export function getField(cfg: Config, def: KeyDef): unknown {
  let node: any = cfg;
  for (const part of def.field) node = node[part];
  return node;
}

/** Write a scalar key's value into a config. */
export function setField(cfg: Config, def: KeyDef, value: unknown): void {
  let node: any = cfg;
  for (const part of def.field.slice(0, -1)) node = node[part];
  node[def.field[def.field.length - 1]!] = value;
}

/** A fresh config holding every default. */
export function defaultConfig(): Config {
  const cfg: any = {
    core: { sandbox: {}, restrict: {}, allowlist: {}, violation: {}, trace: {}, trust: {}, match: {} },
    exec: { kill_if_match: [], resume_if_match: [] },
    filter: { exec: [], read: [], write: [], network: [] },
    lists: { exec: [], read: [], write: [], bind: [], connect: [] },
  };
  for (const def of SCHEMA) if (def.default !== undefined) setField(cfg, def, def.default);
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
