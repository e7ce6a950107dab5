/**
 * src/launch/prelaunch.ts: the guess, from the raw command line, of whether
 * the child stage may start its watchdog before its role; and a wrong guess
 * (a system profile that sets core/restrict) still gives a restricted run.
 */
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { watchdogFirst } from "../../src/launch/prelaunch";
import { SYSTEM_PROFILE_DIR } from "../../src/config/profiles";
import { cc } from "../lib/cc";
import { sydbox } from "../lib/sydbox";

test("watchdog first unless the options mention restrict or name a configuration file", () => {
  const yes = (...argv: string[]) => expect({ argv, first: watchdogFirst(argv, {}) }).toEqual({ argv, first: true });
  const no = (...argv: string[]) => expect({ argv, first: watchdogFirst(argv, {}) }).toEqual({ argv, first: false });
  yes("--", "true");
  yes("--profile", "paludis", "-m", "allowlist/write+/tmp/***", "--", "make");
  yes("-c", "@paludis", "--", "make");
  yes("-c@paludis", "--config=@default", "--", "make");
  yes("-m", "core/sandbox/write:deny", "--", "grep", "restrict", "-c", "file"); // after --: the command's own
  no("-m", "core/restrict/general:1", "--", "true");
  no("-c", "my.syd-2", "--", "true");
  no("--config", "my.toml", "--", "true");
  no("-cmy.syd-2", "--", "true");
  no("--config=my.syd-2", "--", "true");
  expect(watchdogFirst(["--", "true"], { SYDBOX_CONFIG: "my.syd-2" })).toBe(false);
  expect(watchdogFirst(["--", "true"], { SYDBOX_CONFIG: "" })).toBe(true);
});

/** Why the system profile directory cannot take a test profile, or null if it can (root, writable). */
function systemDirUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "it needs root (process.getuid() !== 0)";
  const created = !existsSync(SYSTEM_PROFILE_DIR);
  const probe = join(SYSTEM_PROFILE_DIR, `.sydbox-test-probe-${process.pid}`);
  try {
    mkdirSync(SYSTEM_PROFILE_DIR, { recursive: true });
    writeFileSync(probe, "");
    return null;
  } catch (e) {
    return `${SYSTEM_PROFILE_DIR} is not writable here (${(e as Error).message})`;
  } finally {
    rmSync(created ? SYSTEM_PROFILE_DIR : probe, { recursive: true, force: true });
  }
}

const unavailable = systemDirUnavailable();
test.skipIf(unavailable !== null)(`a wrong guess: --profile of a system profile that sets core/restrict/general still runs restricted${unavailable === null ? "" : ` (skipped: it writes a profile to ${SYSTEM_PROFILE_DIR}, and ${unavailable})`}`, async () => {
  const created = !existsSync(SYSTEM_PROFILE_DIR);
  const name = `sydbox-test-level1-${process.pid}`; // not "restrict": the guess reads the name
  const profile = join(SYSTEM_PROFILE_DIR, `${name}.syd-2`);
  mkdirSync(SYSTEM_PROFILE_DIR, { recursive: true });
  writeFileSync(profile, "core/sandbox/write:off\ncore/restrict/general:1\n");
  try {
    expect(watchdogFirst(["--profile", name, "--", "x"], {})).toBe(true);
    const r = await sydbox(["--profile", name, "--", cc("restrict"), "pipe2"]);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: "EPERM\n", stderr: "" });
    const unrestricted = await sydbox(["-m", "core/sandbox/write:off", "--", cc("restrict"), "pipe2"]);
    expect(unrestricted.stdout).toBe("ok\n");
  } finally {
    rmSync(created ? SYSTEM_PROFILE_DIR : profile, { recursive: true, force: true });
  }
}, 30_000);
