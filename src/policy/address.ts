/**
 * Network address patterns for {allowlist,denylist,filter}/network:
 *   unix:GLOB, unix-abstract:GLOB, inet:ADDR[/MASK]@PORT[-PORT], inet6:ADDR[/MASK]@PORT[-PORT],
 * and the aliases LOOPBACK@P, LOOPBACK6@P, LOCAL@P, LOCAL6@P (as in 2.0.1's sockmatch.c).
 */
import { ConfigError } from "../errors.ts";
import { parseIPv4, parseIPv6, unmapIPv4 } from "./ip.ts";
import { compilePattern, DEFAULT_MATCH_OPTIONS, type MatchOptions, type PathMatcher } from "./pattern.ts";
import { lookupService } from "./services.ts";
import type { SockAddr } from "./sockaddr.ts";

export { decodeSockaddr, formatAddress, type SockAddr, type UnsupportedSockAddr } from "./sockaddr.ts";

/** Fields every parsed pattern has. `source` is its text after alias expansion, e.g. `inet:127.0.0.0/8@0`. */
interface PatternBase {
  readonly source: string;
}

/**
 * One parsed address pattern. Globs are byte strings compiled with the MatchOptions given to
 * the parser; IP patterns hold a network prefix and an inclusive port range.
 */
export type AddressPattern =
  | (PatternBase & { readonly family: "unix" | "unix-abstract"; readonly glob: string; readonly match: PathMatcher })
  | (PatternBase & { readonly family: "inet"; readonly addr: number; readonly prefix: number; readonly portMin: number; readonly portMax: number })
  | (PatternBase & { readonly family: "inet6"; readonly addr: Uint8Array; readonly prefix: number; readonly portMin: number; readonly portMax: number });

/** The aliases and what each expands to, in 2.0.1's order; the port part is appended. */
export const ADDRESS_ALIASES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  LOOPBACK: ["inet:127.0.0.0/8"],
  LOOPBACK6: ["inet6:::1"],
  LOCAL: ["inet:127.0.0.0/8", "inet:10.0.0.0/8", "inet:172.16.0.0/12", "inet:192.168.0.0/16"],
  LOCAL6: ["inet6:::1", "inet6:fe80::/7", "inet6:fc00::/7", "inet6:fec0::/7"],
});

function bad(s: string, what: string): never {
  throw new ConfigError(`invalid address pattern \`${s}': ${what}`);
}

/** A port number or a service name; `whole` is the full pattern, for the message. */
function parsePort(text: string, whole: string): number {
  if (text === "") bad(whole, "empty port");
  if (/^[0-9]/.test(text)) {
    if (!/^[0-9]+$/.test(text)) bad(whole, `bad port \`${text}'`);
    const port = Number(text);
    if (port > 65535) bad(whole, `port ${text} out of range 0-65535`);
    return port;
  }
  try {
    return lookupService(text);
  } catch (e) {
    if (e instanceof ConfigError) bad(whole, e.message);
    throw e;
  }
}

/** True if `text` is a valid port or known service name (config time only, so exceptions are fine). */
function portParses(text: string): boolean {
  try {
    parsePort(text, text);
    return true;
  } catch {
    return false;
  }
}

/** `PORT` or `PORT-PORT`, inclusive. */
function parsePortRange(text: string, whole: string): [number, number] {
  const dash = text.indexOf("-");
  // A service name may itself contain `-` (netbios-ns): an existing name wins over a range.
  if (dash < 0 || (/^[^0-9]/.test(text) && portParses(text))) {
    const p = parsePort(text, whole);
    return [p, p];
  }
  for (let i = dash; i >= 0; i = text.indexOf("-", i + 1)) {
    const lo = text.slice(0, i);
    const hi = text.slice(i + 1);
    if (portParses(lo) && portParses(hi)) {
      const a = parsePort(lo, whole);
      const b = parsePort(hi, whole);
      if (a > b) bad(whole, `reversed port range ${a}-${b}`);
      return [a, b];
    }
  }
  // No split works: blame the part that is wrong.
  const lo = text.slice(0, dash);
  if (/^[^0-9]/.test(lo)) parsePort(text, whole); // an unknown (dashed) service name
  parsePort(lo, whole);
  parsePort(text.slice(dash + 1), whole);
  return bad(whole, `bad port range \`${text}'`);
}

function parseIp(family: "inet" | "inet6", rest: string, source: string, whole: string): AddressPattern {
  if (rest === "") bad(whole, "missing address");
  const at = rest.lastIndexOf("@");
  if (at < 0) bad(whole, "missing @PORT");
  const [portMin, portMax] = parsePortRange(rest.slice(at + 1), whole);
  let ip = rest.slice(0, at);
  const bits = family === "inet" ? 32 : 128;
  let prefix = bits; // 2.0.1 guessed /8 for any IPv6 address without a mask (::1 matched ::/8); we use the full address
  const slash = ip.lastIndexOf("/");
  if (slash >= 0) {
    const mask = ip.slice(slash + 1);
    if (!/^[0-9]+$/.test(mask)) bad(whole, `bad netmask \`${mask}'`);
    prefix = Number(mask);
    if (prefix > bits) bad(whole, `netmask /${mask} out of range 0-${bits}`);
    ip = ip.slice(0, slash);
  }
  if (family === "inet") {
    const addr = parseIPv4(ip);
    if (addr === undefined) bad(whole, `bad IPv4 address \`${ip}'`);
    return { family, source, addr, prefix, portMin, portMax };
  }
  const addr = parseIPv6(ip);
  if (addr === undefined) bad(whole, `bad IPv6 address \`${ip}'`);
  return { family, source, addr, prefix, portMin, portMax };
}

/** Parse one non-alias pattern `s`; errors quote `shown`, the text the user wrote. */
function parseOne(s: string, opts: MatchOptions, shown: string = s): AddressPattern {
  const colon = s.indexOf(":");
  const family = colon < 0 ? "" : s.slice(0, colon);
  const rest = s.slice(colon + 1);
  switch (family) {
    case "unix":
    case "unix-abstract": {
      if (rest === "") bad(shown, `empty ${family} pattern`);
      try {
        const match = compilePattern(rest, opts, family === "unix" ? "path" : "name");
        return { family, source: s, glob: rest, match };
      } catch (e) {
        if (e instanceof ConfigError) bad(shown, e.message);
        throw e;
      }
    }
    case "inet":
    case "inet6":
      return parseIp(family, rest, s, shown);
    default:
      bad(shown, colon < 0 ? "no address family (expected unix:, unix-abstract:, inet:, inet6: or an alias such as LOOPBACK@PORT)" : `unknown address family \`${family}'`);
  }
}

/**
 * Parse one address pattern as written in a magic command, expanding an alias into the
 * patterns it stands for (`LOCAL@0` gives four). `opts` (core/match/*) applies to unix and
 * unix-abstract globs, which 2.0.1 expanded like path patterns.
 *
 * Throws ConfigError naming the bad part: unknown family or alias, missing @PORT, empty or
 * bad port, port > 65535, unknown service name, reversed range, bad IPv4/IPv6 address, bad
 * or out-of-range netmask, empty or malformed unix glob, non-absolute unix glob.
 * (2.0.1 accepted a reversed range or an oversized mask and then never matched; we refuse.)
 */
export function parseAddressPattern(s: string, opts: MatchOptions = DEFAULT_MATCH_OPTIONS): AddressPattern[] {
  if (s === "") bad(s, "empty");
  // Aliases are upper-case words; anything else must name a family before a `:`.
  const alias = /^([A-Z][A-Z0-9_]*)(@|$)/.exec(s);
  if (alias) {
    const name = alias[1]!;
    const expansion = Object.hasOwn(ADDRESS_ALIASES, name) ? ADDRESS_ALIASES[name] : undefined;
    if (!expansion) {
      bad(s, `unknown alias \`${name}' (known: ${Object.keys(ADDRESS_ALIASES).join(", ")})`);
    }
    if (alias[2] !== "@") bad(s, `missing @PORT after alias ${name}`);
    const port = s.slice(name.length + 1);
    return expansion.map((base) => parseOne(`${base}@${port}`, opts, s));
  }
  return [parseOne(s, opts)];
}

function prefixMatches(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  let i = 0;
  for (; prefix >= 8; prefix -= 8, i++) if (a[i] !== b[i]) return false;
  if (prefix === 0) return true;
  const mask = (0xff << (8 - prefix)) & 0xff;
  return ((a[i]! ^ b[i]!) & mask) === 0;
}

function inetMatches(p: { addr: number; prefix: number; portMin: number; portMax: number }, addr: number, port: number): boolean {
  if (port < p.portMin || port > p.portMax) return false;
  if (p.prefix === 0) return true;
  const mask = (~0 << (32 - p.prefix)) >>> 0;
  return ((p.addr ^ addr) & mask) === 0;
}

/**
 * Does the address match the pattern? Families must agree, except that an IPv4-mapped IPv6
 * address (::ffff:a.b.c.d) also matches inet patterns as a.b.c.d (it is an IPv4 peer).
 * Unix paths are matched as given: resolve them to absolute paths before calling.
 */
export function matchAddress(p: AddressPattern, a: SockAddr): boolean {
  switch (p.family) {
    case "unix":
      return a.family === "unix" && p.match(a.path);
    case "unix-abstract":
      return a.family === "unix-abstract" && p.match(a.name);
    case "inet": {
      if (a.family === "inet") return inetMatches(p, a.addr, a.port);
      if (a.family !== "inet6") return false;
      const v4 = unmapIPv4(a.addr);
      return v4 !== undefined && inetMatches(p, v4, a.port);
    }
    case "inet6":
      return a.family === "inet6" && a.port >= p.portMin && a.port <= p.portMax && prefixMatches(p.addr, a.addr, p.prefix);
  }
}

/** Compile one address pattern string (an alias matches if any of its expansions does). */
export function compileAddressPattern(s: string, opts: MatchOptions = DEFAULT_MATCH_OPTIONS): (a: SockAddr) => boolean {
  const patterns = parseAddressPattern(s, opts);
  if (patterns.length === 1) {
    const only = patterns[0]!;
    return (a) => matchAddress(only, a);
  }
  return (a) => {
    for (const p of patterns) if (matchAddress(p, a)) return true;
    return false;
  };
}
