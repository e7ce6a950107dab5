/**
 * exec/resume_if_match (issue #18): a process whose exec of a matching path
 * succeeds is no longer sandboxed (its calls are let through, its later
 * children's too), and it is still waited for. Others stay sandboxed, and so
 * does a process whose exec of a matching path fails.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DIST, labels, ownedDir, runArgv, testDir } from "./lib";

const dir = testDir("resume");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the resumed process writes where the others cannot, its children too, and is waited for", async () => {
  const out = ownedDir(join(dir, "out"), false);
  const free = join(dir, "free.sh");
  // The resumed script outlives the phase's shell by a second: sydbox must wait for it.
  writeFileSync(free, `#!/bin/sh
echo "magic=$([ -e /dev/sydbox ] && echo on || echo off)"
echo free > '${out}/free'
sh -c "echo child > '${out}/child'"
sleep 1
echo late > '${out}/late'
`, { mode: 0o755 });
  const phase = `
{ echo x > '${out}/caged'; } 2>/dev/null; echo "caged=$?"
'${free}' &
wait
bash -c "{ echo y > '${out}/caged2'; } 2>/dev/null"; echo "caged2=$?"
# An exec of a matching path that fails leaves the process sandboxed (bash goes on after it).
bash -c "shopt -s execfail; exec '${free}.missing'; { echo z > '${out}/failed-exec'; } 2>/dev/null; echo failed-exec=\\$?"
`;
  const r = await runArgv([DIST, "--profile", "paludis", "-m", `exec/resume_if_match+${dir}/free.sh*`, "--", "/bin/bash", "-c", phase]);
  expect(r.status).toBe(0);
  const got = labels(r.stdout);
  expect(got.get("caged")).toBe("1");
  expect(got.get("caged2")).toBe("1");
  expect(got.get("failed-exec")).toBe("1");
  expect(got.get("magic")).toBe("off"); // resumed: sydbox is out of its way, as a detached SydBox 1 process saw it
  for (const f of ["caged", "caged2", "failed-exec"]) expect([f, existsSync(join(out, f))]).toEqual([f, false]);
  expect(readFileSync(join(out, "free"), "utf8")).toBe("free\n");
  expect(readFileSync(join(out, "child"), "utf8")).toBe("child\n");
  expect(readFileSync(join(out, "late"), "utf8")).toBe("late\n");
});

test("set at run time through the magic stat, as esandbox resume does", async () => {
  const out = ownedDir(join(dir, "out2"), false);
  const free = join(dir, "free2.sh");
  writeFileSync(free, `#!/bin/sh\necho free > '${out}/free'\n`, { mode: 0o755 });
  const phase = `'${free}'; echo before=$?; [[ -e '/dev/sydbox/exec/resume_if_match+${free}' ]]; echo resume=$?; '${free}'; echo after=$?`;
  const r = await runArgv([DIST, "--profile", "paludis", "--", "/bin/bash", "-c", phase]);
  expect(labels(r.stdout)).toEqual(new Map([["before", "2"], ["resume", "0"], ["after", "0"]]));
  expect(existsSync(join(out, "free"))).toBe(true);
});
