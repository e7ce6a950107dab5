/**
 * Issue #4, part 2: paths are resolved as the kernel resolves them for the
 * sandboxed process, not as written: relative paths after cd, `..`, dirfds,
 * symlinks out of the allowlist, dangling symlinks with O_CREAT, /proc/self/cwd,
 * odd bytes in names, paths longer than PATH_MAX, and openat2's scoped lookups.
 * Every check is a real call by a sandboxed sysc; one sydbox run covers them all.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { q, reported, runCalls, snapshot, diff, SYSC, violations, type Call } from "./lib";

const T = mkdtempSync(join(tmpdir(), "sydbox-resolve-"));
const A = join(T, "allowed"), D = join(T, "denied");
afterAll(() => rmSync(T, { recursive: true, force: true }));

// Raw bytes for a name that is not UTF-8 (0xff) and one with a newline, as sysc's \xNN escapes.
const ODD = "odd\\xff\\x0aname with spaces";

const calls: Call[] = [];
const expectations: Array<{ label: string; name: string; want: string; report?: string; reportCall?: string }> = [];
function check(label: string, name: string, args: string[], want: string, report?: { call: string; path: string }) {
  calls.push({ label, args });
  expectations.push({ label, name, want, report: report?.path, reportCall: report?.call });
}

// Relative paths after cd (the script cds into A/sub before the checks, see `pre`).
check("relative-allowed", "relative path inside the allowed dir after cd", ["open", "rel-new", "O_WRONLY|O_CREAT", "0644"], "ok");
check("relative-dotdot-denied", "`../../denied/x` from an allowed cwd is denied", ["open", "../../denied/rel-x", "O_WRONLY|O_CREAT", "0644"], "EPERM", { call: "open", path: join(D, "rel-x") });
check("dotdot-out", "`allowed/sub/../../denied/x` (.. out of an allowed dir) is denied", ["mkdir", `${A}/sub/../../denied/dotdot`, "0755"], "EPERM", { call: "mkdir", path: join(D, "dotdot") });
check("dotdot-within", "`denied/../allowed/x` (.. back into the allowed dir) is allowed", ["mkdir", `${D}/../allowed/dotdot-in`, "0755"], "ok");
// A dirfd on a parent directory: openat(T, "denied/x") is denied, openat(T, "allowed/x") allowed.
check("dirfd-denied", "openat with a dirfd on the parent, into the denied dir", ["openat", T, "denied/dirfd-x", "O_WRONLY|O_CREAT", "0644"], "EPERM", { call: "openat", path: join(D, "dirfd-x") });
check("dirfd-allowed", "openat with a dirfd on the parent, into the allowed dir", ["openat", T, "allowed/dirfd-x", "O_WRONLY|O_CREAT", "0644"], "ok");
check("dirfd-abs", "openat with a dirfd and an absolute path ignores the dirfd", ["openat", A, `${D}/dirfd-abs`, "O_WRONLY|O_CREAT", "0644"], "EPERM", { call: "openat", path: join(D, "dirfd-abs") });
// Symlinks.
check("symlink-out", "writing through a symlink in the allowed dir that points to the denied dir", ["open", `${A}/to-denied-file`, "O_WRONLY|O_TRUNC", "0"], "EPERM", { call: "open", path: join(D, "file") });
check("symlink-dir-out", "creating below a symlinked directory that leads out", ["open", `${A}/to-denied-dir/via-link`, "O_WRONLY|O_CREAT", "0644"], "EPERM", { call: "open", path: join(D, "via-link") });
check("dangling-creat", "O_CREAT through a dangling symlink into the denied dir", ["open", `${A}/dangling`, "O_WRONLY|O_CREAT", "0644"], "EPERM", { call: "open", path: join(D, "dangling-target") });
check("dangling-creat-call", "creat() through a dangling symlink into the denied dir", ["creat", `${A}/dangling`, "0644"], "EPERM", { call: "creat", path: join(D, "dangling-target") });
check("symlink-unlink", "unlinking the symlink itself (not followed) is allowed", ["unlink", `${A}/to-denied-file2`], "ok");
check("symlink-in", "a symlink in the denied dir pointing into the allowed dir: writing through it is allowed", ["open", `${D}/to-allowed-file`, "O_WRONLY|O_TRUNC", "0"], "ok");
// /proc/self/cwd: the tracee's cwd (A/sub), resolved through the magic link.
check("proc-self-cwd-allowed", "/proc/self/cwd/x resolves to the cwd (allowed)", ["open", "/proc/self/cwd/proc-cwd-x", "O_WRONLY|O_CREAT", "0644"], "ok");
check("proc-self-cwd-denied", "/proc/self/cwd/../../denied/x is denied", ["open", "/proc/self/cwd/../../denied/proc-cwd-x", "O_WRONLY|O_CREAT", "0644"], "EPERM", { call: "open", path: join(D, "proc-cwd-x") });
// Odd names: spaces, a newline, a non-UTF-8 byte.
check("odd-allowed", "a name with spaces, a newline and a 0xff byte inside the allowed dir", ["mkdir", `${A}/${ODD}`, "0755"], "ok");
check("odd-denied", "the same name in the denied dir", ["mkdir", `${D}/${ODD}`, "0755"], "EPERM", { call: "mkdir", path: `${D}/odd\xff\nname with spaces` });
check("odd-dir-allowlisted", "a directory whose own name has odd bytes, allowlisted from a .syd-2 file (raw 0xff, ? for the newline)", ["open", `${T}/${ODD}-dir/inside`, "O_WRONLY|O_CREAT", "0644"], "ok");
// openat2's scoped lookups: RESOLVE_IN_ROOT makes the dirfd the root; RESOLVE_BENEATH refuses escapes.
check("in-root-abs", "openat2 RESOLVE_IN_ROOT: an absolute path is below the dirfd (allowed dir)", ["openat2", A, `${D}/in-root`, "O_WRONLY|O_CREAT", "RESOLVE_IN_ROOT"], "ok");
check("in-root-dotdot", "openat2 RESOLVE_IN_ROOT: `..` cannot climb out of a denied root, so `../allowed/x` is in the denied dir", ["openat2", D, "../allowed/in-root-x", "O_WRONLY|O_CREAT", "RESOLVE_IN_ROOT"], "EPERM", { call: "openat2", path: join(D, "allowed", "in-root-x") });
check("in-root-symlink", "openat2 RESOLVE_IN_ROOT: an absolute symlink resolves inside the root", ["openat2", D, "abs-link/x", "O_WRONLY|O_CREAT", "RESOLVE_IN_ROOT"], "EPERM", { call: "openat2", path: `${D}${A}/x` });
check("in-root-read-write", "openat2 RESOLVE_IN_ROOT without create, into the allowed dir", ["openat2", T, "/allowed/file", "O_WRONLY", "RESOLVE_IN_ROOT"], "ok");
check("beneath-escape", "openat2 RESOLVE_BENEATH: an escape fails in the kernel with EXDEV", ["openat2", A, "../denied/beneath", "O_WRONLY|O_CREAT", "RESOLVE_BENEATH"], "EXDEV");
check("beneath-abs", "openat2 RESOLVE_BENEATH: an absolute path fails with EXDEV", ["openat2", A, `${A}/beneath-abs`, "O_WRONLY|O_CREAT", "RESOLVE_BENEATH"], "EXDEV");
check("beneath-ok", "openat2 RESOLVE_BENEATH: a path below an allowed dirfd", ["openat2", A, "sub/beneath-ok", "O_WRONLY|O_CREAT", "RESOLVE_BENEATH"], "ok");
check("no-symlinks-last", "openat2 RESOLVE_NO_SYMLINKS: a create whose last name is a symlink fails with ELOOP, as in the kernel, and is not followed", ["openat2", A, "to-denied-file", "O_WRONLY|O_CREAT", "RESOLVE_NO_SYMLINKS"], "ELOOP");
// A symlink a create would follow inside the scope is not modelled: denied, and reported as the tracee wrote it.
check("beneath-symlink-last", "openat2 RESOLVE_BENEATH: a create through a symlink as the last name is unverifiable, denied", ["openat2", A, "to-denied-file", "O_WRONLY|O_CREAT", "RESOLVE_BENEATH"], "EPERM", { call: "openat2", path: "to-denied-file" });
check("beneath-denied", "openat2 RESOLVE_BENEATH: a path below a denied dirfd", ["openat2", T, "denied/beneath-x", "O_WRONLY|O_CREAT", "RESOLVE_BENEATH"], "EPERM", { call: "openat2", path: join(D, "beneath-x") });

let r: Awaited<ReturnType<typeof runCalls>>;
let vs: string[];
let before: Map<string, string>, after: Map<string, string>;
beforeAll(async () => {
  mkdirSync(join(A, "sub"), { recursive: true });
  mkdirSync(join(D, "allowed"), { recursive: true });
  mkdirSync(join(D, A.slice(1)), { recursive: true }); // D + A: where IN_ROOT puts an absolute symlink to A
  writeFileSync(join(D, "file"), "keep\n");
  writeFileSync(join(A, "file"), "allowed\n");
  symlinkSync(join(D, "file"), join(A, "to-denied-file"));
  symlinkSync(join(D, "file"), join(A, "to-denied-file2"));
  symlinkSync(D, join(A, "to-denied-dir"));
  symlinkSync(join(D, "dangling-target"), join(A, "dangling"));
  symlinkSync(join(A, "file"), join(D, "to-allowed-file"));
  symlinkSync(A, join(D, "abs-link"));
  // A directory named with odd bytes, allowlisted by its exact name.
  Bun.spawnSync([SYSC, "mkdir", `${T}/${ODD}-dir`, "0755"]);
  before = snapshot(D);
  const oddDir = `${T}/odd\xff\nname with spaces-dir`;
  // Command-line arguments from here are UTF-8; a .syd-2 file carries the raw 0xff byte.
  // A .syd-2 line cannot hold a newline: `?` stands for it.
  writeFileSync(join(T, "odd.syd-2"), Buffer.from(`allowlist/write+${oddDir.replace("\n", "?")}/***\n`, "latin1"));
  mkdirSync(join(A, D.slice(1)), { recursive: true }); // A + D: where IN_ROOT puts the absolute path D/x
  r = await runCalls(["-m", "core/sandbox/write:deny", "-m", `allowlist/write+${A}/***`, "-c", join(T, "odd.syd-2")], calls, { pre: `cd ${q(join(A, "sub"))} || exit 99` });
  after = snapshot(D);
  vs = violations(r.stderr);
});

describe("resolution through the sandbox", () => {
  for (const e of expectations) {
    test(`${e.name}: ${e.want}${e.report ? ", reported" : ""}`, () => {
      expect(r.results.get(e.label)).toBe(e.want);
      if (e.report) expect(reported(vs, e.reportCall!, e.report)).toBe(true);
    });
  }
  test("every report is one of the expected denials", () => {
    expect(vs.length).toBe(expectations.filter((e) => e.report).length);
  });
  test("the denied dir is unchanged", () => {
    expect(diff(before, after)).toEqual([]);
  });
  test("the allowed odd name was created with its exact bytes", () => {
    const names = readdirSync(A, { encoding: "buffer" }).map((b) => b.toString("latin1"));
    expect(names).toContain("odd\xff\nname with spaces");
    expect(lstatSync(join(A, "dangling")).isSymbolicLink()).toBe(true); // the symlink is still there, its target was not created
    expect(existsSync(join(D, "dangling-target"))).toBe(false);
  });
});

test("a path longer than PATH_MAX: a deep cwd (core/trace/use_toolong_hack) is resolved, inside and outside the allowlist", async () => {
  // 5 levels of 250 bytes under A and D, then relative calls from there: the absolute path is > 5000 bytes.
  const seg = "d".repeat(250);
  const deep = (base: string) => `cd ${q(base)} && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do mkdir -p ${seg} && cd -P ${seg} || exit 98; done`;
  // The deep tree under D is made outside the sandbox; under A, inside (allowed).
  Bun.spawnSync(["sh", "-c", deep(D)]);
  const script = [
    `(${deep(A)} && printf 'deep-a=%s\\n' "$(${q(SYSC)} open deep-file O_WRONLY\\|O_CREAT 0644)")`,
    `(cd ${q(D)} && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do cd -P ${seg} || exit 97; done; printf 'deep-d=%s\\n' "$(${q(SYSC)} open deep-file O_WRONLY\\|O_CREAT 0644)")`,
  ].join("\n");
  const res = await runCalls(["-m", "core/sandbox/write:deny", "-m", "core/trace/use_toolong_hack:true", "-m", `allowlist/write+${A}/***`], [], { post: script });
  expect(res.results.get("deep-a")).toBe("ok");
  expect(res.results.get("deep-d")).toBe("EPERM");
  const v = violations(res.stderr);
  expect(v.length).toBe(1);
  expect(v[0]).toStartWith(`open(\`${D}/${seg}/`);
  expect(v[0]).toEndWith(`/${seg}/deep-file')`);
  expect(v[0].length).toBeGreaterThan(4096);
});
