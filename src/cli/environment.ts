/**
 * The environment the sandboxed command gets: the caller's, edited by `-E`,
 * plus the variables by which scripts (and Paludis) detect SydBox.
 */
import { UsageError } from "../errors";
import { API_VERSION, VERSION } from "../version";

/** Applies `-E var=val` (set) and `-E var` (remove) edits, in order, then the SYDBOX_* markers. */
export function commandEnvironment(base: Record<string, string | undefined>, edits: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  for (const e of edits) {
    const eq = e.indexOf("=");
    const name = eq < 0 ? e : e.slice(0, eq);
    if (name === "") throw new UsageError(`invalid -E \`${e}': expected var=val or var`);
    if (eq < 0) delete env[name];
    else env[name] = e.slice(eq + 1);
  }
  env.SYDBOX = "1";
  env.SYDBOX_VERSION = VERSION;
  env.SYDBOX_API_VERSION = String(API_VERSION);
  // Paludis checks this one to avoid starting a sandbox inside a sandbox.
  env.SYDBOX_ACTIVE = "1";
  return env;
}
