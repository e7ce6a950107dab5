/**
 * The magic stat against real sandboxed processes: every key of the schema,
 * queries and errors (exit status through bash's `test -e`, the exact errno
 * through a raw-syscall helper), the fake device for each stat syscall,
 * runtime allowlists, inheritance at fork, the magic lock and cmd/exec.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { SCHEMA, UNSUPPORTED_KEYS, type KeyDef } from "../../src/config/schema";
import { sydbox, withTempDir } from "../lib/sydbox";
import { bash, magicstat, q } from "./lib";

const ENOENT = 2, EINVAL = 22, ENOTSUP = 95;
const DENY = ["-m", "core/sandbox/write:deny"];

/** One magic stat and what it must answer: "ok" or an errno. */
type Case = [path: string, want: "ok" | number];

/**
 * Cases for every key of the schema, derived from SydBox 2's rules for its type
 * (not from our implementation): valid values succeed, bad values and
 * operators the key does not take are EINVAL, a false query is ENOENT.
 * magic_lock is left out (it would lock the rest); it has its own tests.
 */
function schemaCases(): Case[] {
  const out: Case[] = [];
  const m = (cmd: string, want: "ok" | number) => out.push(["/dev/sydbox/" + cmd, want]);
  for (const def of SCHEMA as readonly KeyDef[]) {
    const k = def.key;
    if (k === "core/trace/magic_lock") { m(`${k}:off`, "ok"); m(`${k}:sideways`, EINVAL); m(`${k}?`, EINVAL); continue; }
    for (const op of [":", "?", "+", "-", "!"]) if (!def.ops.includes(op as never)) m(`${k}${op}${op === "?" ? "" : "x"}`, EINVAL);
    const query = def.ops.includes("?");
    switch (def.type) {
      case "enum":
        for (const v of def.values!) {
          m(`${k}:${v}`, "ok");
          const off = (k.startsWith("core/sandbox/") && v === "off") || (k === "core/trace/interrupt" && v === "never");
          if (query) m(`${k}?`, off ? ENOENT : "ok");
        }
        m(`${k}:nonsense`, EINVAL);
        m(`${k}:`, EINVAL);
        break;
      case "bool":
        for (const [v, truth] of [["1", true], ["0", false], ["t", true], ["F", false], ["TRUE", true], ["false", false]] as const) {
          m(`${k}:${v}`, "ok");
          if (query) m(`${k}?`, truth ? "ok" : ENOENT);
        }
        m(`${k}:maybe`, EINVAL);
        break;
      case "int": {
        const [lo, hi] = def.range!;
        for (const v of [lo, hi]) { m(`${k}:${v}`, "ok"); if (query) m(`${k}?`, v > 0 ? "ok" : ENOENT); }
        m(`${k}:${hi + 1}`, EINVAL);
        m(`${k}:1x`, EINVAL);
        break;
      }
      case "list": {
        const v = def.entry === "address" ? "inet:127.0.0.1@80" : "/tmp/sydbox-magic-test/***";
        m(`${k}+${v}`, "ok");
        m(`${k}-${v}`, "ok");
        m(`${k}+`, EINVAL);
        break;
      }
      case "command":
        m(`${k}!true`, "ok");
        m(`${k}!false`, 1);
        m(`${k}!`, EINVAL);
        break;
    }
  }
  for (const k of UNSUPPORTED_KEYS) m(`${k}:1`, ENOTSUP);
  m("core/sandbox", EINVAL); // a section, not a key
  m("nosuch/key:1", EINVAL);
  m("core/sandbox/write", EINVAL); // no operator
  m("core/sandbox/write=deny", EINVAL);
  // Put things back the way later cases in the same process expect.
  m("core/sandbox/write:deny", "ok");
  return out;
}

describe("magic stat", () => {
  test("bare forms, API detection and non-magic paths, for each stat syscall, with the fake device", async () => {
    const ms = magicstat();
    const paths = ["/dev/sydbox", "/dev/sydbox/2", "/dev/sydbox/1", "/dev/sydbox/3", "/dev/sydboxFOO", "/dev/sydbox/", "dev/sydbox", "/dev/sydbox/core/sandbox/write?"];
    const script = ["stat", "lstat", "fstatat", "statx"].map((k) => `${ms} ${k} ${paths.map(q).join(" ")}`).join("; ");
    const r = await bash(DENY, script);
    expect(r.status).toBe(0);
    // "/dev/sydbox/" is the empty command below /dev/sydbox: ok, like the bare form.
    // /dev/sydbox/1 succeeds too: Paludis's own sydbox.bash detects API 1 with it (issue #18).
    const once = ["ok 20666 1:3", "ok 20666 1:3", "ok 20666 1:3", `err ${EINVAL}`, `err ${ENOENT}`, "ok 20666 1:3", `err ${ENOENT}`, "ok 20666 1:3"];
    expect(r.stdout.trim().split("\n")).toEqual([...once, ...once, ...once, ...once]);
  });

  test("every key of the schema: exact errno per command, and test -e's exit status agrees", async () => {
    const cases = schemaCases();
    const keys = new Set(cases.map(([p]) => p.slice("/dev/sydbox/".length).match(/^[A-Za-z0-9_/]*/)![0]));
    for (const def of SCHEMA) expect(keys.has(def.key)).toBe(true);
    const ms = magicstat();
    const r1 = await bash(DENY, `${ms} stat ${cases.map(([p]) => q(p)).join(" ")}`);
    const got = r1.stdout.trim().split("\n");
    const lines = cases.map(([p, want]) => `${p} => ${want === "ok" ? "ok" : `err ${want}`}`);
    expect(cases.map(([p], i) => `${p} => ${got[i]?.startsWith("ok") ? "ok" : got[i]}`)).toEqual(lines);

    const r2 = await bash(DENY, cases.map(([p]) => `test -e ${q(p)}; echo $?`).join("\n"));
    expect(r2.stdout.trim().split("\n")).toEqual(cases.map(([, want]) => (want === "ok" ? "0" : "1")));
  }, 60000);

  test("a runtime allowlist lets the next write through; removing it denies again", () => withTempDir("sydbox-magic-", async (d) => {
    const r = await bash(DENY, `
      echo 1 > ${d}/a || echo denied-before
      test -e /dev/sydbox/allowlist/write+${d}/*** || echo magic-failed
      echo 2 > ${d}/a && echo allowed
      test -e /dev/sydbox/allowlist/write-${d}/*** || echo magic-failed
      echo 3 > ${d}/b || echo denied-after
      true`);
    expect(r.stdout.split("\n").filter(Boolean)).toEqual(["denied-before", "allowed", "denied-after"]);
    expect(readFileSync(join(d, "a"), "utf8")).toBe("2\n");
    expect(existsSync(join(d, "b"))).toBe(false);
  }));

  test("state is per process: children forked after a change inherit it, children forked before do not, and a child's change stays in the child", () => withTempDir("sydbox-magic-", async (d) => {
    const r = await bash(DENY, `
      # Forked before the change; its first write comes after it.
      ( sleep 0.5; echo x > ${d}/before 2>/dev/null || echo before-denied ) &
      test -e /dev/sydbox/allowlist/write+${d}/***
      ( echo x > ${d}/subshell && echo subshell-allowed )
      /bin/bash -c 'echo x > ${d}/exec && echo exec-allowed; /bin/bash -c "echo x > ${d}/grandchild && echo grandchild-allowed"'
      # A child removes the entry for itself only.
      /bin/bash -c 'test -e /dev/sydbox/allowlist/write-${d}/*** && { echo x > ${d}/child-removed || echo child-denied; }'
      echo x > ${d}/parent && echo parent-still-allowed
      wait`);
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual(
      ["before-denied", "child-denied", "exec-allowed", "grandchild-allowed", "parent-still-allowed", "subshell-allowed"]);
    expect(existsSync(join(d, "before"))).toBe(false);
  }));

  test("threads share their process's state", () => withTempDir("sydbox-magic-", async (d) => {
    const py = `
import os, threading
def allow(): os.stat("/dev/sydbox/allowlist/write+${d}/***")
t = threading.Thread(target=allow); t.start(); t.join()
open("${d}/from-main", "w").write("x")
print("main-allowed")`;
    const r = await bash(DENY, `/usr/bin/python3 -c ${q(py)}`);
    expect(r.stdout.trim()).toBe("main-allowed");
  }));

  test("magic lock on: at start, and at run time (for the caller and its later children)", async () => {
    const ms = magicstat();
    const r1 = await bash(["-m", "core/sandbox/write:deny", "-m", "core/trace/magic_lock:on"], `${ms} stat /dev/sydbox /dev/sydbox/2; test -e /dev/sydbox || echo locked`);
    expect(r1.stdout.trim().split("\n")).toEqual([`err ${ENOENT}`, `err ${ENOENT}`, "locked"]);
    const r2 = await bash(DENY, `
      test -e /dev/sydbox && echo open
      /bin/bash -c 'test -e /dev/sydbox/core/trace/magic_lock:on; test -e /dev/sydbox || echo child-locked; /bin/bash -c "test -e /dev/sydbox || echo grandchild-locked"'
      test -e /dev/sydbox && echo parent-open
      test -e /dev/sydbox/core/trace/magic_lock:on
      ${ms} stat /dev/sydbox /dev/sydbox/core/trace/magic_lock:off
      test -e /dev/sydbox || echo parent-locked`);
    expect(r2.stdout.trim().split("\n")).toEqual(["open", "child-locked", "grandchild-locked", "parent-open", `err ${ENOENT}`, `err ${ENOENT}`, "parent-locked"]);
  });

  test("magic lock exec: on once the process execs, not before (forks keep it open); the command's own start does not count", async () => {
    const run = `
      test -e /dev/sydbox && echo open
      ( test -e /dev/sydbox && echo subshell-open )
      /bin/bash -c 'test -e /dev/sydbox || echo exec-locked'
      test -e /dev/sydbox && echo still-open`;
    const r1 = await bash([...DENY, "-m", "core/trace/magic_lock:exec"], run);
    expect(r1.stdout.trim().split("\n")).toEqual(["open", "subshell-open", "exec-locked", "still-open"]);
    const r2 = await bash(DENY, `test -e /dev/sydbox/core/trace/magic_lock:exec || echo failed\n${run}`);
    expect(r2.stdout.trim().split("\n")).toEqual(["open", "subshell-open", "exec-locked", "still-open"]);
  });

  test("cmd/exec runs outside the sandbox with the caller's cwd and environment; its exit status is the errno", () => withTempDir("sydbox-magic-", async (d) => {
    const ms = magicstat();
    const US = "\x1f";
    const cmd = (...argv: string[]) => q("/dev/sydbox/cmd/exec!" + argv.join(US));
    const r = await bash(DENY, `
      cd ${d}
      # /proc/PID/environ is the environment the caller was exec'd with.
      MAGIC_VAR='hello world' /bin/bash -c ${q(`test -e ${cmd("/bin/sh", "-c", 'echo "$MAGIC_VAR" "$PWD" > out')} && echo ran`)}
      echo x > ${d}/inside 2>/dev/null || echo inside-denied
      ${ms} stat ${cmd("/bin/sh", "-c", "exit 7")} ${cmd("/bin/false")} ${cmd("/nonexistent/prog")} ${cmd("/bin/true")}
      test -e ${cmd("/bin/sh", "-c", "exit 3")} || echo failed-as-expected`);
    expect(r.stdout.trim().split("\n")).toEqual(["ran", "inside-denied", "err 7", "err 1", "err 127", "ok 20666 1:3", "failed-as-expected"]);
    expect(readFileSync(join(d, "out"), "utf8")).toBe(`hello world ${d}\n`);
  }));

  test("sydbox fmt exec prints the cmd/exec magic path", () => withTempDir("sydbox-magic-", async (d) => {
    const r = await sydbox(["fmt", "exec", "--", "printf", "%s\\n", "a b", "é"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("/dev/sydbox/cmd/exec!printf\x1f%s\\n\x1fa b\x1fé\n");
    const r2 = await bash(DENY, `test -e ${q(r.stdout.trim().replace("printf", "/usr/bin/touch").replace("%s\\n\x1fa b\x1fé", join(d, "made")))} && echo ok`);
    expect(r2.stdout.trim()).toBe("ok");
    expect(existsSync(join(d, "made"))).toBe(true);
  }));
});
