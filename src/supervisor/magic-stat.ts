/**
 * The magic stat: stat calls on /dev/sydbox/... reconfigure the caller's
 * sandbox. Not implemented yet: every call goes to the kernel.
 */
import type { SyscallRow } from "../syscalls/table";
import type { Dispatcher } from "./dispatch";

/** Decides a stat-family call. */
export function castMagic(d: Dispatcher, _row: SyscallRow): void {
  d.n.continue();
}
