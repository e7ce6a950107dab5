/**
 * Issue #19, class 2, its ioctl siblings: requests that change a file, a directory's entries or
 * a whole filesystem through a read-only descriptor (fs-verity, a filesystem label, freezing,
 * btrfs subvolumes and snapshots created or destroyed in a denied directory). Each is shown
 * working natively on a loop-mounted image, then refused under sydbox (EPERM, decided in BPF
 * by request number), judged on the file system; core/trust/fs_ioctl lets them through.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cc } from "../lib/cc";
import { sydbox } from "../lib/sydbox";
import { writeSandbox } from "./lib";

const TIMEOUT = 60000;
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.reverse().forEach((f) => f()));

const run = (argv: string[]) => Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
const parse = (out: string) => Object.fromEntries(out.trim().split("\n").filter(Boolean).map((l) => l.split(" ")));
const show = (file: string) => run([cc("fsioctl"), "show", file]).stdout.toString().trim();

/**
 * A fresh `type` filesystem image loop-mounted at T/mnt with mnt/ok and mnt/no, or why not
 * (needs root, mkfs.TYPE and loop devices).
 */
function mountImage(type: "ext4" | "btrfs", mkfsArgs: string[]): { mnt: string; ok: string; no: string } | string {
  if (process.getuid?.() !== 0) return "needs root to mount an image";
  if (!Bun.which(`mkfs.${type}`)) return `mkfs.${type} is not installed`;
  const dir = mkdtempSync(join(tmpdir(), "sydbox-fsioctl-"));
  const img = join(dir, "img"), mnt = join(dir, "mnt");
  mkdirSync(mnt);
  writeFileSync(img, "");
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  if (run(["truncate", "-s", "256M", img]).exitCode !== 0) return "truncate failed";
  const mk = run([`mkfs.${type}`, "-q", ...mkfsArgs, img]);
  if (mk.exitCode !== 0) return `mkfs.${type} failed: ${mk.stderr.toString().trim()}`;
  const m = run(["mount", "-o", "loop", img, mnt]);
  if (m.exitCode !== 0) return `mount -o loop failed: ${m.stderr.toString().trim()}`;
  cleanups.push(() => { run(["umount", mnt]); });
  const ok = join(mnt, "ok"), no = join(mnt, "no");
  mkdirSync(ok);
  mkdirSync(no);
  return { mnt, ok, no };
}

const ext4 = mountImage("ext4", ["-F", "-O", "verity"]);
const ext4Why = typeof ext4 === "string" ? ` (skipped: ${ext4})` : "";

describe.skipIf(ext4Why !== "")(`a read-only fd changes a file or its filesystem (ext4)${ext4Why}`, () => {
  const fs = ext4 as Exclude<typeof ext4, string>;
  const file = (dir: string, name: string) => { const f = join(dir, name); writeFileSync(f, "data\n"); return f; };
  // fs-verity needs CONFIG_FS_VERITY: EOPNOTSUPP natively means this kernel cannot show it.
  const native = fs.mnt ? parse(run([cc("fsioctl"), "file", file(fs.no, "probe")]).stdout.toString()) : {};
  const verityWhy = native.FS_IOC_ENABLE_VERITY === "0" ? "" : ` (skipped: FS_IOC_ENABLE_VERITY gives errno ${native.FS_IOC_ENABLE_VERITY} here)`;

  test.skipIf(verityWhy !== "")(`FS_IOC_ENABLE_VERITY: natively a file becomes read-only for good; under sydbox EPERM${verityWhy}`, async () => {
    expect(show(join(fs.no, "probe"))).toStartWith("verity=1 ");
    const f = file(fs.no, "f");
    const r = await sydbox([...writeSandbox(fs.mnt, true), "--", cc("fsioctl"), "file", f]);
    expect(parse(r.stdout)).toEqual({ FS_IOC_ENABLE_VERITY: "1" });
    expect(show(f)).toStartWith("verity=0 ");
  }, TIMEOUT);

  test("FS_IOC_SETFSLABEL and FIFREEZE: natively they work on a read-only fd; under sydbox EPERM", async () => {
    expect(parse(run([cc("fsioctl"), "fs", fs.no, "native"]).stdout.toString())).toEqual({ FS_IOC_SETFSLABEL: "0", FIFREEZE: "0" });
    expect(show(fs.no)).toEndWith(" label=native");
    for (const emulate of [true, false]) {
      const r = await sydbox([...writeSandbox(fs.mnt, emulate), "--", cc("fsioctl"), "fs", fs.no, "sydbox"]);
      expect(parse(r.stdout)).toEqual({ FS_IOC_SETFSLABEL: "1", FIFREEZE: "1" });
      expect(show(fs.no)).toEndWith(" label=native");
    }
    // A trusted build gets them back.
    const r = await sydbox([...writeSandbox(fs.mnt, true), "-m", "core/trust/fs_ioctl:true", "--", cc("fsioctl"), "fs", fs.ok, "trusted"]);
    expect(parse(r.stdout)).toEqual({ FS_IOC_SETFSLABEL: "0", FIFREEZE: "0" });
    expect(show(fs.ok)).toEndWith(" label=trusted");
  }, TIMEOUT);
});

const btrfs = mountImage("btrfs", []);
const btrfsWhy = typeof btrfs === "string" ? ` (skipped: ${btrfs})` : "";

describe.skipIf(btrfsWhy !== "")(`btrfs: a read-only directory fd creates and deletes subvolumes in it${btrfsWhy}`, () => {
  const fs = btrfs as Exclude<typeof btrfs, string>;
  /** A subvolume NAME.old in `dir`, for the destroy to remove. */
  const prep = (dir: string, name: string) => expect(run(["btrfs", "subvolume", "create", join(dir, `${name}.old`)]).exitCode).toBe(0);
  const state = (dir: string, name: string) => ["sub", "snap", "old"].map((s) => `${s}=${existsSync(join(dir, `${name}.${s}`))}`).join(" ");

  test("natively, subvolume create, snapshot and destroy work on a read-only fd (the attack is real)", () => {
    prep(fs.no, "native");
    const r = parse(run([cc("fsioctl"), "btrfs", fs.no, "native", fs.mnt]).stdout.toString());
    expect(r).toEqual({ BTRFS_IOC_SUBVOL_CREATE: "0", BTRFS_IOC_SNAP_CREATE_V2: "0", BTRFS_IOC_SNAP_DESTROY: "0" });
    expect(state(fs.no, "native")).toBe("sub=true snap=true old=false");
  }, TIMEOUT);

  test("under sydbox each gets EPERM and the denied directory is unchanged; core/trust/fs_ioctl allows them", async () => {
    prep(fs.no, "s");
    const r = await sydbox([...writeSandbox(fs.mnt, true), "--", cc("fsioctl"), "btrfs", fs.no, "s", fs.mnt]);
    expect(parse(r.stdout)).toEqual({ BTRFS_IOC_SUBVOL_CREATE: "1", BTRFS_IOC_SNAP_CREATE_V2: "1", BTRFS_IOC_SNAP_DESTROY: "1" });
    expect(state(fs.no, "s")).toBe("sub=false snap=false old=true");
    prep(fs.ok, "t");
    const t = await sydbox([...writeSandbox(fs.mnt, true), "-m", "core/trust/fs_ioctl:true", "--", cc("fsioctl"), "btrfs", fs.ok, "t", fs.mnt]);
    expect(parse(t.stdout)).toEqual({ BTRFS_IOC_SUBVOL_CREATE: "0", BTRFS_IOC_SNAP_CREATE_V2: "0", BTRFS_IOC_SNAP_DESTROY: "0" });
    expect(state(fs.ok, "t")).toBe("sub=true snap=true old=false");
  }, TIMEOUT);
});
