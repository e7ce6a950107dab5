/**
 * -d fd|path|tmp: every line is JSON, carries the schema version and matches
 * the schema; the events cover start, notified syscalls with their decoded
 * arguments and decision, exec, process exits and sydbox's exit.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkEvent, DUMP_SCHEMA } from "../../src/report/dump";
import { sydbox, sydboxCommand } from "../lib/sydbox";
import { parseDump, scratch } from "./lib";

const TRUE = realpathSync("/bin/true");

const dir = scratch("dump");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const denied = join(dir, "denied");
const allowedFile = join(dir, "allowed");
// A write that is allowed, a write that is denied, a child exec, and a status.
const script = `echo ok > ${allowedFile}; echo no > ${denied}; /bin/true; exit 7`;
const args = ["-m", "core/sandbox/write:deny", "-m", `allowlist/write+${allowedFile}`, "-m", "allowlist/write+/dev/null"];

/** Checks the content common to the three forms. */
function checkEvents(events: Array<Record<string, any>>): void {
  expect(events.every((e) => e.v === DUMP_SCHEMA)).toBe(true);
  expect(events[0].ev).toBe("start");
  expect(events[0].argv).toEqual(["sh", "-c", script]);
  expect(events.at(-1)!.ev).toBe("sydbox-exit");
  expect(events.at(-1)!.status).toBe(7);
  expect(events.at(-1)!.violations).toBe(1);
  const eldest = events[0].eldest;
  const calls = events.filter((e) => e.ev === "syscall");
  const allowedOpen = calls.find((e) => e.args.path === allowedFile);
  // An allowed open is performed by sydbox and its fd sent (emulation is the default).
  expect(allowedOpen).toMatchObject({ pid: eldest, decision: "emulate", violation: false, args: { resolved: [allowedFile] } });
  expect(typeof allowedOpen!.args.flags).toBe("number");
  const deniedOpen = calls.find((e) => e.args.path === denied);
  expect(deniedOpen).toMatchObject({ pid: eldest, decision: "deny", errno: 1, violation: true });
  const execs = events.filter((e) => e.ev === "exec");
  expect(execs[0]).toMatchObject({ pid: eldest }); // the command's own start
  expect(execs[0].path).toMatch(/\/sh$/);
  expect(execs.map((e) => e.path)).toContain(TRUE);
  const child = execs.find((e) => e.path === TRUE)!.pid;
  expect(events.find((e) => e.ev === "exit" && e.pid === eldest)?.status).toBe(7);
  expect(events.some((e) => e.ev === "exit" && e.pid === child)).toBe(true);
  // Timestamps never go backwards by more than the threads' interleaving allows.
  expect(events.every((e) => typeof e.t === "number" && e.t > 1.6e12)).toBe(true);
}

describe("-d", () => {
  test("path: a new file, every line valid", async () => {
    const out = join(dir, "dump-path.jsonl");
    const r = await sydbox(["-d", out, ...args, "--", "sh", "-c", script]);
    expect(r.status).toBe(7);
    checkEvents(parseDump(readFileSync(out, "utf8")));
  });

  test("path: an existing file is an error, left as it was, and nothing runs", async () => {
    const out = join(dir, "exists.jsonl");
    writeFileSync(out, "keep\n");
    const marker = join(dir, "ran");
    const r = await sydbox(["-d", out, ...args, "--", "sh", "-c", `touch ${marker}`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot create ${out}: file exists`);
    expect(readFileSync(out, "utf8")).toBe("keep\n");
    expect(existsSync(marker)).toBe(false);
  });

  test("fd: events go to an inherited descriptor", async () => {
    const out = join(dir, "dump-fd.jsonl");
    // sh opens fd 3 on the file and execs sydbox with it.
    const cmd = [...sydboxCommand(), "-d", "3", ...args, "--", "sh", "-c", script].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
    const p = Bun.spawnSync(["sh", "-c", `exec 3>${out}; exec ${cmd}`], { stderr: "pipe", stdout: "pipe" });
    expect(p.exitCode).toBe(7);
    checkEvents(parseDump(readFileSync(out, "utf8")));
  });

  test("fd: a closed descriptor is an error", async () => {
    const r = await sydbox(["-d", "97", ...args, "--", "true"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("fd 97 is not open");
  });

  test("tmp: a new temp file, its path printed at start and at exit", async () => {
    const r = await sydbox(["-d", "tmp", ...args, "--", "sh", "-c", script]);
    expect(r.status).toBe(7);
    const start = /^sydbox: dumping events to (\S+)$/m.exec(r.stderr);
    const end = /^sydbox: events dumped to (\S+)$/m.exec(r.stderr);
    expect(start).not.toBeNull();
    expect(end?.[1]).toBe(start![1]);
    expect(r.stderr.indexOf(start![0])).toBeLessThan(r.stderr.indexOf("Access Violation"));
    checkEvents(parseDump(readFileSync(start![1], "utf8")));
    rmSync(start![1]);
  });

  test("without -d nothing is dumped and no temp file appears", async () => {
    const r = await sydbox([...args, "--", "sh", "-c", script]);
    expect(r.status).toBe(7);
    expect(r.stderr).not.toContain("dumping events");
  });
});

describe("checkEvent", () => {
  test("rejects what the schema does not allow", () => {
    const ok = { v: DUMP_SCHEMA, ev: "exit", t: 1, pid: 3, status: null };
    expect(checkEvent(ok)).toEqual([]);
    expect(checkEvent({ ...ok, v: 0 })).toEqual([`v is 0, expected ${DUMP_SCHEMA}`]);
    expect(checkEvent({ ...ok, ev: "nope" })).toEqual(['unknown event "nope"']);
    expect(checkEvent({ ...ok, pid: "3" })).toEqual(["exit: pid is not number"]);
    expect(checkEvent({ ...ok, extra: 1 })).toEqual(["exit: unknown field extra"]);
    const { status, ...missing } = ok;
    expect(checkEvent(missing)).toEqual(["exit: missing status"]);
  });
});
