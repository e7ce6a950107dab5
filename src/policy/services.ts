/**
 * Service names for ports (`inet:127.0.0.1@http`), from /etc/services as getservbyname()
 * reads it. The file is read once, on the first name looked up, so configs that only use
 * numeric ports never touch it.
 */
import { nodeFs } from "../lazy-node";
import { ConfigError } from "../errors.ts";

/** The system services database. */
export const SERVICES_FILE = "/etc/services";

const tables = new Map<string, Map<string, number> | Error>();

/** Parse services(5) text: `name port/proto [alias...] [# comment]`; the first entry for a name wins. */
export function parseServices(text: string): Map<string, number> {
  const table = new Map<string, number>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const m = /^(\d+)\/\S+$/.exec(portProto ?? "");
    if (!name || !m) continue;
    const port = Number(m[1]);
    if (port > 65535) continue;
    for (const n of [name, ...aliases]) if (!table.has(n)) table.set(n, port);
  }
  return table;
}

function table(file: string): Map<string, number> | Error {
  let t = tables.get(file);
  if (!t) {
    try {
      t = parseServices(nodeFs().readFileSync(file, "latin1"));
    } catch (e) {
      t = e instanceof Error ? e : new Error(String(e));
    }
    tables.set(file, t);
  }
  return t;
}

/**
 * The port of a service name, for any protocol (like getservbyname(name, NULL)).
 * Throws ConfigError if the name is unknown or the services file cannot be read.
 */
export function lookupService(name: string, file: string = SERVICES_FILE): number {
  const t = table(file);
  if (t instanceof Error) {
    throw new ConfigError(`unknown service name \`${name}': cannot read ${file} (${t.message})`);
  }
  const port = t.get(name);
  if (port === undefined) throw new ConfigError(`unknown service name \`${name}' (not in ${file})`);
  return port;
}
