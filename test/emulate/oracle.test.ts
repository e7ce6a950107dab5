/**
 * Emulation against the kernel as oracle: the same script of calls (test/c/sysc.c, one
 * raw syscall each, plus touch for explicit times) runs natively in one fixture tree and
 * under sydbox with core/trace/emulate:true in an identical one. Every call must answer the
 * same (result or errno name), and the trees must end up the same: entries, types, modes
 * (the umask applied as the kernel applies it), owners, sizes, contents, link targets.
 * Read and write sandboxing are both on and the tree is allowed, so every open, create,
 * remove and metadata change below is performed by the supervisor.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callLine, diff, results, runSh, snapshot, type Call } from "../path-e2e/lib";

const T = mkdtempSync(join(tmpdir(), "sydbox-emu-oracle-"));
afterAll(() => rmSync(T, { recursive: true, force: true }));
const OLD = new Date("2001-01-01T00:00:00Z");

function tree(dir: string): void {
  mkdirSync(dir);
  writeFileSync(join(dir, "f"), "data\n", { mode: 0o644 });
  writeFileSync(join(dir, "g"), "more\n", { mode: 0o644 });
  mkdirSync(join(dir, "d"));
  mkdirSync(join(dir, "full"));
  writeFileSync(join(dir, "full", "x"), "");
  symlinkSync("f", join(dir, "s"));
  symlinkSync("made-through-dangling", join(dir, "dangling"));
  symlinkSync("d", join(dir, "sd"));
  for (const p of ["f", "g", "d", "full", "full/x"]) utimesSync(join(dir, p), OLD, OLD);
}

/** The script: [label, sysc arguments]. Paths are relative to the tree (the cwd). */
const CALLS: Array<[string, string[]]> = [
  ["open-read", ["open", "f", "O_RDONLY", "0"]],
  ["open-missing", ["open", "nope", "O_RDONLY", "0"]],
  ["open-create", ["open", "new1", "O_WRONLY|O_CREAT", "0666"]],
  ["open-excl-existing", ["open", "f", "O_WRONLY|O_CREAT|O_EXCL", "0644"]],
  ["open-create-dangling", ["open", "dangling", "O_WRONLY|O_CREAT", "0640"]],
  ["open-trunc-symlink", ["open", "s", "O_WRONLY|O_TRUNC", "0"]],
  ["open-nofollow-symlink", ["open", "s", "O_RDONLY|O_NOFOLLOW", "0"]],
  ["open-path-nofollow", ["open", "s", "O_PATH|O_NOFOLLOW", "0"]],
  ["open-dir", ["open", "d", "O_RDONLY|O_DIRECTORY", "0"]],
  ["open-notdir", ["open", "g", "O_RDONLY|O_DIRECTORY", "0"]],
  ["open-trailing-slash", ["open", "g/", "O_RDONLY", "0"]],
  ["open-dir-write", ["open", "d", "O_WRONLY", "0"]],
  ["open-create-slash", ["open", "new9/", "O_WRONLY|O_CREAT", "0644"]],
  ["open-tmpfile", ["open", "d", "O_TMPFILE|O_RDWR", "0600"]],
  ["open-unknown-flags", ["open", "g", "O_RDONLY|0x80000000", "0"]],
  ["openat-create", ["openat", "d", "new2", "O_WRONLY|O_CREAT|O_EXCL", "0777"]],
  ["openat2-create", ["openat2", "cwd", "new3", "O_WRONLY|O_CREAT", "0"]],
  ["openat2-bad-flags", ["openat2", "cwd", "g", "0x80000000", "0"]],
  ["openat2-no-symlinks", ["openat2", "cwd", "s", "O_RDONLY", "4"]],
  ["openat2-no-symlinks-dir", ["openat2", "cwd", "sd/new5", "O_WRONLY|O_CREAT", "4"]],
  ["openat2-no-symlinks-create", ["openat2", "cwd", "dangling", "O_WRONLY|O_CREAT", "4"]],
  ["openat2-no-symlinks-plain", ["openat2", "cwd", "d/../g", "O_RDONLY", "4"]],
  ["openat2-beneath-create", ["openat2", "d", "new6", "O_WRONLY|O_CREAT", "8"]],
  ["creat", ["creat", "new4", "0755"]],
  ["creat-existing", ["creat", "g", "0600"]],
  ["mkdir", ["mkdir", "nd", "0777"]],
  ["mkdir-existing", ["mkdir", "d", "0755"]],
  ["mkdir-slash", ["mkdir", "nd2/", "0700"]],
  ["mkdir-missing-parent", ["mkdir", "nope/x", "0755"]],
  ["mkdir-dot", ["mkdir", "d/.", "0755"]],
  ["mkdirat", ["mkdirat", "d", "sub", "0750"]],
  ["mknod-fifo", ["mknod", "fifo", "S_IFIFO|0666", "0"]],
  ["mknodat-file", ["mknodat", "cwd", "regular", "S_IFREG|0604", "0"]],
  ["rmdir-full", ["rmdir", "full"]],
  ["rmdir-file", ["rmdir", "g"]],
  ["rmdir-dot", ["rmdir", "nd/."]],
  ["rmdir-dotdot", ["rmdir", "nd/.."]],
  ["unlink-dir", ["unlink", "d"]],
  ["unlink-slash", ["unlink", "g/"]],
  ["unlink-symlink", ["unlink", "s"]],
  ["unlinkat-removedir", ["unlinkat", "cwd", "nd2", "AT_REMOVEDIR"]],
  ["unlinkat-bad-flags", ["unlinkat", "cwd", "g", "0x1"]],
  ["rename", ["rename", "f", "ren"]],
  ["rename-dir-over-full", ["rename", "d", "full"]],
  ["renameat2-noreplace", ["renameat2", "cwd", "ren", "cwd", "g", "1"]],
  ["link", ["link", "ren", "lnk"]],
  ["link-existing", ["link", "ren", "g"]],
  ["link-dir", ["link", "d", "lnkd"]],
  ["linkat-follow", ["linkat", "cwd", "sd", "cwd", "lnk3", "AT_SYMLINK_FOLLOW"]],
  ["linkat-nofollow", ["linkat", "cwd", "sd", "cwd", "lnk4", "0"]],
  ["linkat-bad-flags", ["linkat", "cwd", "ren", "cwd", "lnk5", "0x1"]],
  ["symlink", ["symlink", "some/target", "sym"]],
  ["symlink-existing", ["symlink", "x", "g"]],
  ["symlinkat", ["symlinkat", "../up", "d", "sym2"]],
  ["chmod", ["chmod", "ren", "0600"]],
  ["chmod-through-symlink", ["chmod", "sd", "0711"]],
  ["chmod-missing", ["chmod", "nope", "0600"]],
  ["fchmodat", ["fchmodat", "cwd", "g", "04755"]],
  ["chown", ["chown", "ren", "1", "2"]],
  ["lchown", ["lchown", "sd", "3", "4"]],
  ["fchownat-nofollow", ["fchownat", "cwd", "sym", "5", "6", "AT_SYMLINK_NOFOLLOW"]],
  ["fchownat-keep", ["fchownat", "cwd", "g", "-1", "7", "0"]],
  ["fchownat-bad-flags", ["fchownat", "cwd", "g", "1", "1", "0x1"]],
  ["truncate", ["truncate", "ren", "2"]],
  ["truncate-dir", ["truncate", "d", "0"]],
  ["truncate-negative", ["truncate", "g", "-1"]],
  ["utime", ["utime", "g"]],
  ["utimes", ["utimes", "ren"]],
  ["utimensat-nofollow", ["utimensat", "cwd", "sd", "AT_SYMLINK_NOFOLLOW"]],
  ["futimesat", ["futimesat", "d", "sub"]],
];

/** touch with explicit times (utimensat with a times array), followed and not. */
const TOUCH = `printf 'touch=%s\\n' "$(touch -d @1000000000 new4 2>&1 && touch -h -d @1000000001 sym 2>&1 && echo ok)"`;

function script(): string {
  const calls: Call[] = CALLS.map(([label, args]) => ({ label, args }));
  return ["umask 027", ...calls.map(callLine), TOUCH].join("\n");
}

/** mtimes differ between the two runs except where they were set explicitly: keep those only. */
function normalized(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of snapshot(root)) {
    out.set(k.slice(root.length), v.replace(/mtime=(\d+(\.\d+)?)/, (_, t) => (Number(t) < 1.5e12 ? `mtime=${t}` : "mtime=recent")));
  }
  return out;
}

test("every emulated call answers as the kernel does and changes the tree the same way", async () => {
  const native = join(T, "native"), emulated = join(T, "emulated");
  tree(native);
  tree(emulated);
  const n = Bun.spawnSync(["sh", "-c", script()], { cwd: native });
  const e = await runSh(
    // The read deny rule makes reads checked (so emulated): read:allow alone answers them unread.
    ["-m", "core/trace/emulate:true", "-m", "core/sandbox/read:allow", "-m", "denylist/read+/nonexistent/***", "-m", "core/sandbox/write:deny", "-m", `allowlist/write+${emulated}/***`],
    script(),
    { cwd: emulated },
  );
  const want = results(n.stdout.toString()), got = results(e.stdout);
  expect(want.size).toBe(CALLS.length + 1);
  const mismatches = [...want].filter(([k, v]) => got.get(k) !== v).map(([k, v]) => `${k}: native ${v}, emulated ${got.get(k)}`);
  expect(mismatches).toEqual([]);
  expect(diff(normalized(native), normalized(emulated))).toEqual([]);
  expect(e.stderr).not.toContain("Access Violation");
}, 60000);
