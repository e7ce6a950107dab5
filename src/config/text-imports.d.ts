/**
 * Profile documents are imported as text (`with { type: "text" }`) so that
 * `bun build --compile` embeds them; these declarations type those imports.
 */
declare module "*.syd-2" {
  const text: string;
  export default text;
}
declare module "*.toml" {
  const text: string;
  export default text;
}
