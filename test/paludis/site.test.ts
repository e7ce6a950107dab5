/**
 * Site additions, end to end (issue #18): Paludis clears SYDBOX_CONFIG, so a
 * site's extra rules come from /etc/sydbox/NAME.d/. These tests need root to
 * write /etc/sydbox and /usr/share/sydbox; they use a profile name of their own
 * (never paludis: other runs on the machine use it) and remove what they made.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DIST, IS_ROOT, ownedDir, runArgv, testDir } from "./lib";

const NAME = `sydbox-test-${process.pid}`;
const PROFILE = `/usr/share/sydbox/${NAME}.syd-2`;
const SITE = `/etc/sydbox/${NAME}.d`;
const made: string[] = [];

describe.skipIf(!IS_ROOT)("/etc/sydbox/NAME.d (skipped: needs root to write /etc/sydbox)", () => {
  let dir = "";
  beforeAll(() => {
    dir = testDir("site");
    for (const d of ["/usr/share/sydbox", "/etc/sydbox"]) if (!existsSync(d)) { mkdirSync(d, { recursive: true }); made.push(d); }
    writeFileSync(PROFILE, "core/sandbox/write:deny\ncore/sandbox/network:deny\nallowlist/write+/dev/null\n");
    mkdirSync(SITE);
    writeFileSync(join(SITE, "10-first.syd-2"), `allowlist/write+${dir}/a/***\ncore/sandbox/network:off\n`);
    writeFileSync(join(SITE, "20-second.toml"), `version = 1\n[core.sandbox]\nnetwork = "allow"\n[rules]\nwrite = ["allow ${dir}/b/***"]\n`);
    writeFileSync(join(SITE, "notes.txt"), "not read\n");
  });
  afterAll(() => {
    rmSync(SITE, { recursive: true, force: true });
    rmSync(PROFILE, { force: true });
    for (const d of made.reverse()) try { rmdirSync(d); } catch { /* not empty: someone else's files */ }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("applied after --profile NAME, in name order, in a run and in config show", async () => {
    for (const d of ["a", "b", "c"]) ownedDir(join(dir, d), false);
    const r = await runArgv([DIST, "--profile", NAME, "--", "/bin/sh", "-c",
      `for d in a b c; do (echo x > '${dir}'/$d/f) 2>/dev/null; echo "$d=$?"; done`]);
    expect(r.stdout).toMatch(/^a=0\nb=0\nc=[12]\n$/); // c is denied (dash says 2, bash 1)
    expect(existsSync(join(dir, "c", "f"))).toBe(false);
    const show = await runArgv([DIST, "config", "show", "--profile", NAME]);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('network = "allow"'); // 20-second.toml came after 10-first.syd-2
    expect(show.stdout).toMatch(new RegExp(`"allow ${dir}/a/\\*\\*\\*",\\n  "allow ${dir}/b/\\*\\*\\*"`));
  });

  test("a bad file stops the run, naming its path and line", async () => {
    const bad = join(SITE, "30-bad.syd-2");
    writeFileSync(bad, "# a comment\nallowlist/write+/x\nwhitelist/write:oops\n");
    try {
      const r = await runArgv([DIST, "--profile", NAME, "--", "/bin/sh", "-c", "echo ran"]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`sydbox: invalid magic in file \`${bad}' on line 3`);
      const show = await runArgv([DIST, "config", "show", "--profile", NAME]);
      expect(show.status).toBe(1);
      expect(show.stderr).toContain(`${bad}' on line 3`);
    } finally {
      rmSync(bad, { force: true });
    }
  });
});
