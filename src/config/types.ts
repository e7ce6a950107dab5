/**
 * The sydbox configuration as plain data.
 *
 * A Config is postMessage'd to the supervisor Worker and cloned per traced
 * process (the sandbox state is per process and inherited on fork), so it holds
 * only objects, arrays, strings, numbers and booleans: no classes, Maps, RegExps
 * or functions. Field names mirror the magic keys (`core/restrict/io_control`
 * is `cfg.core.restrict.io_control`) so there is one vocabulary, not two.
 */

/** How one sandbox category is enforced. `bpf` decides in the kernel filter, `deny`/`allow` are the default verdicts of the notify path. */
export type SandboxMode = "off" | "bpf" | "deny" | "allow";

/**
 * What happens to a process on an access violation. `noop` is the dry-run decision;
 * `bpf` (set by -b) decides everything in the kernel filter, with no notifications.
 */
export type ViolationDecision = "deny" | "kill" | "killall" | "noop" | "bpf";

/** Magic lock state. `exec` turns into `on` when the process execs. */
export type MagicLock = "off" | "on" | "exec";

/** How a path pattern without wildcards matches: itself only, or itself and everything below it. */
export type NoWildcard = "literal" | "prefix";

/** The verdict a matching rule gives. */
export type RuleAction = "allow" | "deny";

/** One entry of an allowlist/denylist: the last matching rule of a category decides. */
export interface Rule {
  action: RuleAction;
  /**
   * The pattern exactly as it was given. Path patterns are stored raw and
   * compiled with `core.match` (case_sensitive, no_wildcard) at match time;
   * network patterns are stored unexpanded (`LOOPBACK@0`) and expanded with
   * `parseAddressPattern` by whoever matches them.
   */
  pattern: string;
}

/** The five rule categories: three path categories and two address categories. */
export type RuleCategory = "exec" | "read" | "write" | "bind" | "connect";

/** The four filter categories (violations matched here are denied silently). */
export type FilterCategory = "exec" | "read" | "write" | "network";

/** The complete effective configuration. See `src/config/schema.ts` for each key's meaning and default. */
export interface Config {
  core: {
    sandbox: { exec: SandboxMode; read: SandboxMode; write: SandboxMode; network: SandboxMode };
    restrict: { general: number; io_control: boolean; memory_map: boolean; shared_memory_writable: boolean };
    allowlist: { per_process_directories: boolean; successful_bind: boolean; unsupported_socket_families: boolean };
    violation: { decision: ViolationDecision; exit_code: number; raise_fail: boolean; raise_safe: boolean };
    trace: { magic_lock: MagicLock; use_toolong_hack: boolean; emulate: boolean };
    /** Kernel-side protections of the supervisor that a trusted build may relax (sydbox 3). */
    trust: {
      ptrace: boolean; io_uring: boolean; open_by_handle: boolean; userfaultfd: boolean; pidfd: boolean; namespaces: boolean;
      mount: boolean; devices: boolean; acct: boolean; core_dumps: boolean; terminal: boolean;
    };
    match: { case_sensitive: boolean; no_wildcard: NoWildcard };
  };
  /** Path pattern lists checked on exec: kill the process, or let a stopped one resume. */
  exec: { kill_if_match: string[]; resume_if_match: string[] };
  /** Patterns whose violations are denied but not reported (network entries are address patterns). */
  filter: Record<FilterCategory, string[]>;
  /** allowlist/denylist entries, one ordered list per category. */
  lists: Record<RuleCategory, Rule[]>;
}
