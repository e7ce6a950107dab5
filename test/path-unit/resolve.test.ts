/**
 * resolvePath against live tracees: real cwds, real fd tables, real symlinks on disk.
 * Every case runs both strategies (openat2 fast path and the exact walk) and requires them to
 * agree, so a fast-path shortcut can never silently diverge from the kernel-faithful walk.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import { Errno } from "../../src/errors.ts";
import { type DirFd, resolvePath, type ResolveMode, type ResolveResult } from "../../src/path/resolve.ts";
import { B, buildFixtureTree, removeDir, startTracee, tempDir, type Tracee, WEIRD, WEIRD_FILE, WEIRD_LINK } from "./tracee.ts";

function both(pid: number, dirfd: DirFd, path: string, mode: ResolveMode, opts: { tid?: number; emptyPath?: boolean } = {}): ResolveResult {
  const fast = resolvePath(pid, dirfd, path, mode, opts);
  const slow = resolvePath(pid, dirfd, path, mode, { ...opts, slowOnly: true });
  expect(slow).toEqual(fast);
  return fast;
}
const ok = (path: string, exists = true): ResolveResult => ({ ok: true, path, exists });
const err = (errno: number): ResolveResult => ({ ok: false, errno });


let T: string;
let tr: Tracee;

beforeAll(async () => {
  T = tempDir();
  buildFixtureTree(T);

  tr = await startTracee(`${T}/a`, [
    { op: "opendir", path: T, key: "parent" },
    { op: "openfile", path: `${T}/a/file`, key: "file" },
    { op: "pipe", key: "pipe" },
    { op: "thread", path: `${T}/b` },
  ]);
});

afterAll(async () => {
  await tr?.kill();
  if (T) removeDir(T);
});

describe("relative paths", () => {
  test("resolve against the tracee's cwd, not ours", () => {
    expect(both(tr.pid, "cwd", "file", "follow")).toEqual(ok(`${T}/a/file`));
    expect(both(tr.pid, -100, "sub/file2", "follow")).toEqual(ok(`${T}/a/sub/file2`));
    expect(both(tr.pid, "cwd", "./sub/../file", "follow")).toEqual(ok(`${T}/a/file`));
    expect(both(tr.pid, "cwd", ".", "follow")).toEqual(ok(`${T}/a`));
  });

  test("a cwd renamed or removed after chdir: its new name, or what the kernel says of a deleted one", async () => {
    fs.mkdirSync(`${T}/old`);
    const moved = await startTracee(`${T}/old`, []);
    fs.mkdirSync(`${T}/gonedir`);
    const orphan = await startTracee(`${T}/gonedir`, []);
    try {
      fs.renameSync(`${T}/old`, `${T}/renamed`);
      expect(both(moved.pid, "cwd", "f", "missing-ok")).toEqual(ok(`${T}/renamed/f`, false));
      expect(both(moved.pid, "cwd", ".", "follow")).toEqual(ok(`${T}/renamed`));
      fs.rmdirSync(`${T}/gonedir`);
      both(orphan.pid, "cwd", "f", "missing-ok");
      both(orphan.pid, "cwd", ".", "follow");
    } finally {
      await moved.kill();
      await orphan.kill();
      fs.rmSync(`${T}/renamed`, { recursive: true, force: true });
    }
  });

  test("`..` climbs out of the cwd, and stops at /", () => {
    expect(both(tr.pid, "cwd", "..", "follow")).toEqual(ok(T));
    expect(both(tr.pid, "cwd", "../outside/secret", "follow")).toEqual(ok(`${T}/outside/secret`));
    expect(both(tr.pid, "cwd", "../".repeat(40) + "etc", "follow")).toEqual(ok("/etc"));
  });

  test("a dirfd on a parent directory", () => {
    const fd = tr.fds.parent!;
    expect(both(tr.pid, fd, "a/file", "follow")).toEqual(ok(`${T}/a/file`));
    expect(both(tr.pid, fd, "a/sub/new", "missing-ok")).toEqual(ok(`${T}/a/sub/new`, false));
    expect(both(tr.pid, fd, "..", "follow")).toEqual(ok(T.slice(0, T.lastIndexOf("/")) || "/"));
  });

  test("an absolute path ignores the dirfd, even a bad one", () => {
    expect(both(tr.pid, 999, `${T}/a/file`, "follow")).toEqual(ok(`${T}/a/file`));
    expect(both(tr.pid, tr.fds.file!, `${T}/a/sub`, "follow")).toEqual(ok(`${T}/a/sub`));
  });

  test("a thread with its own cwd resolves against that cwd", () => {
    expect(tr.tid).not.toBeNull();
    expect(both(tr.pid, "cwd", "c", "follow", { tid: tr.tid! })).toEqual(ok(`${T}/b/c`));
    expect(both(tr.pid, "cwd", "c", "follow")).toEqual(err(Errno.ENOENT));
  });
});

describe("symlinks", () => {
  test("a symlink pointing out of the directory: follow vs nofollow", () => {
    expect(both(tr.pid, "cwd", "out", "follow")).toEqual(ok(`${T}/outside`));
    expect(both(tr.pid, "cwd", "out/secret", "follow")).toEqual(ok(`${T}/outside/secret`));
    expect(both(tr.pid, "cwd", "out/secret", "nofollow")).toEqual(ok(`${T}/outside/secret`));
    expect(both(tr.pid, "cwd", "out", "nofollow")).toEqual(ok(`${T}/a/out`));
    expect(both(tr.pid, "cwd", "outabs", "follow")).toEqual(ok(`${T}/outside`));
    expect(both(tr.pid, "cwd", `${T}/a/outabs`, "nofollow")).toEqual(ok(`${T}/a/outabs`));
    // A trailing slash forces the last symlink to be followed, in every mode.
    expect(both(tr.pid, "cwd", "out/", "nofollow")).toEqual(ok(`${T}/outside`));
  });

  test("`..` applies after symlink expansion, not to the text", () => {
    expect(both(tr.pid, "cwd", "deep/..", "follow")).toEqual(ok(`${T}/b`));
    expect(both(tr.pid, "cwd", "deep/../c", "follow")).toEqual(ok(`${T}/b/c`));
    expect(both(tr.pid, "cwd", "out/../b", "nofollow")).toEqual(ok(`${T}/b`));
  });

  test("a dangling symlink: missing-ok names the target the kernel would create", () => {
    expect(both(tr.pid, "cwd", "dang", "missing-ok")).toEqual(ok(`${T}/denied/new`, false));
    expect(both(tr.pid, "cwd", `${T}/a/dang`, "missing-ok")).toEqual(ok(`${T}/denied/new`, false));
    expect(both(tr.pid, "cwd", "dang", "follow")).toEqual(err(Errno.ENOENT));
    expect(both(tr.pid, "cwd", "dang", "nofollow")).toEqual(ok(`${T}/a/dang`));
    // The target's directory must exist, as for the kernel's O_CREAT.
    expect(both(tr.pid, "cwd", "dangnodir", "missing-ok")).toEqual(err(Errno.ENOENT));
  });

  test("missing last component", () => {
    expect(both(tr.pid, "cwd", "sub/newfile", "missing-ok")).toEqual(ok(`${T}/a/sub/newfile`, false));
    expect(both(tr.pid, "cwd", "sub/newfile", "nofollow")).toEqual(ok(`${T}/a/sub/newfile`, false));
    expect(both(tr.pid, "cwd", "newdir/", "nofollow")).toEqual(ok(`${T}/a/newdir`, false));
    expect(both(tr.pid, "cwd", "sub/newfile", "follow")).toEqual(err(Errno.ENOENT));
    expect(both(tr.pid, "cwd", "nodir/newfile", "missing-ok")).toEqual(err(Errno.ENOENT));
    expect(both(tr.pid, "cwd", `${T}/nodir/x`, "nofollow")).toEqual(err(Errno.ENOENT));
  });

  test("ELOOP after 40 symlinks", () => {
    expect(both(tr.pid, "cwd", "loop1", "follow")).toEqual(err(Errno.ELOOP));
    expect(both(tr.pid, "cwd", "loop1", "missing-ok")).toEqual(err(Errno.ELOOP));
    expect(both(tr.pid, "cwd", "loop1/x", "nofollow")).toEqual(err(Errno.ELOOP));
    expect(both(tr.pid, "cwd", "loop1", "nofollow")).toEqual(ok(`${T}/a/loop1`));
    expect(both(tr.pid, "cwd", "chain1", "follow")).toEqual(ok(`${T}/a/file`)); // 40 links
    expect(both(tr.pid, "cwd", "chain0", "follow")).toEqual(err(Errno.ELOOP)); // 41 links
  });

  test("names with spaces, newlines and non-UTF-8 bytes round-trip as latin1", () => {
    const expected = `${T}/a/${WEIRD}/${WEIRD_FILE}`;
    expect(both(tr.pid, "cwd", `${WEIRD}/${WEIRD_FILE}`, "follow")).toEqual(ok(expected));
    expect(both(tr.pid, "cwd", WEIRD_LINK, "follow")).toEqual(ok(expected));
    expect(both(tr.pid, "cwd", WEIRD_LINK, "nofollow")).toEqual(ok(`${T}/a/${WEIRD_LINK}`));
    expect(both(tr.pid, "cwd", `${T}/a/${WEIRD}/new\n\xff`, "missing-ok")).toEqual(ok(`${T}/a/${WEIRD}/new\n\xff`, false));
    const r = both(tr.pid, "cwd", WEIRD_LINK, "follow");
    expect(r.ok && fs.existsSync(B(r.path))).toBe(true);
  });
});

describe("/proc/self and magic links mean the tracee", () => {
  test("/proc/self/cwd and /proc/thread-self/cwd", () => {
    expect(both(tr.pid, "cwd", "/proc/self/cwd/file", "follow")).toEqual(ok(`${T}/a/file`));
    expect(both(tr.pid, "cwd", "/proc/self/cwd", "follow")).toEqual(ok(`${T}/a`));
    expect(both(tr.pid, "cwd", "/proc/self/cwd/new", "missing-ok")).toEqual(ok(`${T}/a/new`, false));
    expect(both(tr.pid, "cwd", "/proc/thread-self/cwd/c", "follow", { tid: tr.tid! })).toEqual(ok(`${T}/b/c`));
    expect(both(tr.pid, "cwd", "/proc/./self/cwd/file", "follow")).toEqual(ok(`${T}/a/file`));
  });

  test("/proc/self/fd/N and /dev/fd/N name the tracee's fds", () => {
    const { parent, file, pipe } = tr.fds as Record<string, number>;
    expect(both(tr.pid, "cwd", `/proc/self/fd/${parent}/a/file`, "follow")).toEqual(ok(`${T}/a/file`));
    expect(both(tr.pid, "cwd", `/dev/fd/${parent}/outside/secret`, "follow")).toEqual(ok(`${T}/outside/secret`));
    expect(both(tr.pid, "cwd", `/proc/self/fd/${file}`, "follow")).toEqual(ok(`${T}/a/file`));
    expect(both(tr.pid, "cwd", `/proc/self/fd/${file}/x`, "follow")).toEqual(err(Errno.ENOTDIR));
    // A pipe has no path: the link itself is the name, and it is not a directory.
    expect(both(tr.pid, "cwd", `/proc/self/fd/${pipe}`, "follow")).toEqual(ok(`/proc/${tr.pid}/fd/${pipe}`));
    expect(both(tr.pid, "cwd", `/proc/self/fd/${pipe}/x`, "follow")).toEqual(err(Errno.ENOTDIR));
    expect(both(tr.pid, "cwd", "/proc/self/fd/987", "follow")).toEqual(err(Errno.ENOENT));
    // nofollow leaves the magic link itself.
    expect(both(tr.pid, "cwd", `/proc/self/fd/${file}`, "nofollow")).toEqual(ok(`/proc/${tr.pid}/fd/${file}`));
  });

  test("/proc/self, /proc/thread-self, and links through them", () => {
    expect(both(tr.pid, "cwd", "/proc/self", "follow")).toEqual(ok(`/proc/${tr.pid}`));
    expect(both(tr.pid, "cwd", "/proc/self", "nofollow")).toEqual(ok(`/proc/${tr.pid}`));
    expect(both(tr.pid, "cwd", "/proc/self/status", "follow")).toEqual(ok(`/proc/${tr.pid}/status`));
    expect(both(tr.pid, "cwd", "/proc/mounts", "follow")).toEqual(ok(`/proc/${tr.pid}/mounts`));
    expect(both(tr.pid, "cwd", "/proc/thread-self", "follow", { tid: tr.tid! })).toEqual(ok(`/proc/${tr.pid}/task/${tr.tid}`));
    expect(both(tr.pid, "cwd", "/proc/self/attr/new", "missing-ok")).toEqual(ok(`/proc/${tr.pid}/attr/new`, false));
    const r = both(tr.pid, "cwd", "/proc/self/attr/current", "follow");
    expect(r).toEqual(ok(`/proc/${tr.pid}/attr/current`));
  });
});

describe("errors", () => {
  test("ENOTDIR", () => {
    expect(both(tr.pid, "cwd", "file/x", "follow")).toEqual(err(Errno.ENOTDIR));
    expect(both(tr.pid, "cwd", "file/", "follow")).toEqual(err(Errno.ENOTDIR));
    expect(both(tr.pid, "cwd", "notdir/x", "missing-ok")).toEqual(err(Errno.ENOTDIR));
    // A relative path from a dirfd that is not a directory.
    expect(both(tr.pid, tr.fds.file!, "x", "follow")).toEqual(err(Errno.ENOTDIR));
    expect(both(tr.pid, tr.fds.pipe!, "x", "missing-ok")).toEqual(err(Errno.ENOTDIR));
  });

  test("EBADF", () => {
    expect(both(tr.pid, 999, "x", "follow")).toEqual(err(Errno.EBADF));
    expect(both(tr.pid, -5, "x", "follow")).toEqual(err(Errno.EBADF));
    expect(both(tr.pid, 999, "", "follow", { emptyPath: true })).toEqual(err(Errno.EBADF));
  });

  test("ENOENT for an empty path without AT_EMPTY_PATH", () => {
    expect(both(tr.pid, "cwd", "", "follow")).toEqual(err(Errno.ENOENT));
    expect(both(tr.pid, tr.fds.file!, "", "nofollow")).toEqual(err(Errno.ENOENT));
  });

  test("ENAMETOOLONG", () => {
    expect(both(tr.pid, "cwd", "x".repeat(4096), "follow")).toEqual(err(Errno.ENAMETOOLONG));
    expect(both(tr.pid, "cwd", "/" + "x".repeat(4095), "missing-ok")).toEqual(err(Errno.ENAMETOOLONG));
    expect(both(tr.pid, "cwd", "n".repeat(300), "missing-ok")).toEqual(err(Errno.ENAMETOOLONG));
    // 4095 bytes is still a valid argument.
    expect(both(tr.pid, "cwd", "./".repeat(2045) + "file", "follow")).toEqual(ok(`${T}/a/file`));
  });

  test("ESRCH for a tracee that is gone", async () => {
    const gone = await startTracee(T);
    await gone.kill();
    expect(resolvePath(gone.pid, "cwd", "x", "follow")).toEqual(err(Errno.ESRCH));
  });
});

describe("AT_EMPTY_PATH", () => {
  test("names the dirfd itself", () => {
    expect(both(tr.pid, "cwd", "", "follow", { emptyPath: true })).toEqual(ok(`${T}/a`));
    expect(both(tr.pid, tr.fds.file!, "", "nofollow", { emptyPath: true })).toEqual(ok(`${T}/a/file`));
    expect(both(tr.pid, tr.fds.pipe!, "", "follow", { emptyPath: true })).toEqual(ok(`/proc/${tr.pid}/fd/${tr.fds.pipe}`));
  });
});

describe("a cwd deeper than PATH_MAX", () => {
  const NAME = "d".repeat(200);
  const LEVELS = 25; // 25 * 201 bytes: well past 4096 whatever the temp prefix
  let D: string;
  let deep: Tracee;

  beforeAll(async () => {
    D = tempDir();
    const actions = [];
    for (let i = 0; i < LEVELS; i++) actions.push({ op: "mkdir", path: NAME } as const, { op: "chdir", path: NAME } as const);
    actions.push({ op: "touch", path: "file" } as const, { op: "mkdir", path: "sub" } as const);
    actions.push({ op: "opendir", path: ".", key: "deep" } as const);
    deep = await startTracee(D, actions);
  });
  afterAll(async () => {
    await deep?.kill();
    if (D) removeDir(D);
  });

  test("relative names resolve to paths longer than PATH_MAX", () => {
    const cwd = D + `/${NAME}`.repeat(LEVELS);
    expect(cwd.length).toBeGreaterThan(4096);
    expect(both(deep.pid, "cwd", "file", "follow")).toEqual(ok(`${cwd}/file`));
    expect(both(deep.pid, "cwd", "file", "nofollow")).toEqual(ok(`${cwd}/file`));
    expect(both(deep.pid, "cwd", "new", "missing-ok")).toEqual(ok(`${cwd}/new`, false));
    expect(both(deep.pid, "cwd", "sub/../file", "follow")).toEqual(ok(`${cwd}/file`));
    expect(both(deep.pid, "cwd", "..", "follow")).toEqual(ok(cwd.slice(0, -NAME.length - 1)));
    expect(both(deep.pid, "cwd", "/proc/self/cwd/file", "follow")).toEqual(ok(`${cwd}/file`));
    expect(both(deep.pid, deep.fds.deep!, "sub", "follow")).toEqual(ok(`${cwd}/sub`));
    expect(both(deep.pid, "cwd", "", "follow", { emptyPath: true })).toEqual(ok(cwd));
  });
});

describe("resource hygiene", () => {
  test("no fd is leaked, whatever the outcome", () => {
    // The set of open fds, not their number: an earlier test file's pipes may
    // be closed meanwhile, when the GC collects their subprocesses.
    const open = () => new Set(fs.readdirSync("/proc/self/fd"));
    const paths: Array<[DirFd, string, ResolveMode]> = [
      ["cwd", "file", "follow"], ["cwd", "dang", "missing-ok"], ["cwd", "loop1/x", "follow"], ["cwd", "chain0", "follow"],
      ["cwd", "file/x", "follow"], [999, "x", "follow"], ["cwd", `/proc/self/fd/${tr.fds.pipe}/x`, "follow"],
      ["cwd", `/proc/self/fd/${tr.fds.parent}/a/file`, "nofollow"], ["cwd", "/proc/self/cwd/nope/x", "missing-ok"],
      [tr.fds.file!, "x", "follow"], ["cwd", "deep/../c", "nofollow"], ["cwd", "..", "follow"],
    ];
    const run = () => {
      for (const [d, p, m] of paths) {
        resolvePath(tr.pid, d, p, m);
        resolvePath(tr.pid, d, p, m, { slowOnly: true });
      }
    };
    run(); // first use opens the long-lived fds (/, /proc/self/fd)
    const before = open();
    for (let i = 0; i < 20; i++) run();
    expect([...open()].filter((fd) => !before.has(fd))).toEqual([]);
  });
});
