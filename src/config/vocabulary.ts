/**
 * The configuration's vocabulary: the sandbox categories, modes and verdicts every
 * part of sydbox speaks of, each declared once. The key schema (schema.ts) is written
 * in these words, and the Config type is derived from it; types.ts offers both.
 */

/** How one sandbox category is enforced. `bpf` decides in the kernel filter, `deny`/`allow` are the default verdicts of the notify path. */
export const SANDBOX_MODES = ["off", "bpf", "deny", "allow"] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/**
 * What happens to a process on an access violation. `noop` is the dry-run decision;
 * `bpf` (set by -b) decides everything in the kernel filter, with no notifications.
 */
export const VIOLATION_DECISIONS = ["deny", "kill", "killall", "noop", "bpf"] as const;
export type ViolationDecision = (typeof VIOLATION_DECISIONS)[number];

/** Magic lock state. `exec` turns into `on` when the process execs. */
export const MAGIC_LOCKS = ["off", "on", "exec"] as const;
export type MagicLock = (typeof MAGIC_LOCKS)[number];

/** How a path pattern without wildcards matches: itself only, or itself and everything below it. */
export const NO_WILDCARDS = ["literal", "prefix"] as const;
export type NoWildcard = (typeof NO_WILDCARDS)[number];

/** The verdict a matching rule gives. */
export type RuleAction = "allow" | "deny";

/** The categories whose rules are path patterns. */
export type PathCategory = "exec" | "read" | "write";
/** The categories whose rules are address patterns. */
export type AddressCategory = "bind" | "connect";
/** The five rule categories: three path categories and two address categories. */
export type RuleCategory = PathCategory | AddressCategory;
/** The four sandbox (and filter) categories: network covers bind and connect. */
export type SandboxCategory = PathCategory | "network";
/** The four filter categories (violations matched here are denied silently). */
export type FilterCategory = SandboxCategory;

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
