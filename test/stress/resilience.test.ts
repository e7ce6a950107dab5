/**
 * Resilience under load and under races (issue 9 part 4): many concurrent
 * processes, tracees that vanish while the supervisor handles their calls
 * (including notifications whose process is gone by the time they are read),
 * and many full runs of a 500-process tree, each with its exact exit status.
 * Most races are provoked by volume (one is forced: a call pending while sydbox
 * is stopped); each test asserts that nothing deadlocks (test timeouts), leaks
 * (fds), or loses an exit status.
 *
 * SYDBOX_STRESS_ROUNDS sets the number of 500-process runs (default 100, as
 * issue 9 asks). On a 2-CPU machine the 100 took 10 s without competition
 * (SCHED_FIFO), 20 s at a load of 8, and 36 to 110 s while other test suites
 * loaded it to 11-30: lower it there.
 */
import { afterEach, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { cc } from "../lib/cc";
import { alive, killFamilies, startFamily, statFields } from "../lib/family";
import { statsCounts, sydbox, sydboxCommand } from "../lib/sydbox";

const ALLOW = ["-m", "core/sandbox/write:allow"];
const ROUNDS = Number(process.env.SYDBOX_STRESS_ROUNDS ?? 100);

test("500 concurrent processes, every call of every one answered", async () => {
  // fan.c: all 500 run at once (a barrier), then each makes 4 notified calls.
  const r = await sydbox(["--stats", ...ALLOW, "--", cc("fan"), "500", "4", "42"], { timeoutMs: 120000 });
  expect(r.stderr).not.toContain("supervisor failed");
  expect(r.status).toBe(42);
  expect(statsCounts(r.stderr).mknodat).toBe(2000);
}, 130000);

test("tracees killed or exiting mid-notification: no deadlock, no lost status, no fd leak", async () => {
  const p = Bun.spawn([...sydboxCommand(), "--stats", ...ALLOW, "--", cc("midexit"), "300"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const fds = () => readdirSync(`/proc/${p.pid}/fd`).length;
  const lines = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const waitFor = async (word: string) => {
    while (!out.includes(word)) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`midexit ended before "${word}": ${await new Response(p.stderr).text()}`);
      out += value;
    }
  };
  await waitFor("started");
  const before = fds();
  await waitFor("finished");
  // Every vanished tracee's notifications are settled; sydbox holds no more fds than at the start.
  expect(fds()).toBeLessThanOrEqual(before);
  p.stdin.write("x");
  p.stdin.end();
  const stderr = await new Response(p.stderr).text();
  while (!(await lines.read()).done); // drain: an unread pipe would be closed later, by the GC, under another test's fd count
  await p.exited;
  expect(stderr).not.toContain("supervisor failed");
  // The last call, after 300 rounds of vanishing tracees, was still answered.
  expect(p.exitCode).toBe(0);
  expect(statsCounts(stderr).mknodat).toBeGreaterThan(300);
}, 300000);

afterEach(killFamilies);

/** Is `pid` blocked in the kernel, waiting for the supervisor's answer to a notified call? */
function inSeccompWait(pid: number): boolean {
  return statFields(pid)[0] === "S" && readFileSync(`/proc/${pid}/wchan`, "utf8").includes("seccomp");
}

test("a tracee killed while its notified call waits for a stopped supervisor", async () => {
  // family.c's processes call the supervisor every 10 ms. With sydbox stopped,
  // each soon waits in the kernel for an answer; the plain child is killed there.
  const f = await startFamily(ALLOW);
  process.kill(f.sydbox.pid, "SIGSTOP");
  try {
    const all = [f.eldest, f.plain, f.daemon];
    let waiting = false;
    for (let i = 0; i < 200 && !waiting; i++) {
      await Bun.sleep(20);
      waiting = all.every(inSeccompWait);
    }
    expect(waiting).toBe(true);
    process.kill(f.plain, "SIGKILL");
    for (let i = 0; i < 200 && alive(f.plain); i++) await Bun.sleep(10);
    expect(alive(f.plain)).toBe(false);
  } finally {
    process.kill(f.sydbox.pid, "SIGCONT");
  }
  // The others' pending calls are answered: they leave the wait (to sleep 10 ms;
  // a wedged supervisor would leave them there).
  // Then they are killed, and sydbox reports the eldest's status.
  for (const pid of [f.eldest, f.daemon]) {
    let answered = false;
    for (let i = 0; i < 400 && !answered; i++) { answered = !inSeccompWait(pid); if (!answered) await Bun.sleep(5); }
    expect(answered).toBe(true);
  }
  process.kill(f.eldest, "SIGKILL");
  process.kill(f.daemon, "SIGKILL");
  await f.sydbox.exited;
  const stderr = await new Response(f.sydbox.stderr).text();
  expect(stderr).not.toContain("supervisor failed");
  expect(f.sydbox.exitCode).toBe(137);
}, 60000);

test(`${ROUNDS} × a 500-process tree: the right exit status every time`, async () => {
  const fan = cc("fan");
  const wrong: string[] = [];
  // Two runs at a time: this machine has two CPUs, and each run is mostly sequential startup.
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ROUNDS; i = next++) {
      const want = 3 + (i % 90); // fan.c uses 100+ for its own failures
      const r = await sydbox([...ALLOW, "--", fan, "500", "1", String(want)], { timeoutMs: 120000 });
      if (r.status !== want) wrong.push(`round ${i}: status ${r.status}, want ${want}: ${r.stderr.slice(0, 500)}`);
    }
  };
  const t0 = performance.now();
  await Promise.all([worker(), worker()]);
  console.log(`stress: ${ROUNDS} × 500 processes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The runs' pipes close when their Subprocess objects are collected: now, not
  // during a later test file that counts this process's fds.
  Bun.gc(true);
  expect(wrong).toEqual([]);
}, 1200000);
