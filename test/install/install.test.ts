/**
 * scripts/install.ts against a temporary DESTDIR: the staged binary runs a
 * sandboxed command and answers as sydfmt, the manifest lists exactly what was
 * installed, a reinstall replaces files by rename, an uninstall removes exactly
 * the manifest's files, bad options fail, and each man page lints clean.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { DIST, ROOT, withTempDir } from "../lib/sydbox";

const SCRIPT = join(ROOT, "scripts", "install.ts");

function installScript(args: string[]) {
  const p = Bun.spawnSync([process.execPath, SCRIPT, "--binary", DIST, ...args], { stdout: "pipe", stderr: "pipe" });
  return { status: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

function run(argv: string[]) {
  const p = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", stdin: "ignore", env: { ...process.env, MANWIDTH: "200" } });
  return { status: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/** Every file (not directory) below `dir`, as /PATH relative to it. */
function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push("/" + relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const manifestOf = (destdir: string, prefix: string) =>
  readFileSync(join(destdir, prefix, "share/sydbox/MANIFEST"), "utf8").split("\n").filter((l) => l !== "").sort();

const has = (cmd: string) => Bun.which(cmd) !== null;

describe("a staged install", () => {
  test("stages every file under DESTDIR/PREFIX, listed in the manifest, and the staged binary runs", () =>
    withTempDir("sydbox-install-", async (destdir) => {
      const r = installScript(["--prefix", "/usr", "--destdir", destdir]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const manifest = manifestOf(destdir, "/usr");
      // The manifest is exactly what is below DESTDIR: nothing missing, nothing unlisted.
      expect(filesBelow(destdir)).toEqual(manifest);
      for (const f of [
        "/usr/bin/sydbox", "/usr/bin/sydfmt", "/usr/share/sydbox/paludis.syd-2", "/usr/share/sydbox/paludis.toml",
        "/usr/share/sydbox/paludis/sydbox.bash", "/usr/share/man/man1/sydbox.1", "/usr/share/man/man1/sydfmt.1",
        "/usr/share/man/man5/sydbox.5", "/usr/share/bash-completion/completions/sydbox", "/usr/share/bash-completion/completions/sydfmt", "/usr/share/sydbox/MANIFEST",
      ]) expect(manifest).toContain(f);
      const bin = join(destdir, "usr/bin");
      expect(statSync(join(bin, "sydbox")).mode & 0o777).toBe(0o755);
      expect(statSync(join(destdir, "usr/share/man/man5/sydbox.5")).mode & 0o777).toBe(0o644);
      // sydfmt is the same file under the name Paludis calls.
      expect(statSync(join(bin, "sydfmt")).ino).toBe(statSync(join(bin, "sydbox")).ino);
      expect(readFileSync(join(destdir, "usr/share/sydbox/paludis/sydbox.bash"), "utf8")).toBe(readFileSync(join(ROOT, "profiles/sydbox.bash"), "utf8"));

      const sandboxed = run([join(bin, "sydbox"), "--profile", "paludis", "--", "true"]);
      expect(sandboxed.stderr).toBe("");
      expect(sandboxed.status).toBe(0);
      const fmt = run([join(bin, "sydfmt"), "exec", "--", "true"]);
      expect(fmt.stdout).toBe("/dev/sydbox/cmd/exec!true\n");
      expect(fmt.status).toBe(0);
    }));

  test("a reinstall replaces each file by rename, drops what the new version lacks, and leaves no temporary file", () =>
    withTempDir("sydbox-install-", async (destdir) => {
      expect(installScript(["--prefix", "/usr/local", "--destdir", destdir]).status).toBe(0);
      const profile = join(destdir, "usr/local/share/sydbox/paludis.syd-2");
      const before = statSync(profile).ino;
      writeFileSync(join(destdir, "usr/local/share/man/man1/sydbox.1"), "stale");
      // A file an earlier version installed and this one does not: listed in the old manifest, removed.
      const gone = "/usr/local/share/sydbox/retired.syd-2";
      writeFileSync(join(destdir, gone), "core/sandbox/write:deny\n");
      writeFileSync(join(destdir, "usr/local/share/sydbox/MANIFEST"), [...manifestOf(destdir, "/usr/local"), gone].join("\n") + "\n");
      expect(installScript(["--prefix=/usr/local", `--destdir=${destdir}`]).status).toBe(0);
      expect(statSync(profile).ino).not.toBe(before);
      expect(readFileSync(join(destdir, "usr/local/share/man/man1/sydbox.1"), "utf8")).toStartWith(".\\\"");
      expect(existsSync(join(destdir, gone))).toBe(false);
      expect(filesBelow(destdir)).toEqual(manifestOf(destdir, "/usr/local"));
    }));

  test("uninstall removes exactly the manifest's files", () =>
    withTempDir("sydbox-install-", async (destdir) => {
      expect(installScript(["--prefix", "/usr", "--destdir", destdir]).status).toBe(0);
      const manifest = manifestOf(destdir, "/usr");
      const mine = join(destdir, "usr/share/sydbox/site.syd-2");
      writeFileSync(mine, "core/sandbox/write:deny\n");
      const r = installScript(["--uninstall", "--prefix", "/usr", "--destdir", destdir]);
      expect(r.status).toBe(0);
      for (const f of manifest) expect(existsSync(join(destdir, f))).toBe(false);
      expect(filesBelow(destdir)).toEqual(["/usr/share/sydbox/site.syd-2"]);
      // A second uninstall has no manifest to go by: an error, not a guess.
      const again = installScript(["--uninstall", "--prefix", "/usr", "--destdir", destdir]);
      expect(again.status).toBe(1);
      expect(again.stderr).toContain("no manifest");
    }));

  test("an uninstall refuses a manifest entry that climbs out of DESTDIR, and removes nothing", () =>
    withTempDir("sydbox-install-", async (destdir) => {
      expect(installScript(["--prefix", "/usr", "--destdir", destdir]).status).toBe(0);
      const manifest = manifestOf(destdir, "/usr");
      writeFileSync(join(destdir, "usr/share/sydbox/MANIFEST"), [...manifest, "/usr/../../outside"].join("\n") + "\n");
      const r = installScript(["--uninstall", "--prefix", "/usr", "--destdir", destdir]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("refusing entry `/usr/../../outside'");
      for (const f of manifest) expect(existsSync(join(destdir, f))).toBe(true);
    }));

  test("bad options fail with a clear error and touch nothing", () =>
    withTempDir("sydbox-install-", async (destdir) => {
      const cases: [string[], string][] = [
        [["--frobnicate"], "unknown option `--frobnicate'"],
        [["--prefix"], "--prefix needs a value"],
        [["--prefix", "usr"], "--prefix must be an absolute path"],
        [["--prefix", "/usr/../.."], "must not contain `..'"],
        [["--binary", join(destdir, "missing")], "does not exist"],
      ];
      for (const [args, message] of cases) {
        const r = installScript([...args, "--destdir", destdir]);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(message);
      }
      expect(readdirSync(destdir)).toEqual([]);
    }));
});

describe("the installed man pages", () => {
  test.skipIf(!has("groff"))("lint clean with groff -ww (needs groff)", () =>
    withTempDir("sydbox-install-", async (destdir) => {
      expect(installScript(["--prefix", "/usr", "--destdir", destdir]).status).toBe(0);
      const pages = ["man1/sydbox.1", "man1/sydfmt.1", "man5/sydbox.5"];
      for (const page of pages) {
        const r = run(["groff", "-ww", "-z", "-man", join(destdir, "usr/share/man", page)]);
        expect({ page, stderr: r.stderr }).toEqual({ page, stderr: "" });
        expect(r.status).toBe(0);
      }
    }));

  test.skipIf(!has("mandoc"))("lint clean with mandoc -Tlint (needs mandoc)", () =>
    withTempDir("sydbox-install-", async (destdir) => {
      expect(installScript(["--prefix", "/usr", "--destdir", destdir]).status).toBe(0);
      for (const page of ["man1/sydbox.1", "man1/sydfmt.1", "man5/sydbox.5"]) {
        const r = run(["mandoc", "-Tlint", "-W", "warning", join(destdir, "usr/share/man", page)]);
        expect({ page, out: r.stdout + r.stderr }).toEqual({ page, out: "" });
        expect(r.status).toBe(0);
      }
    }));

  test.skipIf(!has("man"))("man -l shows their sections (needs man-db)", () =>
    withTempDir("sydbox-install-", async (destdir) => {
      expect(installScript(["--prefix", "/usr", "--destdir", destdir]).status).toBe(0);
      const man = (page: string) => run(["man", "-l", join(destdir, "usr/share/man", page)]).stdout;
      const sydbox1 = man("man1/sydbox.1");
      for (const s of ["SYNOPSIS", "OPTIONS", "SUBCOMMANDS", "EXIT STATUS", "ENVIRONMENT", "FILES", "PALUDIS", "EXAMPLES"]) expect(sydbox1).toContain(s);
      expect(sydbox1).toContain("export PALUDIS_EXTRA_EBUILD_MODULES_DIRS=/usr/share/sydbox/paludis");
      const sydbox5 = man("man5/sydbox.5");
      for (const s of ["KEYS", "THE .syd-2 FORMAT", "THE TOML FORMAT", "MAGIC STAT", "core/sandbox/write", "allowlist/network/connect"]) expect(sydbox5).toContain(s);
      expect(man("man1/sydfmt.1")).toContain("sydfmt exec -- prog");
    }));
});

test("a staged directory is never created outside DESTDIR", () =>
  withTempDir("sydbox-install-", async (destdir) => {
    const prefix = `/opt/sydbox-install-test-${process.pid}`;
    expect(installScript(["--prefix", prefix, "--destdir", destdir]).status).toBe(0);
    expect(existsSync(prefix)).toBe(false);
    expect(lstatSync(join(destdir, prefix, "bin/sydbox")).isFile()).toBe(true);
    expect(filesBelow(join(destdir, prefix)).map((f) => prefix + f)).toEqual(manifestOf(destdir, prefix));
  }));
