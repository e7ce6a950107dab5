/**
 * Shipped profiles and `@name` lookup.
 *
 * The profile files are imported as text, so `bun build --compile` embeds them
 * in the binary: sydbox needs no data directory to run `--profile paludis`.
 *
 * Lookup order for `@NAME` (and `--profile NAME`):
 * 1. the profile embedded in the binary (`paludis`, `default`, `firefox`);
 * 2. `/usr/share/sydbox/NAME.syd-2`;
 * 3. `/usr/share/sydbox/NAME.toml`.
 * `@NAME.syd-2` or `@NAME.toml` asks for that format only (embedded first,
 * then the system directory). Embedded profiles come first so a stale file
 * left in /usr/share/sydbox by SydBox 2.0.1 cannot change what Paludis gets.
 */
import { nodeFs } from "../lazy-node";
import { ConfigError, Errno } from "../errors.ts";
import { textToByteString } from "../policy/bytes.ts";
import paludisSyd2 from "../../profiles/paludis.syd-2" with { type: "text" };
import paludisToml from "../../profiles/paludis.toml" with { type: "text" };
import defaultSyd2 from "../../profiles/default.syd-2" with { type: "text" };
import defaultToml from "../../profiles/default.toml" with { type: "text" };
import firefoxSyd2 from "../../profiles/firefox.syd-2" with { type: "text" };
import firefoxToml from "../../profiles/firefox.toml" with { type: "text" };

/** A profile document's format. */
export type ProfileFormat = "syd-2" | "toml";

/** The embedded profiles, each in both formats (they describe the same config; tests hold them to it). */
export const EMBEDDED_PROFILES: Readonly<Record<string, Readonly<Record<ProfileFormat, string>>>> = {
  paludis: { "syd-2": paludisSyd2, toml: paludisToml },
  default: { "syd-2": defaultSyd2, toml: defaultToml },
  firefox: { "syd-2": firefoxSyd2, toml: firefoxToml },
};

/** Where SydBox 2.0.1 installed its profiles, and where distributions may add more. */
export const SYSTEM_PROFILE_DIR = "/usr/share/sydbox";

/** A profile found by {@link findProfile}: its text and a name to report errors against. */
export interface ProfileSource {
  name: string;
  format: ProfileFormat;
  /** The document as a byte string (see src/policy/bytes.ts). */
  text: string;
  /** `embedded:NAME.EXT` or the file's path. */
  origin: string;
}

/**
 * Find profile `name` (without the `@`). Throws a ConfigError (ENOENT) listing
 * every place it looked when there is no such profile.
 */
export function findProfile(name: string, systemDir: string = SYSTEM_PROFILE_DIR): ProfileSource {
  const m = /^(.*?)(?:\.(syd-2|toml))?$/.exec(name)!;
  const base = m[1]!;
  const formats: ProfileFormat[] = m[2] ? [m[2] as ProfileFormat] : ["syd-2", "toml"];
  if (base === "" || base.includes("/")) {
    throw new ConfigError(`invalid profile name \`${name}': expected a name like \`paludis'`, Errno.EINVAL, { file: `@${name}` });
  }
  const embedded = Object.hasOwn(EMBEDDED_PROFILES, base) ? EMBEDDED_PROFILES[base] : undefined;
  if (embedded) {
    // Embedded text is decoded UTF-8; the config layer works on byte strings.
    const format = formats[0]!;
    return { name: base, format, text: textToByteString(embedded[format]), origin: `embedded:${base}.${format}` };
  }
  const tried: string[] = [];
  for (const format of formats) {
    const path = `${systemDir}/${base}.${format}`;
    tried.push(path);
    if (nodeFs().existsSync(path)) return { name: base, format, text: nodeFs().readFileSync(path, "latin1"), origin: path };
  }
  throw new ConfigError(
    `no profile \`${name}': not embedded (have ${Object.keys(EMBEDDED_PROFILES).join(", ")}) and not found at ${tried.join(" or ")}`,
    Errno.ENOENT,
    { file: `@${name}` },
  );
}
