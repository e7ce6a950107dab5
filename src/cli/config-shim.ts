// TEMPORARY until src/config/sources.ts lands.
import { applyMagic } from "../config/magic";
import { defaultConfig } from "../config/schema";
import { parseSyd2 } from "../config/syd2";
import { findProfile } from "../config/profiles";
import { confinesNothing, validateConfig } from "../config/validate";
import { readFileSync } from "node:fs";
import type { Config } from "../config/types";
import type { Source } from "./program";
export class RefusalError extends Error { constructor(readonly lines: string[]) { super(lines.join("\n")); } }
export function loadConfig(sources: Source[], env: string | undefined): Config {
  let cfg = defaultConfig();
  const all = [...sources, ...(env ? [{ kind: "config" as const, value: env }] : [])];
  for (const s of all) {
    if (s.kind === "magic") applyMagic(cfg, s.value);
    else if (s.value.startsWith("@")) { const p = findProfile(s.value.slice(1)); cfg = parseSyd2(p.text, p.origin, cfg, { checkName: false }); }
    else cfg = parseSyd2(readFileSync(s.value, "latin1"), s.value, cfg);
  }
  validateConfig(cfg);
  if (confinesNothing(cfg)) throw new RefusalError(["All restrict and sandbox options are off.", "Refusing to run the program."]);
  return cfg;
}
