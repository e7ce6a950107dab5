/**
 * Ordered allow/deny rule lists: a category's allowlist and denylist are ONE list, and the
 * last rule that matches decides (2.0.1's acl_pathmatch/acl_sockmatch). No match leaves the
 * decision to the sandbox mode (deny mode: denied unless allowed; allow mode: allowed
 * unless denied), which is the caller's business.
 *
 * The same engine serves paths and socket addresses: it only needs a compile function.
 */
import { compileAddressPattern } from "./address.ts";
import { compilePattern, DEFAULT_MATCH_OPTIONS, normalizePattern, type MatchOptions } from "./pattern.ts";
import type { SockAddr } from "./sockaddr.ts";
import type { Rule, RuleAction as Action } from "../config/vocabulary.ts";

/** One list entry as the user wrote it: `allowlist/write+PATTERN` is `{ action: "allow", pattern }`. */
export type { Rule };

/** How a RuleSet turns patterns into predicates, and whether it caches decisions. */
export interface RuleSetOptions<S> {
  /** Compile one pattern; throws ConfigError if it is malformed. */
  readonly compile: (pattern: string) => (subject: S) => boolean;
  /**
   * Two patterns that compare equal under this key are the same rule for `remove`
   * (2.0.1 compared patterns after expansion, so `/tmp/` removes `/tmp`). Default: as written.
   */
  readonly identity?: (pattern: string) => string;
  /** Cache decisions per subject under this key; omit to disable caching. */
  readonly cacheKey?: (subject: S) => string;
  /** At most this many cached decisions (the older half is dropped when the newer fills). Default 4096. */
  readonly cacheSize?: number;
}

interface Entry<S> {
  readonly rule: Rule;
  readonly id: string;
  readonly test: (subject: S) => boolean;
}

/** Cached decisions (null: no rule matches), keyed by RuleSetOptions.cacheKey. */
interface DecisionCache<S> {
  recent: Map<string, Entry<S> | null>;
  older: Map<string, Entry<S> | null>;
  readonly limit: number;
}

const DEFAULT_CACHE_SIZE = 4096;

/**
 * A compiled, ordered rule list with a bounded decision cache.
 *
 * The entry array is never mutated in place: every change builds a new one and a new cache.
 * That makes `clone()` (one per fork: a child inherits its parent's sandbox) O(1), with the
 * two sets sharing compiled rules and cache until one of them changes.
 */
export class RuleSet<S = string> {
  private entries: readonly Entry<S>[];
  private cache: DecisionCache<S>;

  /** Compile `rules` in order; throws ConfigError on the first malformed pattern. */
  constructor(
    private readonly options: RuleSetOptions<S>,
    rules: readonly Rule[] = [],
  ) {
    this.entries = rules.map((r) => this.compileRule(r));
    this.cache = this.newCache();
  }

  private compileRule(rule: Rule): Entry<S> {
    const test = this.options.compile(rule.pattern);
    const id = this.options.identity ? this.options.identity(rule.pattern) : rule.pattern;
    return { rule: { action: rule.action, pattern: rule.pattern }, id, test };
  }

  private newCache(): DecisionCache<S> {
    // Each generation holds half the budget, so at most cacheSize decisions are kept.
    const limit = Math.max(1, Math.floor((this.options.cacheSize ?? DEFAULT_CACHE_SIZE) / 2));
    return { recent: new Map(), older: new Map(), limit };
  }

  private setEntries(entries: readonly Entry<S>[]): void {
    this.entries = entries;
    this.cache = this.newCache();
  }

  /** The rules, in order (the last matching one decides). */
  get rules(): readonly Rule[] {
    return this.entries.map((e) => e.rule);
  }

  /** Number of rules. */
  get size(): number {
    return this.entries.length;
  }

  /** Append a rule (`+`). Throws ConfigError, leaving the list unchanged, if the pattern is malformed. */
  add(action: Action, pattern: string): void {
    this.setEntries([...this.entries, this.compileRule({ action, pattern })]);
  }

  /**
   * Remove the first rule with this action and (by `identity`) this pattern (`-`), as 2.0.1
   * did. Returns false, changing nothing, if there is none.
   */
  remove(action: Action, pattern: string): boolean {
    const id = this.options.identity ? this.options.identity(pattern) : pattern;
    const i = this.entries.findIndex((e) => e.rule.action === action && e.id === id);
    if (i < 0) return false;
    this.setEntries(this.entries.filter((_, j) => j !== i));
    return true;
  }

  /** Replace every rule at once (all are compiled first; on error nothing changes). */
  replace(rules: readonly Rule[]): void {
    this.setEntries(rules.map((r) => this.compileRule(r)));
  }

  /** Remove every rule. */
  clear(): void {
    this.setEntries([]);
  }

  /** A copy that can change independently of this one; O(1). */
  clone(): RuleSet<S> {
    const copy = Object.create(RuleSet.prototype) as RuleSet<S>;
    Object.assign(copy, { options: this.options, entries: this.entries, cache: this.cache });
    return copy;
  }

  /** The same rules compiled with other options (e.g. after core/match/case_sensitive changed). */
  recompiled(options: RuleSetOptions<S>): RuleSet<S> {
    return new RuleSet(options, this.rules);
  }

  /** The rule that decides for `subject` (the last one that matches), or undefined if none matches. */
  lookup(subject: S): Rule | undefined {
    const keyOf = this.options.cacheKey;
    if (!keyOf) return this.scan(subject)?.rule;
    const key = keyOf(subject);
    const cache = this.cache;
    let hit = cache.recent.get(key);
    if (hit === undefined) {
      hit = cache.older.get(key);
      if (hit === undefined) hit = this.scan(subject) ?? null;
      // Two generations instead of exact LRU: no per-entry bookkeeping, and a hot path
      // survives one turnover by being copied into the recent generation.
      if (cache.recent.size >= cache.limit) {
        cache.older = cache.recent;
        cache.recent = new Map();
      }
      cache.recent.set(key, hit);
    }
    return hit?.rule;
  }

  /** "allow" or "deny" from the last matching rule; undefined if none matches (the mode decides). */
  decide(subject: S): Action | undefined {
    return this.lookup(subject)?.action;
  }

  /** Scan from the end: the first hit is the last matching rule, and the scan stops there. */
  private scan(subject: S): Entry<S> | undefined {
    const entries = this.entries;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.test(subject)) return e;
    }
    return undefined;
  }
}

/** RuleSet options for path lists ({allowlist,denylist}/{exec,read,write}), cached by path. */
export function pathRuleOptions(match: MatchOptions = DEFAULT_MATCH_OPTIONS): RuleSetOptions<string> {
  return {
    compile: (p) => compilePattern(p, match),
    identity: (p) => normalizePattern(p, match.noWildcard),
    cacheKey: (path) => path,
  };
}

/** A path rule list compiled with core/match/* settings `match`. */
export function pathRules(match: MatchOptions = DEFAULT_MATCH_OPTIONS, rules: readonly Rule[] = []): RuleSet<string> {
  return new RuleSet(pathRuleOptions(match), rules);
}

/**
 * RuleSet options for address lists ({allowlist,denylist}/network/{bind,connect}). Not cached:
 * a key would cost as much as the check, and addresses rarely repeat per process.
 */
export function addressRuleOptions(match: MatchOptions = DEFAULT_MATCH_OPTIONS): RuleSetOptions<SockAddr> {
  return { compile: (p) => compileAddressPattern(p, match) };
}

/** An address rule list; `match` applies to unix and unix-abstract globs. */
export function addressRules(match: MatchOptions = DEFAULT_MATCH_OPTIONS, rules: readonly Rule[] = []): RuleSet<SockAddr> {
  return new RuleSet(addressRuleOptions(match), rules);
}

/**
 * Does any predicate match? For lists without actions: filter/*, exec/kill_if_match,
 * exec/resume_if_match. Compile each pattern once with compilePattern/compileAddressPattern.
 */
export function matchesAny<S>(predicates: readonly ((subject: S) => boolean)[], subject: S): boolean {
  for (let i = 0; i < predicates.length; i++) if (predicates[i]!(subject)) return true;
  return false;
}
