/**
 * --dry-run: every call is decided, none is denied; what would have been
 * denied is reported, counted in the summary and marked in the dump, and magic
 * commands still take effect.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sydbox } from "../lib/sydbox";
import { jsonSummary, parseDump, scratch } from "./lib";

const dir = scratch("dry");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--dry-run", () => {
  test("a would-be-denied write happens and is recorded", async () => {
    const target = join(dir, "written");
    const dump = join(dir, "dry.jsonl");
    const r = await sydbox(["--dry-run", "-d", dump, "--summary=json", "-m", "core/sandbox/write:deny", "-m", "allowlist/write+/dev/null",
      "--", "sh", "-c", `echo data > ${target}; exit 4`]);
    expect(r.status).toBe(4); // the command's own status: nothing was denied
    expect(readFileSync(target, "utf8")).toBe("data\n");
    expect(r.stderr).toContain(`openat(\`${target}')`); // reported as SydBox reports a violation
    const s = jsonSummary(r.stderr);
    expect(s).toMatchObject({ violations: 1, dry_run: true, categories: { write: { count: 1, first: [target], allow: [`allowlist/write+${target}`] } } });
    const open = parseDump(readFileSync(dump, "utf8")).find((e) => e.ev === "syscall" && e.args.path === target)!;
    // Let through as emulation lets allowed calls through (the default): performed by sydbox.
    expect(open).toMatchObject({ decision: "emulate", would_deny: true, errno: 1, violation: true });
  });

  test("core/violation/decision:kill kills nothing and exit_code does not apply", async () => {
    const target = join(dir, "killed-not");
    const r = await sydbox(["--dry-run", "-m", "core/sandbox/write:deny", "-m", "core/violation/decision:kill", "-m", "core/violation/exit_code:99",
      "--", "sh", "-c", `echo a > ${target}; echo b >> ${target}; exit 0`]);
    expect(r.status).toBe(0);
    expect(readFileSync(target, "utf8")).toBe("a\nb\n");
    expect(r.stderr).toMatch(/summary: 2 violations \(dry run/);
  });

  test("magic commands still take effect", async () => {
    const target = join(dir, "after-magic");
    // Writes are allowed until the command turns write sandboxing to deny through the magic stat.
    const r = await sydbox(["--dry-run", "-m", "core/sandbox/write:allow", "-m", "core/sandbox/read:deny", "-m", "allowlist/read+/***",
      "--", "sh", "-c", `test -e /dev/sydbox/core/sandbox/write:deny && echo x > ${target}; test -e /dev/sydbox/core/sandbox/write?; echo $?`]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("0\n"); // the query answered: write sandboxing is on
    expect(existsSync(target)).toBe(true);
    expect(r.stderr).toContain(`openat(\`${target}')`);
  });
});

test("--dry-run: a bpf-mode category is not denied by the kernel either, and stays silent", async () => {
  const target = join(dir, "bpf-write");
  const plain = await sydbox(["-m", "core/sandbox/write:bpf", "--", "sh", "-c", `echo x > ${target} 2>/dev/null; echo $?`]);
  expect(plain.stdout).not.toBe("0\n"); // the kernel refuses it without a dry run
  expect(existsSync(target)).toBe(false);
  const dry = await sydbox(["--dry-run", "--summary=json", "-m", "core/sandbox/write:bpf", "--", "sh", "-c", `echo x > ${target}; echo $?`]);
  expect(dry.stdout).toBe("0\n");
  expect(readFileSync(target, "utf8")).toBe("x\n");
  expect(jsonSummary(dry.stderr).violations).toBe(0); // bpf denials are never violations
});

test("--dry-run with -b (no supervisor to let calls through) is refused", async () => {
  const r = await sydbox(["--dry-run", "-b", "-m", "core/sandbox/write:deny", "--", "true"]);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("--dry-run needs the supervisor");
});
