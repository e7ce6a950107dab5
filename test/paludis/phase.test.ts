/**
 * The Done-when of issue #18: a phase calling every esandbox subcommand runs
 * under `dist/sydbox --profile paludis`, as Paludis runs it, as root and as an
 * unprivileged user, and every call takes effect on the file system:
 *
 * - with Paludis's protocol as it ships (test/paludis/stock/sydbox.bash, our
 *   stand-in written from ../shared/reference/PALUDIS.md: API 1 detected with
 *   [[ -e /dev/sydbox/1 ]], SydBox 1 key names, `sydfmt exec`);
 * - with profiles/sydbox.bash installed in a second directory named by
 *   PALUDIS_EXTRA_EBUILD_MODULES_DIRS, found before Paludis's own directory.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  DIST, IS_ROOT, ROOT, asUser, labels, ownedDir, programs, reports, runArgv, sydfmtDir, testDir, unixsock,
} from "./lib";

const HERE = join(ROOT, "test", "paludis");
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** What each labelled check of phase.bash prints, whichever module speaks the protocol. */
const EXPECTED: Record<string, string> = {
  detect: "api1", check: "0",
  enabled: "0", enabled_path: "0", "write-denied": "1",
  allow: "0", "allow-mkdir": "0", "allow-write": "0", disallow: "0", "disallow-write": "1",
  allow_path: "0", "allow_path-write": "0", disallow_path: "0", "disallow_path-write": "1",
  allow_mkdir: "0", "allow_mkdir-write": "0", disallow_mkdir: "0",
  disable: "0", "disable-write": "0", "enabled-off": "1", enable: "0", "enable-write": "1",
  disable_path: "0", "disable_path-write": "0", enable_path: "0", "enable_path-write": "1",
  disable_write: "0", "disable_write-write": "0", enable_write: "0", enabled_write: "0",
  enabled_read: "1", enabled_stat: "1", enable_read: "0", disable_read: "0", enable_stat: "0", disable_stat: "0",
  allow_read: "0", deny_read: "0", allow_stat: "0", deny_write: "0", deny_net: "0",
  addfilter: "0", "addfilter-write": "1", rmfilter: "0", "rmfilter-write": "1",
  addfilter_path: "0", "addfilter_path-write": "1", rmfilter_path: "0", "rmfilter_path-write": "1",
  "enabled_exec-off": "1", enable_exec: "0", enabled_exec: "0", "exec-denied": "126",
  allow_exec: "0", "allow_exec-run": "0", disallow_exec: "0", "disallow_exec-run": "126",
  addfilter_exec: "0", "addfilter_exec-run": "126", rmfilter_exec: "0", "rmfilter_exec-run": "126",
  disable_exec: "0", "disable_exec-run": "0",
  enabled_net: "0", "connect-denied": "ECONNREFUSED",
  "allow_net-connect": "0", "allow_net-connect-run": "ok", "disallow_net-connect": "0", "disallow_net-connect-run": "ECONNREFUSED",
  "allow_net-sendfd": "0", "allow_net-sendfd-run": "ok", "disallow_net-sendfd": "0", "disallow_net-sendfd-run": "ECONNREFUSED",
  "allow_net-bind": "0", "allow_net-bind-run": "ok", "disallow_net-bind": "0", "disallow_net-bind-run": "EADDRNOTAVAIL",
  addfilter_net: "0", "addfilter_net-run": "ECONNREFUSED", rmfilter_net: "0", "rmfilter_net-run": "ECONNREFUSED",
  disable_net: "0", "disable_net-run": "ok", "enabled_net-off": "1", enable_net: "0", "enable_net-run": "ECONNREFUSED",
  exec: "0", "exec-false": "1", kill: "0", "kill-run": "137", resume: "0", "resume-run": "0", "resumed-not-here": "1",
  hack_toolong: "1", nohack_toolong: "1",
  sydboxcheck: "0", addwrite: "0", "addwrite-write": "0", rmwrite: "0", "rmwrite-write": "1",
  "legacy-addfilter": "0", "legacy-addfilter-write": "1", "legacy-rmfilter": "0",
  sydboxcmd: "1", addread: "1", adddeny: "1", addpredict: "1", rmpredict: "1",
  wait_eldest: "0", wait_all: "0",
  exec_lock: "0", "exec_lock-child": "1", "exec_lock-self": "0", lock: "0", "locked-check": "1", "locked-allow": "1",
};

/** Runs phase.bash under dist/sydbox --profile paludis with `module` found first; checks output and file system. */
async function phase(name: string, asNobody: boolean, module: "stock" | "ours") {
  const dir = testDir(name);
  dirs.push(dir);
  const F = ownedDir(join(dir, "forbidden"), asNobody);
  const BD = ownedDir(join(dir, "binds"), asNobody);
  const BIN = programs(dir, join(F, "free"));
  // Paludis's own directory holds its sydbox.bash; ours sits in a second directory, searched first.
  const paludisDir = join(dir, "paludis-ebuild");
  mkdirSync(paludisDir, { mode: 0o755 });
  copyFileSync(join(HERE, "stock", "sydbox.bash"), join(paludisDir, "sydbox.bash"));
  const extra = join(dir, "sydbox-modules");
  mkdirSync(extra, { mode: 0o755 });
  if (module === "ours") copyFileSync(join(ROOT, "profiles", "sydbox.bash"), join(extra, "sydbox.bash"));
  for (const f of ["ebuild-lite.bash", "phase.bash"]) { copyFileSync(join(HERE, f), join(dir, f)); chmodSync(join(dir, f), 0o644); }
  const US = join(dir, "unixsock");
  copyFileSync(unixsock(), US);
  chmodSync(US, 0o755);
  const [SOCK, SOCK2] = [join(dir, "listening.sock"), join(dir, "filtered.sock")];
  const servers = [SOCK, SOCK2].map((unix) => Bun.listen({ unix, socket: { data() {}, open(s) { s.end(); } } }));
  for (const s of [SOCK, SOCK2]) chmodSync(s, 0o777);
  try {
    const env = {
      PATH: `${sydfmtDir(dir)}:/usr/local/bin:/usr/bin:/bin`, F, BD, BIN, SOCK, SOCK2, US,
      EBUILD_MODULES_DIR: paludisDir, PALUDIS_EXTRA_EBUILD_MODULES_DIRS: extra,
    };
    const r = await runArgv([...asUser(asNobody), DIST, "--profile", "paludis", "--", "/bin/bash", join(dir, "ebuild-lite.bash"), join(dir, "phase.bash")], env);
    const got = labels(r.stdout);
    // The module Paludis's lookup found, and the API its `esandbox api` names.
    expect(got.get("module")).toBe(join(module === "ours" ? extra : paludisDir, "sydbox.bash"));
    expect(got.get("api")).toBe(module === "ours" ? "2" : "1");
    for (const [label, value] of Object.entries(EXPECTED)) expect([label, got.get(label)]).toEqual([label, value]);
    expect(r.stdout).toContain("phase-done");
    expect(r.status).toBe(0);

    // On the file system: what was allowed exists, what was denied does not.
    for (const p of ["d1/f", "d2", "d3", "off1", "off2", "off3", "outside", "free", "l1", "late/daemon"]) expect([p, existsSync(join(F, p))]).toEqual([p, true]);
    for (const p of ["denied", "d1/g", "d2b", "on1", "on2", "q1", "q2", "not-free", "l1b", "l2", "d9"]) expect([p, existsSync(join(F, p))]).toEqual([p, false]);
    expect(readFileSync(join(F, "late", "daemon"), "utf8")).toBe("late\n"); // wait_all: the daemon was waited for
    expect(existsSync(join(BD, "s1"))).toBe(true);
    expect(existsSync(join(BD, "s2"))).toBe(false);

    // Filters silence a report; without them each denial is reported (the first 3 of a kind: report/throttle.ts).
    expect(reports(r.stderr, `openat(\`${F}/q1')`)).toBe(1);
    expect(reports(r.stderr, `openat(\`${F}/q2')`)).toBe(1);
    expect(reports(r.stderr, `openat(\`${F}/l2')`)).toBe(0);
    expect(reports(r.stderr, `execve(\`${BIN}/killme')`)).toBe(1);
    expect(reports(r.stderr, `execve(\`${BIN}/prog')`)).toBe(2);
    expect(reports(r.stderr, `connect(unix:${SOCK})`)).toBe(3); // connect-denied, the two disallows (enable_net's is the 4th)
    expect(reports(r.stderr, `connect(unix:${SOCK2})`)).toBe(1); // rmfilter_net's, not addfilter_net's
    expect(r.stderr).toContain("hack_toolong is not implemented");
  } finally {
    for (const s of servers) s.stop(true);
  }
}

describe("a Paludis phase speaking API 1, as Paludis's own sydbox.bash does", () => {
  test("as root", () => phase("stock-root", false, "stock"), 60000);
  test.skipIf(!IS_ROOT)("as an unprivileged user (skipped: needs root to switch users)", () => phase("stock-nobody", true, "stock"), 60000);
});

describe("profiles/sydbox.bash, found through PALUDIS_EXTRA_EBUILD_MODULES_DIRS", () => {
  test("as root", () => phase("ours-root", false, "ours"), 60000);
  test.skipIf(!IS_ROOT)("as an unprivileged user (skipped: needs root to switch users)", () => phase("ours-nobody", true, "ours"), 60000);
});
