/**
 * rsync wildmatch, compiled to a predicate.
 *
 * SydBox 2 matched with rsync's wildmatch.c; this reproduces its semantics exactly:
 *   - `?` is one byte other than `/`; `*` is any run of bytes without `/`;
 *     `**` (two or more stars, anywhere, even inside a component) is any run of bytes.
 *   - `\x` is a literal x.
 *   - `[...]` is a class: `!` or `^` negates, `a-z` ranges (by byte value), `\` escapes,
 *     `]` first is literal, `[:alpha:]` & co. are the C-locale ctype classes.
 *     A class never matches `/`, negated or not.
 *
 * Why not picomatch (a dependency once, dropped for this): it follows bash globstar rules, not
 * rsync's. There `**` is only special as a whole segment (`/usr/**.so` would not cross
 * `/`), `*` does not match an empty segment (`/a/*` vs `/a/`), braces, extglobs, a leading
 * `!` and dotfiles all change meaning, and case folding is Unicode-wide. Each of those would
 * need a workaround. Nor a generated RegExp: backtracking makes `/**a**a**a**b` take
 * seconds on a 200-byte path (O(n^k)), and a tracee can add patterns through magic
 * commands. So the general case runs wildmatch.c's own algorithm on pre-parsed tokens,
 * with its two pruning rules (a `*` stops at `/`; running out of text aborts every
 * enclosing star), which keeps such patterns linear-ish; the common shapes (literal,
 * `dir/***`, `prefix*`, `prefix**`) take allocation-free string fast paths first.
 *
 * Text and patterns are byte strings (see bytes.ts): one char per byte, 0x00-0xFF.
 * Case-insensitive matching folds ASCII letters only, in both the pattern and the text;
 * bytes above 0x7F are never folded (they are pieces of UTF-8 sequences, not letters).
 * (2.0.1's iwildmatch lowercased only the text, so an upper-case letter in a pattern could
 * never match; we fold both sides, which is what case_sensitive:false promises.)
 */
import { ConfigError } from "../errors.ts";

/** A compiled pattern: does this byte-string path match? */
export type PathMatcher = (path: string) => boolean;

/** Options for {@link compileWildmatch}. */
export interface WildmatchOptions {
  /** false: ASCII letters match regardless of case. */
  readonly caseSensitive: boolean;
  /**
   * true: match the pattern itself OR anything below it, i.e. `pattern` or `pattern/**`.
   * This is how SydBox's trailing `/***` is compiled, into one predicate.
   */
  readonly subtree?: boolean;
}

const SLASH = 0x2f;
const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const BANG = 0x21;
const CARET = 0x5e;
const DASH = 0x2d;

type Token =
  | { kind: "lit"; text: string }
  | { kind: "any1" } // ?
  | { kind: "star" } // *
  | { kind: "globstar" } // ** (or more)
  | { kind: "class"; set: Uint8Array; negate: boolean }; // set: 256 entries, 1 = listed

/** Matcher ops: a char code (>= 0) matches itself; the negative values below are wildcards. */
const OP_ANY1 = -1;
const OP_STAR = -2;
const OP_GLOBSTAR = -3;

/** A compiled pattern for {@link dowild}: ops, and the member sets of its classes. */
interface Program {
  readonly ops: Int32Array; // char code, OP_*, or OP_CLASS_BASE - index into sets
  readonly sets: readonly Uint8Array[];
  readonly fold: boolean;
}
const OP_CLASS_BASE = -16;

/** C-locale ctype classes, by name, as wildmatch.c knows them. */
const POSIX_CLASSES: Record<string, (c: number) => boolean> = {
  alnum: (c) => isDigit(c) || isAlpha(c),
  alpha: (c) => isAlpha(c),
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: (c) => isDigit(c),
  graph: (c) => c > 0x20 && c < 0x7f,
  lower: (c) => c >= 0x61 && c <= 0x7a,
  print: (c) => c >= 0x20 && c < 0x7f,
  punct: (c) => c > 0x20 && c < 0x7f && !isDigit(c) && !isAlpha(c),
  space: (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d),
  upper: (c) => c >= 0x41 && c <= 0x5a,
  xdigit: (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66),
};

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** ASCII-only lower case of one char code. */
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

function fail(pattern: string, what: string, at: number): never {
  throw new ConfigError(`invalid pattern \`${pattern}': ${what} at offset ${at}`);
}

/**
 * Parse a class whose `[` is at `open`; returns its member set and the index after `]`.
 * Mirrors the loop in wildmatch.c, including its quirks (a `-` after a range or a
 * [:class:] is literal; `[[:x]` without `:]` is a plain set containing `[`).
 */
function parseClass(pattern: string, open: number): { set: Uint8Array; negate: boolean; next: number } {
  const at = (i: number) => (i < pattern.length ? pattern.charCodeAt(i) : 0);
  const set = new Uint8Array(256);
  const unterminated = () => fail(pattern, "unterminated character class `['", open);
  let i = open + 1;
  let pc = at(i);
  if (pc === CARET) pc = BANG;
  const negate = pc === BANG;
  if (negate) pc = at(++i);
  let prev = 0;
  do {
    if (!pc) unterminated();
    if (pc === BACKSLASH) {
      pc = at(++i);
      if (!pc) unterminated();
      set[pc] = 1;
    } else if (pc === DASH && prev && at(i + 1) && at(i + 1) !== RBRACKET) {
      pc = at(++i);
      if (pc === BACKSLASH) {
        pc = at(++i);
        if (!pc) unterminated();
      }
      for (let c = prev; c <= pc; c++) set[c] = 1; // a reversed range is empty, as in C
      pc = 0; // the next `-` is literal
    } else if (pc === LBRACKET && at(i + 1) === COLON) {
      const s = i + 2;
      let j = s;
      while (at(j) && at(j) !== RBRACKET) j++;
      if (!at(j)) unterminated();
      const len = j - s - 1;
      if (len < 0 || at(j - 1) !== COLON) {
        // No `:]`: the `[` is an ordinary member and parsing resumes after it.
        i = s - 2;
        pc = LBRACKET;
        set[LBRACKET] = 1;
        continue;
      }
      const name = pattern.slice(s, s + len);
      const test = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
      if (!test) fail(pattern, `unknown character class \`[:${name}:]'`, i);
      for (let c = 0; c < 256; c++) if (test(c)) set[c] = 1;
      i = j;
      pc = 0;
    } else {
      set[pc] = 1;
    }
  } while (((prev = pc), (pc = at(++i))) !== RBRACKET);
  return { set, negate, next: i + 1 };
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let lit = "";
  const flush = () => {
    if (lit) tokens.push({ kind: "lit", text: lit });
    lit = "";
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern.charCodeAt(i);
    if (c === BACKSLASH) {
      if (i + 1 >= pattern.length) fail(pattern, "trailing backslash", i);
      lit += pattern[i + 1];
      i += 2;
    } else if (c === QUESTION) {
      flush();
      tokens.push({ kind: "any1" });
      i++;
    } else if (c === STAR) {
      flush();
      let j = i + 1;
      while (j < pattern.length && pattern.charCodeAt(j) === STAR) j++;
      tokens.push(j - i > 1 ? { kind: "globstar" } : { kind: "star" });
      i = j;
    } else if (c === LBRACKET) {
      flush();
      const { set, negate, next } = parseClass(pattern, i);
      tokens.push({ kind: "class", set, negate });
      i = next;
    } else {
      lit += pattern[i];
      i++;
    }
  }
  flush();
  return tokens;
}

/** Fold first, then negate: case-insensitive `[!a]` must reject `A` too. */
function classMembers(set: Uint8Array, negate: boolean, caseSensitive: boolean): Uint8Array {
  const member = new Uint8Array(set);
  if (!caseSensitive) {
    for (let c = 0; c < 256; c++) if (isAlpha(c) && set[c]) member[c ^ 0x20] = 1;
  }
  if (negate) for (let c = 0; c < 256; c++) member[c] ^= 1;
  member[SLASH] = 0; // wildmatch: no class ever matches `/`, negated or not
  return member;
}

function program(tokens: Token[], caseSensitive: boolean): Program {
  const ops: number[] = [];
  const sets: Uint8Array[] = [];
  for (const t of tokens) {
    switch (t.kind) {
      case "lit":
        for (let i = 0; i < t.text.length; i++) {
          const c = t.text.charCodeAt(i);
          ops.push(caseSensitive ? c : lower(c));
        }
        break;
      case "any1":
        ops.push(OP_ANY1);
        break;
      case "star":
        ops.push(OP_STAR);
        break;
      case "globstar":
        ops.push(OP_GLOBSTAR);
        break;
      case "class":
        ops.push(OP_CLASS_BASE - sets.length);
        sets.push(classMembers(t.set, t.negate, caseSensitive));
        break;
    }
  }
  return { ops: Int32Array.from(ops), sets, fold: !caseSensitive };
}

const FALSE = 0;
const TRUE = 1;
const ABORT_ALL = -1;
const ABORT_TO_STARSTAR = -2;

/**
 * wildmatch.c's dowild() over ops. Returns TRUE, FALSE, or an abort code that tells the
 * enclosing star loops to stop early: ABORT_ALL when the text ran out (no later start
 * can do better), ABORT_TO_STARSTAR when a `*` would have to cross a `/`.
 */
function dowild(prog: Program, op: number, text: string, pos: number): number {
  const { ops, sets, fold } = prog;
  const len = text.length;
  for (; op < ops.length; op++, pos++) {
    const o = ops[op]!;
    if (o === OP_STAR || o === OP_GLOBSTAR) {
      const special = o === OP_GLOBSTAR;
      if (op + 1 === ops.length) {
        // Trailing `**` matches everything; trailing `*` only if no `/` is left.
        return special || text.indexOf("/", pos) < 0 ? TRUE : FALSE;
      }
      for (; pos < len; pos++) {
        const matched = dowild(prog, op + 1, text, pos);
        if (matched !== FALSE) {
          if (!special || matched !== ABORT_TO_STARSTAR) return matched;
        } else if (!special && text.charCodeAt(pos) === SLASH) {
          return ABORT_TO_STARSTAR;
        }
      }
      return ABORT_ALL;
    }
    if (pos >= len) return ABORT_ALL;
    const c = text.charCodeAt(pos);
    if (o >= 0) {
      if ((fold ? lower(c) : c) !== o) return FALSE;
    } else if (o === OP_ANY1) {
      if (c === SLASH) return FALSE;
    } else if (c > 0xff || !sets[OP_CLASS_BASE - o]![c]) {
      return FALSE;
    }
  }
  return pos < len ? FALSE : TRUE;
}

/** ASCII case-folding `path.startsWith(lit, at)`; `lit` is already lower-cased. */
function startsWithFold(path: string, lit: string, at: number): boolean {
  if (path.length - at < lit.length) return false;
  for (let i = 0; i < lit.length; i++) {
    if (lower(path.charCodeAt(at + i)) !== lit.charCodeAt(i)) return false;
  }
  return true;
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/**
 * Literal-prefix shapes that cover nearly every rule in real profiles; they avoid the
 * general matcher and allocate nothing per match.
 */
function fastPath(tokens: Token[], caseSensitive: boolean, subtree: boolean): PathMatcher | undefined {
  const lit = tokens.length > 0 && tokens[0]!.kind === "lit" ? (tokens[0] as { text: string }).text : "";
  const rest = tokens.length - (lit ? 1 : 0);
  const key = caseSensitive ? lit : asciiLower(lit);
  const has = caseSensitive
    ? (p: string) => p.startsWith(key)
    : (p: string) => startsWithFold(p, key, 0);
  const n = key.length;
  if (rest === 0) {
    // `lit` exactly; subtree: `lit` or `lit/...`.
    if (subtree) return (p) => has(p) && (p.length === n || p.charCodeAt(n) === SLASH);
    return caseSensitive ? (p) => p === key : (p) => p.length === n && has(p);
  }
  if (rest === 1 && !subtree) {
    const last = tokens[tokens.length - 1]!.kind;
    if (last === "globstar") return has;
    if (last === "star") return (p) => has(p) && p.indexOf("/", n) === -1;
  }
  return undefined;
}

/**
 * Compile one rsync wildmatch pattern (a byte string) into a predicate.
 * Throws ConfigError naming the offset for an unterminated class, an unknown
 * `[:class:]`, or a trailing backslash: wildmatch.c would silently never match those.
 */
export function compileWildmatch(pattern: string, opts: WildmatchOptions): PathMatcher {
  const { caseSensitive } = opts;
  const subtree = opts.subtree ?? false;
  const tokens = tokenize(pattern);
  const fast = fastPath(tokens, caseSensitive, subtree);
  if (fast) return fast;
  const prog = program(tokens, caseSensitive);
  if (!subtree) return (p) => dowild(prog, 0, p, 0) === TRUE;
  const below = program([...tokens, { kind: "lit", text: "/" }, { kind: "globstar" }], caseSensitive);
  return (p) => dowild(prog, 0, p, 0) === TRUE || dowild(below, 0, p, 0) === TRUE;
}
