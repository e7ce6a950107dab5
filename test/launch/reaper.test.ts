/**
 * Fail-closed (src/launch/reaper.ts): whatever way sydbox dies, no sandboxed
 * process runs on unsupervised. Each test starts a family (test/c/family.c:
 * the eldest, a plain child, a double-forked setsid daemon, all deaf to SIGTERM)
 * under sydbox, kills sydbox or its child stage, and a second later finds none
 * of the family alive. Only what the test started is killed, by pid. (The
 * reaper's exit statuses are covered end to end by lifecycle.test.ts.)
 */
import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { alive, killFamilies, startFamily as start, statFields, type Family } from "../lib/family";
import { cc } from "../lib/cc";
import { sydboxCommand } from "../lib/sydbox";

const ALLOW = ["-m", "core/sandbox/write:allow"];

/** Starts the family and checks that all of it hangs below the child stage. */
async function startFamily(prefix: string[] = []): Promise<Family> {
  const f = await start(ALLOW, prefix);
  for (const pid of [f.stage, f.eldest, f.plain, f.daemon]) expect(alive(pid)).toBe(true);
  // The daemon was reparented to the child stage, not to init.
  expect(Number(statFields(f.daemon)[1])).toBe(f.stage);
  return f;
}

/** A second after sydbox's end, nothing of `f` runs. */
async function expectAllGone(f: Family): Promise<void> {
  await f.sydbox.exited;
  await Bun.sleep(1000);
  expect({ eldest: alive(f.eldest), plain: alive(f.plain), daemon: alive(f.daemon), stage: alive(f.stage) })
    .toEqual({ eldest: false, plain: false, daemon: false, stage: false });
}

// A failed test must not leave its family behind.
afterEach(killFamilies);

test("SIGKILL of sydbox: no sandboxed process is alive a second later", async () => {
  const f = await startFamily();
  f.sydbox.kill("SIGKILL");
  await expectAllGone(f);
}, 60000);

test("SIGKILL of sydbox's whole process group: the setsid daemon dies too", async () => {
  // setsid(1) makes sydbox a process-group leader, as a shell's job would be.
  const f = await startFamily(["setsid"]);
  expect(Number(statFields(f.sydbox.pid)[2])).toBe(f.sydbox.pid);
  process.kill(-f.sydbox.pid, "SIGKILL");
  await expectAllGone(f);
}, 60000);

test("SIGKILL of the child stage: sydbox kills the orphaned tree and exits 137", async () => {
  const f = await startFamily();
  process.kill(f.stage, "SIGKILL");
  await f.sydbox.exited;
  expect(f.sydbox.exitCode).toBe(137);
  expect(await new Response(f.sydbox.stderr).text()).toContain("the child stage was killed by SIGKILL; killing the sandboxed processes");
  await expectAllGone(f);
}, 60000);

// Paludis runs builds unprivileged: nothing above needs a privilege, and this proves it.
const root = process.getuid?.() === 0;
if (!root) console.log("reaper.test.ts: not root, so the unprivileged case is the one tested above");
test.skipIf(!root)("unprivileged (as nobody): SIGKILL of sydbox leaves no sandboxed process alive", async () => {
  const f = await startFamily(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]);
  expect(readFileSync(`/proc/${f.daemon}/status`, "utf8")).toMatch(/^Uid:\t65534\t/m);
  f.sydbox.kill("SIGKILL");
  await expectAllGone(f);
}, 60000);

test("core/restrict/general:1: the child stage becomes the command, which dies with sydbox", async () => {
  // Level 1 lets no process be created: the eldest is the whole tree. It blocks in read(2).
  const p = Bun.spawn([...sydboxCommand(), "-m", "core/restrict/general:1", ...ALLOW, "--", cc("block")], { stdin: "pipe", stdout: "ignore", stderr: "pipe" });
  let eldest = 0;
  for (let i = 0; i < 400 && !eldest; i++) {
    await Bun.sleep(25);
    try {
      const child = Number(readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, "utf8").trim().split(" ")[0]);
      if (child && readFileSync(`/proc/${child}/comm`, "utf8").trim() === "block") eldest = child;
    } catch { /* not yet */ }
  }
  expect(eldest).toBeGreaterThan(0);
  p.kill("SIGKILL");
  await p.exited;
  await Bun.sleep(1000);
  const survived = alive(eldest);
  if (survived) process.kill(eldest, "SIGKILL"); // it is ours: the test started it
  expect(survived).toBe(false);
}, 60000);
