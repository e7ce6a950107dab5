/**
 * Issue #4, part 1: every path syscall of the table, performed for real by a
 * sandboxed process (test/c/sysc.c), is denied outside the allowlist with the
 * errno SydBox 2 gives, leaves the filesystem unchanged and is reported; and it
 * succeeds inside the allowlist. One sydbox run per category covers every row.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { BUILD_DIR, diff, q, reported, runCalls, snapshot, SYSC, violations, type Call } from "./lib";

const T = mkdtempSync(join(tmpdir(), "sydbox-paths-"));
afterAll(() => rmSync(T, { recursive: true, force: true }));

/** Does this architecture have the syscall? sysc says `nosys` when its headers lack SYS_name. */
function archHas(name: string): boolean {
  return Bun.spawnSync([SYSC, name, ...Array(6).fill("0")]).stdout.toString().trim() !== "nosys";
}

/**
 * One check of a row: args are built from the row's fixtures in directory X:
 * F an existing file (content, mode 0644, old mtime, xattr user.pre), M a missing name,
 * Dd an existing empty directory, E an executable (a copy of /bin/echo).
 */
interface Fx { F: string; M: string; Dd: string; E: string; S: string }
interface Check {
  /** The table row exercised. */
  row: string;
  /** A distinguishing suffix when a row has several checks. */
  tag?: string;
  args: (x: Fx, other: Fx) => string[];
  /** errno when denied; "ok" when allowed. */
  denied: string;
  /** Safe denial: silent (no report) unless raise_safe. */
  silent?: boolean;
  /** Which fixture path the report names (defaults to the first path-looking argument). */
  reportPath?: (x: Fx, other: Fx) => string;
  /** Expected output when allowed (execve prints through echo). */
  allowedOut?: string;
}

const W: Check[] = [
  { row: "open", args: (x) => [x.M, "O_WRONLY|O_CREAT", "0644"], denied: "EPERM" },
  { row: "openat", args: (x) => ["cwd", x.M, "O_WRONLY|O_CREAT", "0644"], denied: "EPERM" },
  { row: "openat", tag: "trunc", args: (x) => ["cwd", x.F, "O_WRONLY|O_TRUNC", "0"], denied: "EPERM" },
  { row: "openat2", args: (x) => ["cwd", x.M, "O_WRONLY|O_CREAT", "0"], denied: "EPERM" },
  { row: "creat", args: (x) => [x.M, "0644"], denied: "EPERM" },
  { row: "access", args: (x) => [x.F, "W_OK"], denied: "EACCES", silent: true },
  { row: "faccessat", args: (x) => ["cwd", x.F, "W_OK"], denied: "EACCES", silent: true },
  { row: "faccessat2", args: (x) => ["cwd", x.F, "W_OK", "0"], denied: "EACCES", silent: true },
  { row: "chmod", args: (x) => [x.F, "0600"], denied: "EPERM" },
  { row: "fchmodat", args: (x) => ["cwd", x.F, "0600"], denied: "EPERM" },
  { row: "fchmodat2", args: (x) => ["cwd", x.F, "0600", "0"], denied: "EPERM" },
  { row: "chown", args: (x) => [x.F, "1", "1"], denied: "EPERM" },
  { row: "chown32", args: (x) => [x.F, "1", "1"], denied: "EPERM" },
  { row: "lchown", args: (x) => [x.F, "1", "1"], denied: "EPERM" },
  { row: "lchown32", args: (x) => [x.F, "1", "1"], denied: "EPERM" },
  { row: "fchownat", args: (x) => ["cwd", x.F, "1", "1", "0"], denied: "EPERM" },
  { row: "mkdir", args: (x) => [x.M, "0755"], denied: "EPERM" },
  { row: "mkdir", tag: "existing", args: (x) => [x.Dd, "0755"], denied: "EEXIST", silent: true, allowedOut: "EEXIST" },
  { row: "mkdirat", args: (x) => ["cwd", x.M, "0755"], denied: "EPERM" },
  { row: "mkdirat", tag: "existing", args: (x) => ["cwd", x.Dd, "0755"], denied: "EEXIST", silent: true, allowedOut: "EEXIST" },
  { row: "mknod", args: (x) => [x.M, "S_IFIFO|0644", "0"], denied: "EPERM" },
  { row: "mknod", tag: "existing", args: (x) => [x.F, "S_IFIFO|0644", "0"], denied: "EEXIST", silent: true, allowedOut: "EEXIST" },
  { row: "mknodat", args: (x) => ["cwd", x.M, "S_IFIFO|0644", "0"], denied: "EPERM" },
  { row: "rmdir", args: (x) => [x.Dd], denied: "EPERM" },
  { row: "rmdir", tag: "missing", args: (x) => [x.M], denied: "ENOENT", silent: true, allowedOut: "ENOENT" },
  { row: "truncate", args: (x) => [x.F, "0"], denied: "EPERM" },
  { row: "truncate64", args: (x) => [x.F, "0"], denied: "EPERM" },
  { row: "utime", args: (x) => [x.F], denied: "EPERM" },
  { row: "utimes", args: (x) => [x.F], denied: "EPERM" },
  { row: "utimensat", args: (x) => ["cwd", x.F, "0"], denied: "EPERM" },
  { row: "futimesat", args: (x) => ["cwd", x.F], denied: "EPERM" },
  { row: "unlink", args: (x) => [x.F], denied: "EPERM" },
  { row: "unlink", tag: "missing", args: (x) => [x.M], denied: "ENOENT", silent: true, allowedOut: "ENOENT" },
  { row: "unlinkat", args: (x) => ["cwd", x.F, "0"], denied: "EPERM" },
  { row: "unlinkat", tag: "rmdir", args: (x) => ["cwd", x.Dd, "AT_REMOVEDIR"], denied: "EPERM" },
  { row: "link", args: (x) => [x.F, x.M], denied: "EPERM" },
  { row: "link", tag: "from-allowed", args: (x, o) => [o.F, x.M], denied: "EPERM", reportPath: (x) => x.M },
  { row: "link", tag: "existing", args: (x, o) => [o.F, x.S], denied: "EEXIST", silent: true, allowedOut: "EEXIST" },
  { row: "link", tag: "existing, old path denied", args: (x) => [x.F, x.S], denied: "EPERM", allowedOut: "EEXIST" },
  { row: "linkat", args: (x) => ["cwd", x.F, "cwd", x.M, "0"], denied: "EPERM" },
  { row: "rename", args: (x) => [x.F, x.M], denied: "EPERM" },
  { row: "rename", tag: "out-of", args: (x, o) => [x.F, o.M], denied: "EPERM" },
  { row: "rename", tag: "into", args: (x, o) => [o.F, x.M], denied: "EPERM", reportPath: (x) => x.M },
  { row: "renameat", args: (x) => ["cwd", x.F, "cwd", x.M], denied: "EPERM" },
  { row: "renameat2", args: (x) => ["cwd", x.F, "cwd", x.M, "0"], denied: "EPERM" },
  { row: "symlink", args: (x) => ["target", x.M], denied: "EPERM", reportPath: (x) => x.M },
  { row: "symlink", tag: "existing", args: (x) => ["target", x.F], denied: "EEXIST", silent: true, allowedOut: "EEXIST" },
  { row: "symlinkat", args: (x) => ["target", "cwd", x.M], denied: "EPERM", reportPath: (x) => x.M },
  { row: "setxattr", args: (x) => [x.F, "user.new", "v", "0"], denied: "EPERM" },
  { row: "lsetxattr", args: (x) => [x.F, "user.new", "v", "0"], denied: "EPERM" },
  { row: "removexattr", args: (x) => [x.F, "user.pre"], denied: "EPERM" },
  { row: "lremovexattr", args: (x) => [x.F, "user.pre"], denied: "EPERM" },
  { row: "lremovexattr", tag: "missing", args: (x) => [x.M, "user.pre"], denied: "ENOENT", silent: true, allowedOut: "ENOENT" },
];

const R: Check[] = [
  { row: "open", args: (x) => [x.F, "O_RDONLY", "0"], denied: "EPERM" },
  { row: "openat", args: (x) => ["cwd", x.F, "O_RDONLY", "0"], denied: "EPERM" },
  { row: "openat", tag: "dir", args: (x) => ["cwd", x.Dd, "O_RDONLY|O_DIRECTORY", "0"], denied: "EPERM" },
  { row: "openat2", args: (x) => ["cwd", x.F, "O_RDONLY", "0"], denied: "EPERM" },
  { row: "access", args: (x) => [x.F, "R_OK"], denied: "EACCES", silent: true },
  { row: "faccessat", args: (x) => ["cwd", x.F, "R_OK"], denied: "EACCES", silent: true },
  { row: "faccessat2", args: (x) => ["cwd", x.F, "R_OK", "0"], denied: "EACCES", silent: true },
  { row: "listxattr", args: (x) => [x.F], denied: "EOPNOTSUPP", silent: true }, // ENOTSUP, as SydBox 2 answers; the same number on Linux
  { row: "llistxattr", args: (x) => [x.F], denied: "EOPNOTSUPP", silent: true }, // ENOTSUP, as SydBox 2 answers; the same number on Linux
];

const X: Check[] = [
  { row: "execve", args: (x) => [x.E, "ran"], denied: "EACCES", allowedOut: "ran" },
  { row: "execveat", args: (x) => ["cwd", x.E, "0", "ran"], denied: "EACCES", allowedOut: "ran" },
  { row: "execveat", tag: "dirfd", args: (x) => [dirname(x.E), basename(x.E), "0", "ran"], denied: "EACCES", allowedOut: "ran", reportPath: (x) => x.E },
  { row: "access", args: (x) => [x.E, "X_OK"], denied: "EACCES", silent: true },
  { row: "faccessat", args: (x) => ["cwd", x.E, "X_OK"], denied: "EACCES", silent: true },
  { row: "faccessat2", args: (x) => ["cwd", x.E, "X_OK", "0"], denied: "EACCES", silent: true },
];

const OLD = new Date("2001-01-01T00:00:00Z");
const label = (c: Check, side: string) => `${c.row}${c.tag ? "-" + c.tag : ""}-${side}`;

function fixtures(dir: string, c: Check, side: string): Fx {
  const base = join(dir, label(c, side));
  const fx: Fx = { F: base + ".f", M: base + ".missing", Dd: base + ".d", E: base + ".echo", S: base + ".s" };
  writeFileSync(fx.F, "data\n", { mode: 0o644 });
  utimesSync(fx.F, OLD, OLD);
  writeFileSync(fx.S, "second\n");
  mkdirSync(fx.Dd);
  copyFileSync("/bin/echo", fx.E);
  Bun.spawnSync(["chmod", "0755", fx.E]);
  return fx;
}

/** Runs checks of one category: every check against D (denied) and against A (allowed). */
async function runCategory(cat: string, checks: Check[], opts: string[]) {
  const root = join(T, cat);
  const a = join(root, "allowed"), d = join(root, "denied");
  mkdirSync(a, { recursive: true });
  mkdirSync(d, { recursive: true });
  const present = checks.filter((c) => archHas(c.row));
  const calls: Call[] = [];
  const fx = new Map<string, { a: Fx; d: Fx }>();
  for (const c of present) {
    const fa = fixtures(a, c, "A"), fd = fixtures(d, c, "D");
    fx.set(label(c, ""), { a: fa, d: fd });
    calls.push({ label: label(c, "D"), args: [c.row, ...c.args(fd, fa)] });
    calls.push({ label: label(c, "A"), args: [c.row, ...c.args(fa, fa)] });
  }
  // xattr fixtures: user.pre on every file, set outside the sandbox.
  const pre = [...fx.values()].flatMap(({ a: fa, d: fd }) => [fa.F, fd.F]).map((f) => `${q(SYSC)} setxattr ${q(f)} user.pre 1 0 >/dev/null`).join("\n");
  Bun.spawnSync(["sh", "-c", pre]);
  const before = snapshot(d);
  const r = await runCalls([...opts.map((o) => o.replace(/<A>/g, a).replace(/<D>/g, d))], calls);
  const after = snapshot(d);
  return { r, before, after, present, fx, a, d };
}

function describeCategory(cat: string, checks: Check[], opts: string[], extraNote = "") {
  describe(`${cat} rows${extraNote}`, () => {
    let out: Awaited<ReturnType<typeof runCategory>>;
    let vs: string[];
    beforeAll(async () => {
      out = await runCategory(cat, checks, opts);
      vs = violations(out.r.stderr);
    });
    for (const name of new Set(checks.map((c) => c.row))) {
      const missing = archHas(name) ? "" : ` (skipped: this architecture, ${process.arch}, has no ${name} syscall)`;
      for (const c of checks.filter((k) => k.row === name)) {
        const what = `${name}${c.tag ? ` (${c.tag})` : ""}`;
        test.skipIf(missing !== "")(`${what}: denied outside the allowlist with ${c.denied}${c.silent ? ", silently (safe)" : ", reported"}; allowed inside${missing}`, () => {
          const { r, fx } = out;
          const { a: fa, d: fd } = fx.get(label(c, ""))!;
          expect(r.results.get(label(c, "D"))).toBe(c.denied);
          expect(r.results.get(label(c, "A"))).toBe(c.allowedOut ?? "ok");
          const path = c.reportPath ? c.reportPath(fd, fa) : c.args(fd, fa).find((s) => s.startsWith(out.d))!;
          expect(reported(vs, name, path)).toBe(!c.silent);
        });
      }
    }
    test("every report names a denied path: allowed calls are never reported", () => {
      expect(vs.length).toBeGreaterThan(0);
      expect(vs.filter((v) => !v.includes(out.d + "/"))).toEqual([]);
    });
    test("the denied directory is unchanged (content, modes, owners, times, xattrs, entries)", () => {
      expect(diff(out.before, out.after)).toEqual([]);
    });
    // Reads and execs change nothing to look at: their rows' own tests check what they returned.
    if (cat === "write") test("the allowed calls really happened", () => {
      // A sample: a created file, a chmod, an unlinked file, a set xattr.
      const { fx } = out;
      const f = (row: string, tag?: string) => fx.get(label({ row, tag } as Check, ""))!.a;
      expect(existsSync(f("open").M)).toBe(true);
      expect(existsSync(f("unlink").F)).toBe(false);
      expect(existsSync(f("rename").M)).toBe(true);
      expect(Bun.spawnSync([SYSC, "xattrs", f("setxattr").F]).stdout.toString().trim()).toBe("user.pre,user.new");
      expect(readFileSync(f("truncate").F, "latin1")).toBe("");
    });
  });
}

const sys = ["/etc/***", "/usr/***", "/lib/***", "/lib64/***", "/proc/***", "/dev/***", `${BUILD_DIR}/***`];

describeCategory("write", W, ["-m", "core/sandbox/write:deny", "-m", "allowlist/write+<A>/***"]);
describeCategory("read", R, ["-m", "core/sandbox/read:deny", ...sys.flatMap((p) => ["-m", `allowlist/read+${p}`]), "-m", "allowlist/read+<A>/***"]);
describeCategory("exec", X, ["-m", "core/sandbox/exec:deny", "-m", `allowlist/exec+${SYSC}`, "-m", "allowlist/exec+<A>/***"]);
