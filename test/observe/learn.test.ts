/**
 * sydbox learn: a dry run under a base profile, then a profile allowing every
 * access the base would deny. Rerunning the command under the learned profile
 * reports zero violations, in both output formats.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { foldPaths } from "../../src/config/fold";
import { defaultConfig } from "../../src/config/schema";
import { learnedConfig } from "../../src/cli/learn";
import { ViolationLog } from "../../src/report/summary";
import { sydbox } from "../lib/sydbox";
import { jsonSummary, scratch } from "./lib";

const dir = scratch("learn");
const servers: Array<{ port: number; stop(force?: boolean): void }> = [];
let script = "";

const BASE = `# a strict base: only the dynamic loader's files and /dev/null
core/sandbox/exec:deny
core/sandbox/read:deny
core/sandbox/write:deny
core/sandbox/network:deny
allowlist/read+/etc/ld.so.cache
allowlist/read+/usr/lib/***
allowlist/read+/lib/***
allowlist/read+/lib64/***
allowlist/read+/usr/lib64/***
allowlist/write+/dev/null
`;

beforeAll(() => {
  for (let i = 0; i < 2; i++) servers.push(Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {}, open(s) { s.end(); } } }));
  for (const d of ["in1", "in2"]) mkdirSync(join(dir, d));
  for (let i = 0; i < 3; i++) writeFileSync(join(dir, "in1", `r${i}`), `read ${i}\n`);
  writeFileSync(join(dir, "in2", "one"), "one\n");
  writeFileSync(join(dir, "base.syd-2"), BASE);
  // Writes in two places (ten files in one: folded), reads in two, four programs, two servers.
  script = [
    `mkdir -p ${dir}/out1 ${dir}/out2`,
    `for i in 0 1 2 3 4 5 6 7 8 9; do echo $i > ${dir}/out1/w$i; done`,
    `cat ${dir}/in1/r0 ${dir}/in1/r1 ${dir}/in1/r2 > ${dir}/out2/joined`,
    `cp ${dir}/in2/one ${dir}/out2/copy`,
    `/usr/bin/true`,
    ...servers.map((s) => `exec 3<>/dev/tcp/127.0.0.1/${s.port}; exec 3<&-`),
    `exit 0`,
  ].join("\n");
  writeFileSync(join(dir, "script.bash"), script + "\n");
});

afterAll(() => {
  for (const s of servers) s.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

const command = () => ["/bin/bash", join(dir, "script.bash")];
const reset = () => { rmSync(join(dir, "out1"), { recursive: true, force: true }); rmSync(join(dir, "out2"), { recursive: true, force: true }); };

for (const ext of ["toml", "syd-2"]) {
  describe(`learn -o OUT.${ext}`, () => {
    test("learns every access, then the rerun has zero violations", async () => {
      reset();
      const out = join(dir, `learned.${ext}`);
      const strict = await sydbox(["--dry-run", "--summary=json", "-c", join(dir, "base.syd-2"), "--", ...command()]);
      const s = jsonSummary(strict.stderr);
      expect(Object.keys(s.categories).sort()).toEqual(["connect", "exec", "read", "write"]); // the base alone denies all four kinds

      reset();
      const learned = await sydbox(["learn", "-c", join(dir, "base.syd-2"), "-o", out, "--", ...command()]);
      expect(learned.status).toBe(0);
      expect(learned.stderr).toContain(`sydbox: learn: wrote ${out}`);
      const profile = readFileSync(out, "latin1");
      // Folded, literal, exec and network entries, in a deterministic order.
      const allows = (cat: string) => ext === "toml"
        ? [...profile.matchAll(new RegExp(`^  "allow ([^"]*)",$`, "gm"))].map((m) => m[1])
        : [...profile.matchAll(new RegExp(`^allowlist/${cat}\\+(.*)$`, "gm"))].map((m) => m[1]);
      const all = ext === "toml" ? allows("") : ["exec", "read", "write", "network/connect"].flatMap(allows);
      expect(all).toContain(`${dir}/out1/***`);
      expect(all).toContain(`${dir}/out2/joined`);
      expect(all).toContain(`${dir}/in2/one`);
      expect(all.some((p) => p.endsWith("/cat"))).toBe(true);
      for (const srv of servers) expect(all).toContain(`inet:127.0.0.1@${srv.port}`);
      expect(all.filter((p) => p.startsWith(`${dir}/out1/w`))).toEqual([]);

      reset();
      const rerun = await sydbox(["--summary=json", "-c", out, "--", ...command()]);
      expect(rerun.stderr).not.toContain("Access Violation");
      expect(jsonSummary(rerun.stderr)).toEqual({ violations: 0, suppressed: 0, dry_run: false, categories: {} });
      expect(rerun.status).toBe(0);
      expect(readFileSync(join(dir, "out2", "joined"), "utf8")).toBe("read 0\nread 1\nread 2\n");

      // Learning again gives the same profile, byte for byte (the header names the same base).
      reset();
      const again = join(dir, `again.${ext}`);
      await sydbox(["learn", "-c", join(dir, "base.syd-2"), "-o", again, "--", ...command()]);
      expect(readFileSync(again, "latin1").replace(again, out)).toBe(profile);
    }, 120_000);
  });
}

describe("learn: output", () => {
  test("replaces OUT atomically and leaves no temporary file", async () => {
    const out = join(dir, "replace.syd-2");
    writeFileSync(out, "old\n");
    const r = await sydbox(["learn", "-c", join(dir, "base.syd-2"), "-o", out, "--", "/bin/true"]);
    expect(r.status).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("core/sandbox/write:deny");
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  test("a command that cannot start leaves OUT as it was", async () => {
    const out = join(dir, "kept.toml");
    writeFileSync(out, "old\n");
    const r = await sydbox(["learn", "-c", join(dir, "base.syd-2"), "-o", out, "--", "/nonexistent/program"]);
    expect(r.status).not.toBe(0);
    expect(readFileSync(out, "utf8")).toBe("old\n");
  });

  test("bad arguments are refused with a clear message", async () => {
    const ext = await sydbox(["learn", "-c", join(dir, "base.syd-2"), "-o", join(dir, "x.txt"), "--", "/bin/true"]);
    expect(ext.status).toBe(1);
    expect(ext.stderr).toContain("must be named FILE.toml or FILE.syd-2");
    const missing = await sydbox(["learn", "-c", join(dir, "base.syd-2"), "-o", "/nonexistent-dir/x.toml", "--", "/bin/true"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("does not exist");
    const fold = await sydbox(["learn", "--fold", "many", "-o", join(dir, "y.toml"), "--", "/bin/true"]);
    expect(fold.status).toBe(1);
    expect(fold.stderr).toContain("--fold");
    const noOut = await sydbox(["learn", "--", "/bin/true"]);
    expect(noOut.status).toBe(1);
    expect(noOut.stderr).toContain("--output");
  });
});

describe("foldPaths", () => {
  test("folds a directory with N entries, climbs, never to /, sorted", () => {
    const many = Array.from({ length: 4 }, (_, i) => `/a/b/f${i}`);
    expect(foldPaths([...many, "/a/c", "/z"], 4)).toEqual(["/a/b/***", "/a/c", "/z"]);
    expect(foldPaths([...many, "/a/c", "/a/d", "/a/e"], 4)).toEqual(["/a/***"]);
    expect(foldPaths(["/x", "/y", "/z"], 2)).toEqual(["/x", "/y", "/z"]);
    expect(foldPaths([...many], 0)).toEqual(many);
    expect(foldPaths(["/p/q*", "/p/r"], 8)).toEqual(["/p/q\\*", "/p/r"]);
    expect(foldPaths(["/b", "/a"], 8)).toEqual(["/a", "/b"]);
  });
});

describe("learnedConfig", () => {
  test("a path reported as the tracee wrote it (relative: a lookup sydbox could not follow) is not learned", () => {
    const log = new ViolationLog(true);
    log.add("write", ["to-denied-file"]);
    log.add("write", ["/tmp/learned"]);
    const cfg = learnedConfig(defaultConfig(), log.summary(), 3);
    expect(cfg.lists.write.map((r) => r.pattern)).toEqual([...defaultConfig().lists.write.map((r) => r.pattern), "/tmp/learned"]);
  });
});
