/**
 * A sandbox: a Config compiled for matching. Patterns are compiled once, here,
 * and rule lists cache their decisions; the hot path only looks things up.
 */
import type { AddressCategory, Config, FilterCategory, PathCategory, RuleCategory, SandboxMode } from "../config/types";
import { compileAddressPattern, type SockAddr } from "../policy/address";
import { compilePattern, type MatchOptions } from "../policy/pattern";
import { addressRules, pathRules, RuleSet } from "../policy/rules";

/** The compiled form of one Config. */
export class Sandbox {
  readonly match: MatchOptions;
  readonly paths: Record<PathCategory, RuleSet<string>>;
  readonly addresses: Record<AddressCategory, RuleSet<SockAddr>>;
  readonly filters: Record<Exclude<FilterCategory, "network">, ((p: string) => boolean)[]>;
  readonly networkFilters: ((a: SockAddr) => boolean)[];
  readonly killIfMatch: ((p: string) => boolean)[];
  readonly resumeIfMatch: ((p: string) => boolean)[];

  constructor(readonly cfg: Config) {
    const m = cfg.core.match;
    this.match = { caseSensitive: m.case_sensitive, noWildcard: m.no_wildcard };
    const lists = cfg.lists;
    this.paths = {
      exec: pathRules(this.match, lists.exec),
      read: pathRules(this.match, lists.read),
      write: pathRules(this.match, lists.write),
    };
    this.addresses = { bind: addressRules(this.match, lists.bind), connect: addressRules(this.match, lists.connect) };
    const compile = (ps: string[]) => ps.map((p) => compilePattern(p, this.match));
    this.filters = { exec: compile(cfg.filter.exec), read: compile(cfg.filter.read), write: compile(cfg.filter.write) };
    this.networkFilters = cfg.filter.network.map((p) => compileAddressPattern(p, this.match));
    this.killIfMatch = compile(cfg.exec.kill_if_match);
    this.resumeIfMatch = compile(cfg.exec.resume_if_match);
    // A Sandbox never changes (a magic change builds a new one), so this holds.
    const open = (cat: PathCategory) => {
      const mode = this.mode(cat);
      return mode === "off" || (mode === "allow" && !lists[cat].some((r) => r.action === "deny"));
    };
    this.open = { exec: open("exec"), read: open("read"), write: open("write") };
  }

  /**
   * Can nothing be denied in this path category? (off, or allow mode with no
   * deny rule.) Then a call's paths need not even be read.
   */
  allowsEverything(cat: PathCategory): boolean {
    return this.open[cat];
  }
  private readonly open: Record<PathCategory, boolean>;

  /** The sandbox mode governing a rule category. */
  mode(cat: RuleCategory): SandboxMode {
    const s = this.cfg.core.sandbox;
    return cat === "bind" || cat === "connect" ? s.network : s[cat];
  }

  /**
   * Is `subject` allowed in category `cat`? The last matching rule decides; with
   * none, the mode does (deny: denied unless allowed; allow: allowed unless denied;
   * bpf: denied, as the kernel would have; off: allowed).
   */
  allows<C extends RuleCategory>(cat: C, subject: C extends AddressCategory ? SockAddr : string): boolean {
    const mode = this.mode(cat);
    if (mode === "off") return true;
    if (mode === "bpf") return false;
    const verdict = cat === "bind" || cat === "connect"
      ? this.addresses[cat as AddressCategory].decide(subject as SockAddr)
      : this.paths[cat as PathCategory].decide(subject as string);
    return verdict === undefined ? mode === "allow" : verdict === "allow";
  }
}
