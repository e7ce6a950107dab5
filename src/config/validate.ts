/**
 * Whole-config checks: rules about combinations of keys, which no single magic
 * command can judge because the keys may arrive in any order.
 */
import { ConfigError, Errno } from "../errors.ts";
import type { Config } from "./types.ts";

const NEEDS_GENERAL = ["io_control", "memory_map", "shared_memory_writable"] as const;

/**
 * Throw a ConfigError (EINVAL) if `cfg` is inconsistent. Run it once all
 * sources are applied: the restrict knobs only refine a restrict level, so
 * each of them needs `core/restrict/general` > 0.
 */
export function validateConfig(cfg: Config): void {
  const r = cfg.core.restrict;
  const on = NEEDS_GENERAL.filter((k) => r[k]);
  if (on.length > 0 && r.general <= 0) {
    const keys = on.map((k) => `core/restrict/${k}`).join(", ");
    throw new ConfigError(`${keys} ${on.length > 1 ? "need" : "needs"} core/restrict/general > 0 (it is ${r.general}): set core/restrict/general:1 or higher, or turn ${on.length > 1 ? "them" : "it"} off`, Errno.EINVAL, { key: `core/restrict/${on[0]}` });
  }
}

/** True when every sandbox mode is off and no restrict level is set: sydbox would confine nothing. */
export function confinesNothing(cfg: Config): boolean {
  const s = cfg.core.sandbox;
  return cfg.core.restrict.general === 0 && s.exec === "off" && s.read === "off" && s.write === "off" && s.network === "off";
}
