/**
 * Issue #4, part 3: patterns and violation settings end to end, through real
 * sandboxed processes: last match wins, no_wildcard, case_sensitive, filter/,
 * raise_fail, raise_safe, decision kill/killall, exit_code, exec/kill_if_match,
 * and the unchecked initial exec.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callLine, q, reported, results, runCalls, runSh, SYSC, sydboxRaw, violations } from "./lib";

const T = mkdtempSync(join(tmpdir(), "sydbox-patterns-"));
afterAll(() => rmSync(T, { recursive: true, force: true }));
const W = ["-m", "core/sandbox/write:deny"];
const creat = (label: string, path: string) => ({ label, args: ["open", path, "O_WRONLY|O_CREAT", "0644"] });
let n = 0;
/** A fresh directory for one test. */
function dir(...subs: string[]): string {
  const d = join(T, `t${n++}`);
  for (const s of ["", ...subs]) mkdirSync(join(d, s), { recursive: true });
  return d;
}

describe("last match wins", () => {
  test("allowlist/write+/t/*** then denylist/write+/t/secret/***: /t/x allowed, /t/secret/x denied and reported", async () => {
    const t = dir("secret");
    const r = await runCalls([...W, "-m", `allowlist/write+${t}/***`, "-m", `denylist/write+${t}/secret/***`], [creat("x", `${t}/x`), creat("s", `${t}/secret/x`)]);
    expect(r.results.get("x")).toBe("ok");
    expect(r.results.get("s")).toBe("EPERM");
    expect(violations(r.stderr)).toEqual([`open(\`${t}/secret/x')`]);
    expect(existsSync(`${t}/secret/x`)).toBe(false);
  });
  test("the reverse order (denylist first, allowlist after) allows /t/secret/x again", async () => {
    const t = dir("secret");
    const r = await runCalls([...W, "-m", `denylist/write+${t}/secret/***`, "-m", `allowlist/write+${t}/***`], [creat("s", `${t}/secret/x`)]);
    expect(r.results.get("s")).toBe("ok");
    expect(violations(r.stderr)).toEqual([]);
  });
  test("a denylist entry removed with `-` no longer matches", async () => {
    const t = dir("secret");
    const r = await runCalls([...W, "-m", `allowlist/write+${t}/***`, "-m", `denylist/write+${t}/secret/***`, "-m", `denylist/write-${t}/secret/***`], [creat("s", `${t}/secret/x`)]);
    expect(r.results.get("s")).toBe("ok");
  });
});

describe("core/match/no_wildcard", () => {
  test("prefix: a pattern without wildcards allows the directory and everything below it, not a sibling with the same prefix", async () => {
    const t = dir("d/sub", "dx");
    const r = await runCalls([...W, "-m", "core/match/no_wildcard:prefix", "-m", `allowlist/write+${t}/d`], [creat("below", `${t}/d/sub/x`), creat("sibling", `${t}/dx/x`), { label: "itself", args: ["chmod", `${t}/d`, "0700"] }]);
    expect(r.results.get("below")).toBe("ok");
    expect(r.results.get("itself")).toBe("ok");
    expect(r.results.get("sibling")).toBe("EPERM");
  });
  test("literal (the default): the same pattern matches only the directory itself", async () => {
    const t = dir("d/sub");
    const r = await runCalls([...W, "-m", `allowlist/write+${t}/d`], [creat("below", `${t}/d/sub/x`), { label: "itself", args: ["chmod", `${t}/d`, "0700"] }]);
    expect(r.results.get("below")).toBe("EPERM");
    expect(r.results.get("itself")).toBe("ok");
  });
});

describe("core/match/case_sensitive", () => {
  test("false: allowlist/write+/t/UPPER/*** allows /t/upper/x", async () => {
    const t = dir("upper");
    const r = await runCalls([...W, "-m", "core/match/case_sensitive:false", "-m", `allowlist/write+${t}/UPPER/***`], [creat("x", `${t}/upper/x`)]);
    expect(r.results.get("x")).toBe("ok");
  });
  test("true (the default): the same pattern does not match", async () => {
    const t = dir("upper");
    const r = await runCalls([...W, "-m", `allowlist/write+${t}/UPPER/***`], [creat("x", `${t}/upper/x`)]);
    expect(r.results.get("x")).toBe("EPERM");
  });
});

test("filter/write silences the report but still denies (and does not count for exit_code)", async () => {
  const t = dir("quiet", "loud");
  const r = await runCalls([...W, "-m", `filter/write+${t}/quiet/***`, "-m", "core/violation/exit_code:9"], [creat("quiet", `${t}/quiet/x`)]);
  expect(r.results.get("quiet")).toBe("EPERM");
  expect(existsSync(`${t}/quiet/x`)).toBe(false);
  expect(violations(r.stderr)).toEqual([]);
  expect(r.status).toBe(0);
  const r2 = await runCalls([...W, "-m", `filter/write+${t}/quiet/***`], [creat("loud", `${t}/loud/x`)]);
  expect(r2.results.get("loud")).toBe("EPERM");
  expect(violations(r2.stderr)).toEqual([`open(\`${t}/loud/x')`]);
});

describe("core/violation/raise_fail and raise_safe", () => {
  const calls = (t: string) => [
    creat("nodir", `${t}/missing-dir/x`),
    { label: "mkdir-existing", args: ["mkdir", `${t}/d`, "0755"] },
    { label: "unlink-missing", args: ["unlink", `${t}/nothing`] },
    { label: "access", args: ["access", `${t}/f`, "W_OK"] },
  ];
  const setup = () => { const t = dir("d"); writeFileSync(`${t}/f`, ""); return t; };
  test("defaults: a failed lookup goes to the kernel (ENOENT), safe denials are silent", async () => {
    const t = setup();
    const r = await runCalls(W, calls(t));
    expect([...r.results.values()]).toEqual(["ENOENT", "EEXIST", "ENOENT", "EACCES"]);
    expect(violations(r.stderr)).toEqual([]);
  });
  test("raise_fail:true: the failed lookup is reported (its errno unchanged)", async () => {
    const t = setup();
    const r = await runCalls([...W, "-m", "core/violation/raise_fail:true"], calls(t).slice(0, 1));
    expect(r.results.get("nodir")).toBe("ENOENT");
    expect(violations(r.stderr)).toEqual([`open(\`${t}/missing-dir/x')`]);
  });
  test("raise_safe:true: safe denials become reported violations, with the errno they would have had", async () => {
    const t = setup();
    const r = await runCalls([...W, "-m", "core/violation/raise_safe:true"], calls(t).slice(1));
    // SydBox 2.0.1's code and test suite: EEXIST for mkdir of an existing directory, not EPERM.
    expect([...r.results.values()]).toEqual(["EEXIST", "ENOENT", "EACCES"]);
    const vs = violations(r.stderr);
    expect(reported(vs, "mkdir", `${t}/d`)).toBe(true);
    expect(reported(vs, "unlink", `${t}/nothing`)).toBe(true);
    expect(reported(vs, "access", `${t}/f`)).toBe(true);
  });
});

describe("core/violation/decision", () => {
  test("kill: the offending process is killed, its parent goes on", async () => {
    const t = dir();
    // The offender (an inner sh) keeps running after its denied open; the kill must stop it.
    // (The kill is asynchronous to the denial: a process that exits right after the denied
    // call, like sysc, may finish first.)
    const r = await runSh([...W, "-m", "core/violation/decision:kill"], `sh -c ${q(`echo > ${q(`${t}/x`)}; sleep 2; echo offender-survived`)}; echo "rc=$?"; echo parent-alive`);
    const rc = Number(results(r.stdout).get("rc"));
    expect(r.stdout).not.toContain("offender-survived");
    expect([128 + 15, 128 + 9]).toContain(rc);
    expect(r.stdout).toContain("parent-alive");
    expect(violations(r.stderr).length).toBe(1);
    expect(existsSync(`${t}/x`)).toBe(false);
  });
  test("killall: every sandboxed process is killed", async () => {
    const t = dir();
    const r = await runSh([...W, "-m", "core/violation/decision:killall"], `${[SYSC, "mkdir", `${t}/x`, "0755"].map(q).join(" ")}; sleep 2; echo parent-alive`);
    expect(r.stdout).not.toContain("parent-alive");
    expect([128 + 15, 128 + 9]).toContain(r.status);
    expect(existsSync(`${t}/x`)).toBe(false);
    // Known race (src/launch/kill.ts terminateAll): a child forked while the tree is being
    // scanned (here `sleep`) survives the killall, and sydbox waits for it; hence the timeout.
  }, 10000);
});

describe("core/violation/exit_code", () => {
  const script = (t: string) => `${callLine(creat("x", `${t}/x`))}; exit 3`;
  test("positive: sydbox exits with it after a violation", async () => {
    expect((await runSh([...W, "-m", "core/violation/exit_code:7"], script(dir()))).status).toBe(7);
  });
  test("0: sydbox exits with exactly 128 when the command's status is below 128 (SydBox 2.0.1's code and suite)", async () => {
    expect((await runSh([...W, "-m", "core/violation/exit_code:0"], script(dir()))).status).toBe(128);
  });
  test("0: a status of 128 or more is kept", async () => {
    const t = dir();
    expect((await runSh([...W, "-m", "core/violation/exit_code:0"], `${callLine(creat("x", `${t}/x`))}; exit 200`)).status).toBe(200);
  });
  test("-1 (the default): the command's status", async () => {
    expect((await runSh([...W, "-m", "core/violation/exit_code:-1"], script(dir()))).status).toBe(3);
  });
  test("positive, but no violation: the command's status", async () => {
    const t = dir();
    expect((await runSh([...W, "-m", "core/violation/exit_code:7", "-m", `allowlist/write+${t}/***`], script(t))).status).toBe(3);
  });
});

describe("exec", () => {
  test("exec/kill_if_match: an exec of a matching path is killed with SIGKILL (exec sandboxing off); others run", async () => {
    const t = dir();
    copyFileSync("/bin/echo", `${t}/victim`);
    copyFileSync("/bin/echo", `${t}/fine`);
    Bun.spawnSync(["chmod", "+x", `${t}/victim`, `${t}/fine`]);
    const r = await runSh([...W, "-m", `exec/kill_if_match+${t}/vict*`], `${q(`${t}/victim`)} should-not-print; echo "rc=$?"; ${q(`${t}/fine`)} fine-ran`);
    expect(r.stdout).not.toContain("should-not-print");
    expect(results(r.stdout).get("rc")).toBe("137");
    expect(r.stdout).toContain("fine-ran");
  });
  test("exec/kill_if_match does not apply to the initial exec of the command", async () => {
    const t = dir();
    const r = await sydboxRaw([...W, "-m", `allowlist/write+${t}/***`, "-m", `exec/kill_if_match+${SYSC}`, "--", SYSC, "mkdir", `${t}/x`, "0755"]);
    expect(r.stdout).toBe("ok\n");
    expect(r.status).toBe(0);
  });
  test("core/sandbox/exec:deny with an empty allowlist: the command itself starts, its own execs are denied (EACCES) and reported", async () => {
    const t = dir();
    const r = await sydboxRaw(["-m", "core/sandbox/exec:deny", "--", SYSC, "execve", "/bin/echo", "nested"]);
    expect(r.stdout).toBe("EACCES\n");
    expect(reported(violations(r.stderr), "execve", "/usr/bin/echo") || reported(violations(r.stderr), "execve", "/bin/echo")).toBe(true);
    expect(r.status).toBe(0);
    // And the same through a shell: sh starts, the commands it runs do not.
    const r2 = await sydboxRaw(["-m", "core/sandbox/exec:deny", "--", "sh", "-c", `${q(SYSC)} mkdir ${q(t + "/y")} 0755; echo "rc=$?"`]);
    expect(results(r2.stdout).get("rc")).toBe("126");
    expect(existsSync(`${t}/y`)).toBe(false);
  });
});
