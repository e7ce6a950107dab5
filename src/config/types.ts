/**
 * The configuration's types, for the rest of sydbox: the vocabulary (vocabulary.ts) and
 * the Config type, which is derived from the key schema (schema.ts) and so cannot drift
 * from it. A Config is plain data (see schema.ts).
 */
export type * from "./vocabulary.ts";
export type { Config } from "./schema.ts";
