/**
 * Profile documents are imported as text (`with { type: "text" }`) so that
 * `bun build --compile` embeds them. This types the `.syd-2` imports; bun-types
 * already declares `*.toml` (as `any`, which the text import satisfies).
 */
declare module "*.syd-2" {
  const text: string;
  export default text;
}
