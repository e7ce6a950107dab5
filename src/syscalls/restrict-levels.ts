/**
 * The allowlists of core/restrict/general 1-3, read from the syscall data: a call's
 * `restrict` field (classes.ts words `name:N`, table.ts rows) is the lowest level that
 * allows it, and each level allows everything the levels below it do.
 */
import { classifiedNames, classOf, type RestrictLevel } from "./classes";
import { SYSCALLS } from "./table";

/** The names that core/restrict/general `level` allows without conditions on their arguments. */
export function restrictAllowlist(level: RestrictLevel): string[] {
  const out: string[] = [];
  for (const name of classifiedNames()) {
    const l = classOf(name)!.restrict;
    if (l !== undefined && l <= level) out.push(name);
  }
  for (const row of SYSCALLS) if (row.restrict !== undefined && row.restrict <= level && !out.includes(row.name)) out.push(row.name);
  return out;
}
