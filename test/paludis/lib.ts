/**
 * Shared pieces of the Paludis drop-in tests (issue #18): they run the compiled
 * dist/sydbox (what a user installs, `npm test` builds it first), as root and
 * as an unprivileged user, in directories outside everything the paludis
 * profile allows.
 */
import { chmodSync, chownSync, copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { constants } from "node:os";
import { cc } from "../lib/cc";
import { DIST, ROOT, type Result } from "../lib/sydbox";

export { DIST, ROOT };

/** Is this run root? The unprivileged runs and the /etc/sydbox tests need it (CI runs as root). */
export const IS_ROOT = process.getuid?.() === 0;

/** The unprivileged user the builds run as in these tests (Paludis uses its own paludisbuild). */
export const NOBODY = { uid: 65534, gid: 65534 };

/** Everything the paludis profile allows for writing, which a test directory must avoid. */
const ALLOWED = /^\/(tmp|var\/tmp|var\/cache|dev\/shm)(\/|$)/;

/**
 * A fresh directory for one test, outside every allowlist of the paludis profile,
 * traversable by every user (the unprivileged runs need to reach it). Removed by `cleanup`.
 */
export function testDir(name: string): string {
  const base = [join(ROOT, "test", ".build"), "/var/lib/sydbox-tests"].map((d) => join(d, `paludis-${process.pid}`)).find((d) => !ALLOWED.test(d))!;
  const dir = join(base, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (let d = dir; d.length >= base.length; d = join(d, "..")) chmodSync(d, 0o755);
  return dir;
}

/** A directory the unprivileged user owns (it writes there when allowed, or outside the sandbox). */
export function ownedDir(dir: string, asNobody: boolean): string {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (asNobody) chownSync(dir, NOBODY.uid, NOBODY.gid);
  return dir;
}

/** A directory on PATH holding `sydfmt`, a link to dist/sydbox, as a package would install it. */
export function sydfmtDir(dir: string): string {
  const bin = join(dir, "sydfmt-bin");
  mkdirSync(bin, { recursive: true, mode: 0o755 });
  symlinkSync(DIST, join(bin, "sydfmt"));
  return bin;
}

/** Copies of /bin/true as prog and killme, and free.sh writing `target`, in `dir`/bin. */
export function programs(dir: string, target: string): string {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true, mode: 0o755 });
  for (const p of ["prog", "killme"]) copyFileSync("/bin/true", join(bin, p));
  for (const p of ["prog", "killme"]) chmodSync(join(bin, p), 0o755);
  writeFileSync(join(bin, "free.sh"), `#!/bin/sh\necho free > '${target}'\n`, { mode: 0o755 });
  return bin;
}

/** test/c/unixsock.c: `unixsock connect|bind PATH`. */
export const unixsock = () => cc("unixsock");

/** The argv prefix that runs a command as the unprivileged user (setpriv, util-linux). */
export function asUser(asNobody: boolean): string[] {
  return asNobody ? ["setpriv", `--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, "--clear-groups", "--"] : [];
}

/** Runs argv to completion (dist/sydbox, optionally under `asUser`), with a clean environment like Paludis's. */
export async function runArgv(argv: string[], env: Record<string, string> = {}, timeoutMs = 60000): Promise<Result> {
  const p = Bun.spawn(argv, {
    stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: timeoutMs,
    env: { PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", HOME: "/", ...env },
  });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  await p.exited;
  return { status: p.exitCode ?? 128 + (p.signalCode ? (constants.signals as Record<string, number>)[p.signalCode] ?? 0 : 0), stdout, stderr };
}

/** `LABEL=VALUE` lines of stdout, as a map (test/path-e2e/lib.ts's reader). */
export { results as labels } from "../path-e2e/lib";

/** How many violation reports name `call` (e.g. "openat(`/x')"). */
export function reports(stderr: string, call: string): number {
  return stderr.split("\n").filter((l) => l === `sydbox: ${call}`).length;
}
