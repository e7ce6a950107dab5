/**
 * The run summary: printed once at exit when there were violations, per
 * category, with the first subjects and the magic that would allow them;
 * --summary=off|text|json; the same whatever core/violation/* says; identical
 * reports aggregated (a 100,000-denial loop must not make reporting the
 * bottleneck).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { compilePattern, DEFAULT_MATCH_OPTIONS } from "../../src/policy/pattern";
import { allowCommands, escapePattern, formatSummaryText, ViolationLog } from "../../src/report/summary";
import { REPEATS, ReportThrottle } from "../../src/report/throttle";
import { cc } from "../lib/cc";
import { sydbox } from "../lib/sydbox";
import { jsonSummary, scratch, summaryLines } from "./lib";

const dir = scratch("summary");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files = ["a", "b", "c", "d", "e"].map((f) => join(dir, f));
const script = files.map((f) => `echo x > ${f}`).join("; ") + `; echo again > ${files[0]}; true`;
const base = ["-m", "core/sandbox/write:deny", "-m", "allowlist/write+/dev/null"];

describe("summary", () => {
  test("text: counts, first paths, the allowing magic", async () => {
    const r = await sydbox([...base, "--", "sh", "-c", script]);
    expect(r.status).toBe(0);
    const lines = summaryLines(r.stderr);
    expect(lines[0]).toBe("sydbox: summary: 6 violations:");
    expect(lines[1]).toBe(`sydbox: summary:   write: 6 (5 distinct): ${files[0]}, ${files[1]}, ${files[2]}, and 2 more`);
    expect(lines.at(-1)).toBe(`sydbox: summary:   to allow the first of each: ${files.slice(0, 3).map((f) => `-m 'allowlist/write+${f}'`).join(" ")}`);
    // After the last report.
    expect(r.stderr.lastIndexOf("Access Violation")).toBeLessThan(r.stderr.indexOf("sydbox: summary:"));
  });

  test("json: one line with every category", async () => {
    const r = await sydbox(["--summary=json", ...base, "--", "sh", "-c", script]);
    const s = jsonSummary(r.stderr);
    expect(s).toMatchObject({ violations: 6, suppressed: 0, dry_run: false });
    expect(s.categories.write).toEqual({ count: 6, distinct: 5, first: files.slice(0, 3), allow: files.slice(0, 3).map((f) => `allowlist/write+${f}`) });
    expect(summaryLines(r.stderr)).toEqual([]);
  });

  test("json is printed without violations too; off prints nothing; text prints nothing without violations", async () => {
    const json = await sydbox(["--summary=json", ...base, "--", "true"]);
    expect(jsonSummary(json.stderr)).toEqual({ violations: 0, suppressed: 0, dry_run: false, categories: {} });
    const off = await sydbox(["--summary=off", ...base, "--", "sh", "-c", script]);
    expect(off.stderr).toContain("Access Violation");
    expect(off.stderr).not.toContain("sydbox: summary");
    const clean = await sydbox([...base, "--", "true"]);
    expect(clean.stderr).toBe("");
  });

  test("a bad --summary value is refused", async () => {
    const r = await sydbox(["--summary=yaml", ...base, "--", "true"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("yaml");
  });

  test("core/violation/* leaves it unchanged", async () => {
    const plain = await sydbox(["--summary=json", ...base, "--", "sh", "-c", script]);
    const changed = await sydbox(["--summary=json", ...base, "-m", "core/violation/exit_code:42", "-m", "core/violation/raise_safe:false", "--", "sh", "-c", script]);
    expect(changed.status).toBe(42);
    expect(jsonSummary(changed.stderr)).toEqual(jsonSummary(plain.stderr));
  });

  test("network: the address and its allowlist entry", async () => {
    const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const r = await sydbox(["--summary=json", "-m", "core/sandbox/network:deny", "--", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${server.port}; true`]);
      expect(jsonSummary(r.stderr).categories.connect).toEqual({
        count: 1, distinct: 1, first: [`inet:127.0.0.1@${server.port}`], allow: [`allowlist/network/connect+inet:127.0.0.1@${server.port}`],
      });
    } finally {
      server.stop(true);
    }
  });
});

describe("identical reports", () => {
  test("100,000 denied opens: correct status, aggregated reports, summary says so", async () => {
    const loop = cc("denyloop");
    const target = join(dir, "loop-target");
    const r = await sydbox(["--summary=json", ...base, "--", loop, target, "100000"], { timeoutMs: 600_000 });
    expect(r.stdout).toBe("denied=100000 other=0\n");
    expect(r.status).toBe(0);
    expect(r.stderr.split("Access Violation").length - 1).toBe(REPEATS);
    const s = jsonSummary(r.stderr);
    expect(s).toMatchObject({ violations: 100000, suppressed: 100000 - REPEATS, categories: { write: { count: 100000, distinct: 1 } } });
    const text = await sydbox([...base, "--", loop, target, "1000"], { timeoutMs: 600_000 });
    expect(text.status).toBe(0);
    expect(summaryLines(text.stderr)).toContain(`sydbox: summary:   ${1000 - REPEATS} identical reports suppressed (aggregated; counted above)`);
  }, 600_000);

  test("ReportThrottle admits REPEATS of a call, then counts", () => {
    const t = new ReportThrottle();
    const admitted = Array.from({ length: 10 }, () => t.admit("open(`/x')")).filter(Boolean).length;
    expect(admitted).toBe(REPEATS);
    expect(t.admit("open(`/y')")).toBe(true);
  });
});

describe("formatting", () => {
  test("allowCommands escapes wildcards in paths, not in addresses; families turn the switch on", () => {
    expect(allowCommands("read", ["/a*b/[c]?"])).toEqual(["allowlist/read+/a\\*b/\\[c\\]\\?"]);
    expect(allowCommands("connect", ["inet:1.2.3.4@80"])).toEqual(["allowlist/network/connect+inet:1.2.3.4@80"]);
    expect(allowCommands("bind", ["unix:/run/a*.sock", "unix-abstract:x?"])).toEqual(["allowlist/network/bind+unix:/run/a\\*.sock", "allowlist/network/bind+unix-abstract:x\\?"]);
    expect(allowCommands("family", ["connect(family:16)"])).toEqual(["core/allowlist/unsupported_socket_families:true"]);
  });

  test("a path reported as the tracee wrote it (relative: a lookup sydbox could not follow) gets no allow command", () => {
    expect(allowCommands("write", ["to-denied-file", "/tmp/x"])).toEqual(["allowlist/write+/tmp/x"]);
    const log = new ViolationLog(false);
    log.add("write", ["to-denied-file"]);
    const text = formatSummaryText(log.summary());
    expect(text).toContain("sydbox: summary:   write: 1 (1 distinct): to-denied-file\n");
    expect(text).toContain("sydbox: summary:   to allow: no allowlist entry can: these calls were lookups sydbox cannot follow, denied whatever the lists say\n");
  });

  test("an escaped path matches itself only", () => {
    for (const p of ["/a*b", "/x[1]", "/q?", "/back\\slash"]) {
      const m = compilePattern(escapePattern(p), DEFAULT_MATCH_OPTIONS);
      expect([m(p), m("/aXb"), m("/x1"), m("/qq")]).toEqual([true, false, false, false]);
    }
  });

  test("ViolationLog keeps distinct subjects in first-seen order", () => {
    const log = new ViolationLog(false);
    log.add("write", ["/b"]);
    log.add("write", ["/a"]);
    log.add("write", ["/b"]);
    log.add("exec", ["/bin/x"]);
    expect(log.summary().kinds.write).toEqual({ count: 3, subjects: ["/b", "/a"], dropped: 0 });
    expect(formatSummaryText(log.summary())).toContain("sydbox: summary:   exec: 1 (1 distinct): /bin/x\n");
    expect(formatSummaryText(new ViolationLog(false).summary())).toBe("");
  });
});
