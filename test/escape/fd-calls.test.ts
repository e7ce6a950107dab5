/**
 * Issue #19, class 2: calls on a descriptor. fchmod, fchown, fsetxattr, fremovexattr and the
 * inode-flag ioctls (chattr) need only ownership of the file, so a read-only fd of a denied
 * file changed its mode, group, attributes and flags. And an AF_UNIX bind creates a socket
 * file, in a denied directory too when network sandboxing is off. Each attack is shown
 * working natively, then refused under sydbox (judged on the file system), while the same
 * calls on an allowed file still work.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cc } from "../lib/cc";
import { sydbox } from "../lib/sydbox";
import { arena, MODES, writeSandbox } from "./lib";

const TIMEOUT = 60000;
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((f) => f()));

const CALLS = ["fchmod", "fchown", "fsetxattr", "fremovexattr", "FS_IOC_SETFLAGS", "FS_IOC_FSSETXATTR"];
const parse = (out: string) => Object.fromEntries(out.trim().split("\n").filter(Boolean).map((l) => l.split(" ")));
const UNTOUCHED = "mode=644 gid=0 xattrs=user.gone, nodump=0 noatime=0";
const CHANGED = "mode=600 gid=65534 xattrs=user.sydbox, nodump=1 noatime=1";

/** An arena with a file `f` (mode 0644, user.gone set) in ok/ and in no/. */
function fixtures() {
  const a = arena();
  cleanups.push(a.cleanup);
  for (const dir of [a.ok, a.no]) {
    writeFileSync(join(dir, "f"), "x\n", { mode: 0o644 });
    expect(Bun.spawnSync([cc("fdcalls"), "prep", join(dir, "f")]).exitCode).toBe(0);
  }
  return a;
}
const show = (file: string) => Bun.spawnSync([cc("fdcalls"), "show", file]).stdout.toString().trim();

// A root test run owns the files and may set gid 65534; the flags need ext4/xfs/btrfs-like support.
const why = process.getuid?.() !== 0 ? "root (fchown to another group)" : "";

/** What the calls get natively on a fresh file here, and what they make of it (inode flags need ext4, xfs, btrfs...). */
function native(): { got: Record<string, string>; shown: string } {
  const a = fixtures();
  const got = parse(Bun.spawnSync([cc("fdcalls"), join(a.ok, "f")]).stdout.toString());
  return { got, shown: show(join(a.ok, "f")) };
}

describe.skipIf(why !== "")(`calls on a read-only descriptor${why && ` (skipped: needs ${why})`}`, () => {
  const here = why ? null : native();
  const noFlags = here && (here.got.FS_IOC_SETFLAGS !== "0" || here.got.FS_IOC_FSSETXATTR !== "0") ? ` (skipped: this file system lacks inode flags: ${JSON.stringify(here.got)})` : "";
  test.skipIf(noFlags !== "")(`natively, each changes the file (the attack is real)${noFlags}`, () => {
    const a = fixtures();
    expect(show(join(a.no, "f"))).toBe(UNTOUCHED);
    const r = Bun.spawnSync([cc("fdcalls"), join(a.no, "f")]);
    const got = parse(r.stdout.toString());
    expect(got).toEqual(Object.fromEntries(CALLS.map((c) => [c, "0"])));
    expect(show(join(a.no, "f"))).toBe(CHANGED);
    expect(parse(Bun.spawnSync([cc("fdcalls"), "bind", join(a.no, "sock")]).stdout.toString())).toEqual({ bind: "0" });
    expect(existsSync(join(a.no, "sock"))).toBe(true);
  }, TIMEOUT);

  for (const mode of MODES) {
    test(`under sydbox (${mode.name}), each is refused on a denied file and works on an allowed one`, async () => {
      const a = fixtures();
      const script = `${cc("fdcalls")} ${a.no}/f; ${cc("fdcalls")} ${a.ok}/f`;
      const r = await sydbox([...writeSandbox(a.dir, mode.emulate), "--", "sh", "-c", script]);
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split("\n");
      expect(parse(lines.slice(0, CALLS.length).join("\n"))).toEqual(Object.fromEntries(CALLS.map((c) => [c, "1"])));
      expect(show(join(a.no, "f"))).toBe(UNTOUCHED);
      // On an allowed file each call ends as it does natively (where inode flags exist: all succeed).
      const allowed = parse(lines.slice(CALLS.length).join("\n"));
      expect(allowed).toEqual(here!.got);
      expect(show(join(a.ok, "f"))).toBe(here!.shown);
      if (!noFlags) expect(here!.shown).toBe(CHANGED);
    }, TIMEOUT);
  }
});

describe("AF_UNIX bind creates a socket file: a write of its path", () => {
  for (const network of ["off", "allow"]) {
    test(`refused in a denied directory, with network sandboxing ${network}`, async () => {
      const a = fixtures();
      const script = `${cc("fdcalls")} bind ${a.no}/sock; ${cc("fdcalls")} bind ${a.ok}/sock`;
      const r = await sydbox([...writeSandbox(a.dir, true), "-m", `core/sandbox/network:${network}`, "--", "sh", "-c", script]);
      expect({ status: r.status, out: r.stdout.trim().split("\n") }).toEqual({ status: 0, out: ["bind 13", "bind 0"] });
      expect(existsSync(join(a.no, "sock"))).toBe(false);
      expect(existsSync(join(a.ok, "sock"))).toBe(true);
    }, TIMEOUT);
  }

  test("refused everywhere with write sandboxing in bpf mode (EPERM, as the kernel refuses other writes)", async () => {
    const a = fixtures();
    const script = `${cc("fdcalls")} bind ${a.no}/sock; ${cc("fdcalls")} bind ${a.ok}/sock`;
    const r = await sydbox(["-m", "core/sandbox/write:bpf", "-m", "core/sandbox/network:off", "--", "sh", "-c", script]);
    expect({ status: r.status, out: r.stdout.trim().split("\n"), err: r.stderr }).toEqual({ status: 0, out: ["bind 1", "bind 1"], err: "" });
    expect(existsSync(join(a.no, "sock")) || existsSync(join(a.ok, "sock"))).toBe(false);
  }, TIMEOUT);
});
