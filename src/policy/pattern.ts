/**
 * SydBox path patterns: wildmatch plus SydBox's own rules (slash collapsing, `dir/***`,
 * core/match/no_wildcard and core/match/case_sensitive), as 2.0.1's pathmatch.c applies them.
 */
import { ConfigError } from "../errors.ts";
import { isByteString } from "./bytes.ts";
import { compileWildmatch, type PathMatcher } from "./wildmatch.ts";
import type { NoWildcard } from "../config/vocabulary.ts";

export type { PathMatcher } from "./wildmatch.ts";

/** core/match/* settings that change how a pattern is compiled. */
export interface MatchOptions {
  /** core/match/case_sensitive (default true); false folds ASCII letters. */
  readonly caseSensitive: boolean;
  /** core/match/no_wildcard (default literal); prefix: a pattern without `*`/`?` means `PATTERN/***`. */
  readonly noWildcard: NoWildcard;
}

/** SydBox 2's defaults for core/match/*. */
export const DEFAULT_MATCH_OPTIONS: MatchOptions = Object.freeze({ caseSensitive: true, noWildcard: "literal" });

/** What a pattern is matched against: an absolute path, or an arbitrary name (abstract sockets). */
export type PatternKind = "path" | "name";

const SUBTREE_SUFFIX = "/***";

/** Collapse runs of `/` and drop a trailing one (but keep a lone `/`), like 2.0.1's path_kill_slashes. */
export function killSlashes(p: string): string {
  if (!p.includes("//") && (p.length <= 1 || !p.endsWith("/"))) return p;
  const collapsed = p.replace(/\/+/g, "/");
  return collapsed.length > 1 && collapsed.endsWith("/") ? collapsed.slice(0, -1) : collapsed;
}

/** True if 2.0.1's no_wildcard:prefix would leave the pattern alone (it has `*` or `?`). */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

/**
 * The pattern SydBox actually matches: slashes collapsed and, with no_wildcard:prefix, a
 * pattern without `*`/`?` extended to `PATTERN/***`. A result ending in `/***` means "the
 * part before it, or anything below it". Useful to show users what a rule became.
 */
export function normalizePattern(pattern: string, noWildcard: MatchOptions["noWildcard"]): string {
  const extended = noWildcard === "prefix" && !hasWildcard(pattern) ? pattern + SUBTREE_SUFFIX : pattern;
  return killSlashes(extended);
}

/**
 * Check a pattern's shape before compiling; throws ConfigError saying what is wrong.
 * A path pattern must be able to match an absolute path: it starts with `/` (or `\/`, or
 * `**`). 2.0.1 accepted anything, but `tmp/***` or `*.so` can never match a resolved
 * path, and a dead denylist rule is a silent hole, so we refuse it.
 */
function validate(pattern: string, kind: PatternKind): void {
  if (pattern.length === 0) throw new ConfigError("empty pattern");
  if (pattern.includes("\0")) throw new ConfigError(`invalid pattern \`${pattern}': contains a NUL byte`);
  if (!isByteString(pattern)) {
    throw new ConfigError(
      `invalid pattern \`${pattern}': contains a character above U+00FF; patterns are byte strings (see textToByteString)`,
    );
  }
  if (kind === "path" && !(pattern.startsWith("/") || pattern.startsWith("\\/") || pattern.startsWith("**"))) {
    throw new ConfigError(`invalid pattern \`${pattern}': not absolute (it must start with / or **), so it can never match a path`);
  }
}

/**
 * Compile a SydBox pattern into a predicate over byte-string paths.
 *
 * Semantics (rsync wildmatch, see wildmatch.ts): `*` stays inside a component, `**` crosses
 * `/`, `?` is one byte other than `/`, `[a-z]`, `[!a]`, `[^a]`, `[[:alpha:]]` are classes,
 * `\` escapes. Runs of `/` in the pattern are collapsed and a trailing `/` dropped. A
 * pattern ending in `/***` matches the directory itself and everything below it. With
 * `noWildcard: "prefix"`, a pattern without `*` or `?` is treated as `PATTERN/***`; with
 * "literal" it must match exactly. `caseSensitive: false` folds ASCII letters on both sides.
 *
 * `kind` "path" (the default) requires an absolute pattern; "name" is for unix-abstract
 * socket names, which are not paths.
 *
 * Throws ConfigError for an empty pattern, a NUL byte, a char above U+00FF (not a byte
 * string), a non-absolute path pattern, an unterminated `[`, an unknown `[:class:]` or a
 * trailing backslash.
 */
export function compilePattern(pattern: string, opts: MatchOptions, kind: PatternKind = "path"): PathMatcher {
  validate(pattern, kind);
  const p = normalizePattern(pattern, opts.noWildcard);
  const subtree = p.endsWith(SUBTREE_SUFFIX);
  const body = subtree ? p.slice(0, -SUBTREE_SUFFIX.length) : p;
  try {
    return compileWildmatch(body, { caseSensitive: opts.caseSensitive, subtree });
  } catch (e) {
    // Report the pattern as the user wrote it, not its normalized form.
    if (e instanceof ConfigError && p !== pattern) {
      throw new ConfigError(e.message.replace(`\`${body}'`, `\`${pattern}' (as \`${p}')`), e.errno);
    }
    throw e;
  }
}
