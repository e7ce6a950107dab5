/**
 * profiles/sydbox.bash sourced the way an exheres phase uses it: every esandbox
 * subcommand and legacy helper, with its effect checked on real calls where the
 * effect is observable, and a Paludis-like install phase under --profile paludis.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT, withTempDir } from "../lib/sydbox";
import { bash, WRAPPER } from "./lib";

// As in the paludis profile: `esandbox allow DIR` allows what is below DIR, and /dev/null is writable.
const DENY = ["-m", "core/sandbox/write:deny", "-m", "core/match/no_wildcard:prefix", "-m", "allowlist/write+/dev/null"];
/** Runs each line and prints `LINE => STATUS`. */
const lines = (...ls: string[]) => ls.map((l) => `${l}; echo "${l.replace(/["$`\\]/g, "\\$&")} => $?"`).join("\n");
const results = (out: string) => out.split("\n").filter((l) => l.includes(" => "));

describe("esandbox (profiles/sydbox.bash)", () => {
  test("check, api, enable/disable/enabled for write, exec and net, allow/disallow with their effect", () => withTempDir("sydbox-esandbox-", async (d) => {
    const r = await bash([...DENY, "-m", "core/sandbox/network:deny"], `source ${WRAPPER}
${lines(
      "esandbox check",
      "esandbox api",
      "esandbox enabled",
      `echo x > ${d}/a`,
      `esandbox allow ${d}`,
      `echo x > ${d}/a`,
      `esandbox disallow ${d}`,
      `echo x > ${d}/b`,
      "esandbox disable",
      "esandbox enabled",
      `echo x > ${d}/c`,
      "esandbox enable",
      "esandbox enabled",
      `echo x > ${d}/d`,
      "esandbox enabled_exec",
      "esandbox enable_exec",
      "esandbox enabled_exec",
      "esandbox disable_exec",
      "esandbox enabled_exec",
      "esandbox enabled_net",
      "esandbox disable_net",
      "esandbox enabled_net",
      "esandbox enable_net",
      "esandbox enabled_net",
    )}`);
    expect(results(r.stdout)).toEqual([
      "esandbox check => 0", "2", "esandbox api => 0", "esandbox enabled => 0",
      `echo x > ${d}/a => 1`, `esandbox allow ${d} => 0`, `echo x > ${d}/a => 0`, `esandbox disallow ${d} => 0`, `echo x > ${d}/b => 1`,
      "esandbox disable => 0", "esandbox enabled => 1", `echo x > ${d}/c => 0`,
      "esandbox enable => 0", "esandbox enabled => 0", `echo x > ${d}/d => 1`,
      "esandbox enabled_exec => 1", "esandbox enable_exec => 0", "esandbox enabled_exec => 0", "esandbox disable_exec => 0", "esandbox enabled_exec => 1",
      "esandbox enabled_net => 0", "esandbox disable_net => 0", "esandbox enabled_net => 1", "esandbox enable_net => 0", "esandbox enabled_net => 0",
    ].flatMap((l) => (l === "2" ? [] : [l])));
    expect(r.stdout.split("\n")).toContain("2");
    expect(existsSync(join(d, "a")) && existsSync(join(d, "c"))).toBe(true);
    expect(existsSync(join(d, "b")) || existsSync(join(d, "d"))).toBe(false);
  }));

  test("allow_exec/disallow_exec decide execs once exec sandboxing is enabled", async () => {
    const r = await bash(DENY, `source ${WRAPPER}
${lines(
      "esandbox enable_exec",
      "esandbox allow_exec '/usr/***' '/bin/***'",
      "/usr/bin/true",
      "esandbox disallow_exec '/usr/***'",
      "esandbox disallow_exec '/bin/***'",
      "/usr/bin/true 2>/dev/null",
      "esandbox disable_exec",
      "/usr/bin/true",
    )}`);
    expect(results(r.stdout)).toEqual([
      "esandbox enable_exec => 0", "esandbox allow_exec '/usr/***' '/bin/***' => 0", "/usr/bin/true => 0",
      "esandbox disallow_exec '/usr/***' => 0", "esandbox disallow_exec '/bin/***' => 0", "/usr/bin/true 2>/dev/null => 126",
      "esandbox disable_exec => 0", "/usr/bin/true => 0",
    ]);
  });

  test("allow_net --connect lets a connect through; disallow_net takes it back; bind form and bad addresses", async () => {
    const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {}, open(s) { s.end(); } } });
    const port = server.port;
    const conn = `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null`;
    const r = await bash([...DENY, "-m", "core/sandbox/network:deny"], `source ${WRAPPER}
${lines(
      conn,
      `esandbox allow_net --connect inet:127.0.0.1@${port}`,
      conn,
      `esandbox disallow_net --connect inet:127.0.0.1@${port}`,
      conn,
      "esandbox allow_net inet:127.0.0.1@4242 LOOPBACK6@0",
      "esandbox disallow_net inet:127.0.0.1@4242",
      "esandbox allow_net inet:not-an-address",
      "esandbox addfilter_net inet:127.0.0.1@1-1024",
      "esandbox rmfilter_net inet:127.0.0.1@1-1024",
      "esandbox addfilter_net bogus",
    )}`);
    server.stop(true);
    expect(results(r.stdout)).toEqual([
      `${conn} => 1`, `esandbox allow_net --connect inet:127.0.0.1@${port} => 0`, `${conn} => 0`,
      `esandbox disallow_net --connect inet:127.0.0.1@${port} => 0`, `${conn} => 1`,
      "esandbox allow_net inet:127.0.0.1@4242 LOOPBACK6@0 => 0", "esandbox disallow_net inet:127.0.0.1@4242 => 0",
      "esandbox allow_net inet:not-an-address => 1",
      "esandbox addfilter_net inet:127.0.0.1@1-1024 => 0", "esandbox rmfilter_net inet:127.0.0.1@1-1024 => 0", "esandbox addfilter_net bogus => 1",
    ]);
  });

  test("addfilter silences a violation report, rmfilter brings it back; the _exec filters, kill and resume take patterns", () => withTempDir("sydbox-esandbox-", async (d) => {
    const r = await bash(DENY, `source ${WRAPPER}
${lines(
      `esandbox addfilter ${d}/quiet`,
      `echo x > ${d}/quiet 2>/dev/null`,
      `esandbox rmfilter ${d}/quiet`,
      `echo x > ${d}/loud 2>/dev/null`,
      "esandbox addfilter_exec '/usr/bin/*'",
      "esandbox rmfilter_exec '/usr/bin/*'",
      "esandbox kill /nonexistent/evil",
      "esandbox resume /nonexistent/fine",
    )}`);
    expect(results(r.stdout)).toEqual([
      `esandbox addfilter ${d}/quiet => 0`, `echo x > ${d}/quiet 2>/dev/null => 1`, `esandbox rmfilter ${d}/quiet => 0`,
      `echo x > ${d}/loud 2>/dev/null => 1`,
      "esandbox addfilter_exec '/usr/bin/*' => 0", "esandbox rmfilter_exec '/usr/bin/*' => 0",
      "esandbox kill /nonexistent/evil => 0", "esandbox resume /nonexistent/fine => 0",
    ]);
    // The reports' cmdline lines quote the whole script: look for the call lines.
    expect(r.stderr).toContain(`openat(\`${d}/loud')`);
    expect(r.stderr).not.toContain(`openat(\`${d}/quiet')`);
  }));

  test("exec runs a command outside the sandbox, its status decides", () => withTempDir("sydbox-esandbox-", async (d) => {
    const r = await bash(DENY, `source ${WRAPPER}
${lines(
      `esandbox exec /usr/bin/touch ${d}/made-outside`,
      "esandbox exec /bin/sh -c 'exit 4'",
      "esandbox exec",
    )}`);
    expect(results(r.stdout)).toEqual([
      `esandbox exec /usr/bin/touch ${d}/made-outside => 0`, "esandbox exec /bin/sh -c 'exit 4' => 1", "esandbox exec => 2",
    ]);
    expect(existsSync(join(d, "made-outside"))).toBe(true);
  }));

  test("lock and exec_lock; check is false once locked", async () => {
    const r = await bash(DENY, `source ${WRAPPER}
( ${lines("esandbox exec_lock", "esandbox check", `/bin/bash -c 'source ${WRAPPER}; esandbox check'`, "esandbox check")} )
${lines("esandbox lock", "esandbox check", "esandbox allow /tmp", "esandbox enabled")}`);
    expect(results(r.stdout)).toEqual([
      "esandbox exec_lock => 0", "esandbox check => 0", `/bin/bash -c 'source ${WRAPPER}; esandbox check' => 1`, "esandbox check => 0",
      "esandbox lock => 0", "esandbox check => 1", "esandbox allow /tmp => 1", "esandbox enabled => 1",
    ]);
  });

  test("relative paths: a message naming the subcommand, status 2, or Paludis's die", async () => {
    const subs = ["allow", "disallow", "allow_exec", "disallow_exec", "addfilter", "rmfilter", "addfilter_exec", "rmfilter_exec", "kill", "resume"];
    const r = await bash(DENY, `source ${WRAPPER}\n${lines(...subs.map((s) => `esandbox ${s} relative/path`), "addwrite rel", "esandbox frobnicate", "esandbox")}`);
    expect(results(r.stdout)).toEqual([...subs.map((s) => `esandbox ${s} relative/path => 2`), "addwrite rel => 2", "esandbox frobnicate => 2", "esandbox => 2"]);
    for (const s of subs) expect(r.stderr).toContain(`esandbox ${s}: \`relative/path' is not an absolute path`);
    expect(r.stderr).toContain("esandbox: unknown subcommand `frobnicate'");
    const r2 = await bash(DENY, `source ${WRAPPER}; die() { echo "DIE: $*" >&2; exit 9; }; esandbox allow foo; echo not-reached`);
    expect(r2.status).toBe(9);
    expect(r2.stdout).not.toContain("not-reached");
    expect(r2.stderr).toContain("DIE: esandbox allow: `foo' is not an absolute path");
  });

  test("legacy helpers: sydboxcheck, addwrite, rmwrite, addfilter, rmfilter", () => withTempDir("sydbox-esandbox-", async (d) => {
    const r = await bash(DENY, `source ${WRAPPER}
${lines("sydboxcheck", `addwrite ${d}`, `echo x > ${d}/a`, `rmwrite ${d}`, `echo x > ${d}/b 2>/dev/null`, `addfilter ${d}/f`, `echo x > ${d}/f 2>/dev/null`, `rmfilter ${d}/f`)}`);
    expect(results(r.stdout)).toEqual([
      "sydboxcheck => 0", `addwrite ${d} => 0`, `echo x > ${d}/a => 0`, `rmwrite ${d} => 0`, `echo x > ${d}/b 2>/dev/null => 1`,
      `addfilter ${d}/f => 0`, `echo x > ${d}/f 2>/dev/null => 1`, `rmfilter ${d}/f => 0`,
    ]);
    expect(r.stderr).toContain(`openat(\`${d}/b')`);
    expect(r.stderr).not.toContain(`openat(\`${d}/f')`);
  }));

  test("outside sydbox, check is false and the others fail", () => {
    const r = Bun.spawnSync(["/bin/bash", "-c", `source ${WRAPPER}; esandbox check; echo $?; esandbox allow /tmp; echo $?; esandbox api`]);
    expect(r.stdout.toString().trim().split("\n")).toEqual(["1", "1", "2"]);
  });
});

describe("a Paludis-like phase under --profile paludis", () => {
  // Outside /tmp: the paludis profile allows /tmp/*** already.
  // The phase's dirs must lie outside everything the paludis profile allows
  // (/tmp, /var/tmp, /var/cache, /dev/shm), wherever the checkout is.
  const allowed = /^\/(tmp|var\/tmp|var\/cache|dev\/shm)(\/|$)/;
  const base = [join(ROOT, "test", ".build"), join(process.env.HOME ?? "/root", ".cache", "sydbox-tests"), "/var/lib/sydbox-tests"]
    .map((d) => join(d, `paludis-${process.pid}`)).find((d) => !allowed.test(d))!;
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  test("src_install allows its image at run time, installs into it, and is denied /usr", async () => {
    mkdirSync(join(base, "work"), { recursive: true });
    const image = join(base, "image");
    const victim = `/usr/sydbox-test-${process.pid}`;
    const phase = `
set -u
source ${WRAPPER}
die() { echo "!!! ERROR: $*" >&2; exit 1; }
IMAGE=${image}
WORK=${join(base, "work")}
esandbox check || die "not running under sydbox"
[[ $(esandbox api) == 2 ]] || die "sydbox API mismatch"
src_compile() { printf '#!/bin/sh\\necho hello\\n' > "$WORK/hello" 2>/dev/null && echo compile-allowed || echo compile-denied; }
src_install() {
    mkdir -p "$IMAGE" 2>/dev/null && echo image-allowed-early || echo image-denied-early
    esandbox allow "$IMAGE" || die "esandbox allow failed"
    install -d "$IMAGE/usr/bin" || die "install -d failed"
    install -m 0755 /bin/true "$IMAGE/usr/bin/hello" || die "install failed"
    echo "hello 1.0" > "$IMAGE/usr/bin/VERSION" || die "write failed"
    esandbox disallow "$IMAGE"
}
pkg_oops() { echo bad > ${victim} 2>/dev/null && echo usr-written || echo usr-denied; }
src_compile
src_install
pkg_oops
echo phase-done`;
    const r = await bash(["--profile", "paludis"], phase);
    const written = existsSync(victim);
    if (written) rmSync(victim);
    expect(written).toBe(false);
    expect(r.stdout.trim().split("\n")).toEqual(["compile-denied", "image-denied-early", "usr-denied", "phase-done"]);
    expect(r.status).toBe(0);
    expect(readFileSync(join(image, "usr", "bin", "VERSION"), "utf8")).toBe("hello 1.0\n");
    expect(existsSync(join(image, "usr", "bin", "hello"))).toBe(true);
    expect(r.stderr).toContain(`sydbox: openat(\`${victim}')`); // the violation report names the path
    expect(r.stderr).toContain("Access Violation");
  });
});
