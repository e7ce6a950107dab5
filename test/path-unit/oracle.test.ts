/**
 * Differential test with the kernel as the oracle: for each path, resolve it, then have the
 * tracee itself open it (O_PATH, O_PATH|O_NOFOLLOW, O_CREAT, O_CREAT|O_EXCL) and read back the
 * name of what it opened or created. The resolver must name the same file, or fail with the
 * same errno where the kernel's failure is a lookup failure.
 */
import { afterEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import { Errno } from "../../src/errors.ts";
import { type DirFd, resolvePath, type ResolveMode, type ResolveResult } from "../../src/path/resolve.ts";
import { B, buildFixtureTree, type OpenHow, type OracleReply, removeDir, startTracee, tempDir, type Tracee, WEIRD } from "./tracee.ts";

/** The shared fixture plus two links only the oracle tries. */
function buildTree(T: string): void {
  buildFixtureTree(T);
  fs.symlinkSync(B(`${T}/denied/new2`), B(`${T}/a/dangabs`));
  fs.symlinkSync(B("/proc/self/cwd/sub"), B(`${T}/a/selfsub`));
}

/** Paths to try, relative to the tracee's cwd T/a unless a dirfd key is given. */
function cases(T: string, fds: Record<string, number>): Array<[string, DirFd, string]> {
  const { parent, file, pipe } = fds as Record<string, number>;
  const rel = [
    "file", "sub/file2", "./sub/../file", ".", "..", "../outside/secret", "out", "out/", "out/secret",
    "outabs", "deep/..", "deep/../c", "dang", "dangabs", "dangnodir", "sub/NEW1", "nodir/NEW", "loop1",
    "loop1/x", "chain0", "chain1", "notdir", "notdir/x", "file/x", "file/", `${WEIRD}/f\xfe`, "lnk\x80",
    `${WEIRD}/NEW\n\xff`, "/proc/self/cwd/file", "/proc/self/cwd/NEW2", `/proc/self/fd/${parent}/a/file`,
    `/dev/fd/${parent}/outside/NEW3`, `/proc/self/fd/${file}`, `/proc/self/fd/${file}/x`, `/proc/self/fd/${pipe}`,
    "/proc/self/status", "/proc/mounts", "n".repeat(300), "/etc/passwd", `${T}/a/dang`, `/proc/self/fd/${parent}/a/sub`,
    "sub/../dang", "out/../a/NEW4", "selfsub/file2", "selfsub/NEW5", "selfsub", "/proc/thread-self/cwd/file",
    "//" + T.slice(1) + "//a///file", "sub//", "sub/.", "sub/..",
  ];
  const out: Array<[string, DirFd, string]> = rel.map((p) => [p, "cwd", p]);
  for (const p of ["a/file", "a/dang", "a/NEW6", "a/out/secret", "..", "a/selfsub"]) out.push([`fd:${p}`, parent, p]);
  out.push(["file-fd:x", file, "x"]);
  return out;
}

const MODE: Record<OpenHow, ResolveMode> = { follow: "follow", nofollow: "nofollow", create: "missing-ok", excl: "nofollow" };

// Failures that happen after the lookup succeeded (the kernel found the file, then refused to
// open it that way): the resolver must have found an existing file.
const AFTER_LOOKUP = new Set([Errno.EISDIR, Errno.EACCES, Errno.EPERM, Errno.EINVAL, Errno.EEXIST, 6 /* ENXIO */]);

function check(label: string, how: OpenHow, ours: ResolveResult, kernel: OracleReply, pid: number): void {
  const ctx = `${how} ${JSON.stringify(label)}: ours ${JSON.stringify(ours)} kernel ${JSON.stringify(kernel)}`;
  if ("path" in kernel) {
    expect(ours.ok, ctx).toBe(true);
    if (!ours.ok) return;
    if (kernel.path.charCodeAt(0) === 47) expect(ours.path, ctx).toBe(kernel.path);
    else expect(ours.path.startsWith(`/proc/${pid}/fd/`), ctx).toBe(true); // pipe:[...]
    return;
  }
  if (kernel.errno === Errno.EISDIR && (how === "create" || how === "excl") && label.endsWith("/")) {
    // O_CREAT with a trailing slash is refused with EISDIR before the last lookup; the resolver
    // reports the lookup itself (ENOTDIR for a file). Either way nothing is created.
    expect(ours.ok ? ours.exists : ours.errno === Errno.ENOTDIR, ctx).toBe(true);
    return;
  }
  if (AFTER_LOOKUP.has(kernel.errno)) {
    expect(ours.ok && ours.exists, ctx).toBe(true);
    return;
  }
  if (kernel.errno === Errno.ENOENT && how === "nofollow" && ours.ok) {
    expect(ours.exists, ctx).toBe(false); // O_PATH|O_NOFOLLOW of a missing name: we say "absent"
    return;
  }
  expect(ours, ctx).toEqual({ ok: false, errno: kernel.errno });
}

let T = "";
let tr: Tracee | undefined;
afterEach(async () => {
  await tr?.kill();
  tr = undefined;
  if (T) removeDir(T);
  T = "";
});

describe("the resolver names what the kernel opens", () => {
  for (const how of ["follow", "nofollow", "excl", "create"] as OpenHow[]) {
    test(`open with ${how}`, async () => {
      T = tempDir();
      buildTree(T);
      tr = await startTracee(`${T}/a`, [
        { op: "opendir", path: T, key: "parent" },
        { op: "openfile", path: `${T}/a/file`, key: "file" },
        { op: "pipe", key: "pipe" },
      ]);
      let n = 0;
      for (const [label, dirfd, path] of cases(T, tr.fds)) {
        // Both strategies first: the kernel's creating opens change the tree.
        const ours = resolvePath(tr.pid, dirfd, path, MODE[how]);
        expect(resolvePath(tr.pid, dirfd, path, MODE[how], { slowOnly: true }), label).toEqual(ours);
        const kernel = await tr.open(path, how, dirfd === "cwd" ? undefined : dirfd);
        check(label, how, ours, kernel, tr.pid);
        n++;
      }
      expect(n).toBeGreaterThan(50);
    });
  }
});
