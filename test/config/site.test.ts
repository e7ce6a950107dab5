/**
 * Site additions (issue #18): after a profile NAME is applied, every *.syd-2
 * and *.toml file of SITE_DIR/NAME.d/ is applied in name order. These tests
 * give loadConfig a directory of their own (LoadOptions.siteDir); the
 * end-to-end test with /etc/sydbox itself is test/paludis/site.test.ts.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type SourceItem } from "../../src/config/sources.ts";

const site = mkdtempSync(join(tmpdir(), "sydbox-site-"));
afterAll(() => rmSync(site, { recursive: true, force: true }));
const c = (value: string): SourceItem => ({ kind: "config", value });
const m = (value: string): SourceItem => ({ kind: "magic", value });

function additions(name: string, files: Record<string, string>): string {
  const dir = join(site, `${name}.d`);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

test("applied right after the profile, in name order, *.syd-2 and *.toml only", () => {
  additions("paludis", {
    "20-distcc.toml": 'version = 1\n[rules]\nwrite = ["allow /var/distcc/***"]\n[core.sandbox]\nnetwork = "allow"\n',
    "10-ccache.syd-2": "allowlist/write+/var/ccache/***\ncore/sandbox/network:off\n",
    "README": "not a configuration\n",
    "30-old.syd-2~": "bogus\n",
  });
  const cfg = loadConfig({ sources: [c("@paludis"), m("allowlist/write+/after/***")], siteDir: site });
  const write = cfg.lists.write.map((r) => r.pattern);
  // The profile's own entries, then 10-, then 20-, then what followed --profile on the command line.
  expect(write.slice(-3)).toEqual(["/var/ccache/***", "/var/distcc/***", "/after/***"]);
  expect(cfg.core.sandbox.network).toBe("allow"); // 20- set it last
  // @paludis.toml is the same profile name.
  expect(loadConfig({ sources: [c("@paludis.toml")], siteDir: site }).lists.write.map((r) => r.pattern)).toContain("/var/distcc/***");
});

test("no directory, no additions; files given with -c are not profiles", () => {
  const plain = loadConfig({ sources: [c("@default")], siteDir: site });
  expect(plain).toEqual(loadConfig({ sources: [c("@default")], siteDir: join(site, "nowhere") }));
});

test("a bad file stops everything, naming its path and line", () => {
  const dir = additions("firefox", { "10-good.syd-2": "allowlist/write+/ok\n", "20-bad.syd-2": "allowlist/write+/ok2\n\ncore/sandbox/write:sometimes\n" });
  expect(() => loadConfig({ sources: [c("@firefox")], siteDir: site })).toThrow(`invalid magic in file \`${dir}/20-bad.syd-2' on line 3`);
  const tdir = additions("default", { "1.toml": 'version = 1\n[core.sandbox]\nwrite = "sometimes"\n' });
  expect(() => loadConfig({ sources: [c("@default")], siteDir: site })).toThrow(`${tdir}/1.toml:3:1: core.sandbox.write`);
});
