/**
 * The names that select a subcommand (src/cli/subcommands.ts) when they come
 * first on the command line. A module of its own so that the entry point and
 * the command-line bundle can tell a subcommand from a run without loading the
 * subcommands, and with them the TOML parser.
 */

/** Names that select a subcommand when they come first on the command line. */
export const SUBCOMMANDS: readonly string[] = ["config", "fmt"];
