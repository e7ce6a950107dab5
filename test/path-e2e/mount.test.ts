/**
 * mount and umount2 (umount is absent on x86_64 and several other architectures).
 * They need CAP_SYS_ADMIN: the test runs only as root, in a private mount
 * namespace (unshare -m) so nothing leaks into the host's mounts. They are refused
 * outright unless core/trust/mount (test/escape/side-doors.test.ts); trusted, their
 * target is checked as a write.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sydboxCommand } from "../lib/sydbox";
import { callLine, q, reported, results, SYSC, violations } from "./lib";

const root = process.getuid?.() === 0;
const hasUnshare = Bun.spawnSync(["sh", "-c", "command -v unshare"]).exitCode === 0;
const umountExists = Bun.spawnSync([SYSC, "umount", "x"]).stdout.toString().trim() !== "nosys";

const T = mkdtempSync(join(tmpdir(), "sydbox-mount-"));
afterAll(() => rmSync(T, { recursive: true, force: true }));

/** Why the mount tests cannot run here, or "" (they need CAP_SYS_ADMIN and a private mount namespace). */
const why = !root ? "needs root" : !hasUnshare ? "needs unshare(1), util-linux" : "";
const skipped = (extra = "") => (why || extra ? ` (skipped: ${[why, extra].filter(Boolean).join("; ")})` : "");

/**
 * `umountCall` unmounts, as the tracee: umount2 everywhere, umount where the architecture
 * has it. Runs sydbox in a private mount namespace where D/premnt was mounted beforehand.
 */
function mountTest(umountCall: (path: string) => string[]) {
  const A = join(T, "allowed"), D = join(T, "denied");
  for (const d of [join(A, "src"), join(A, "mnt"), join(D, "mnt"), join(D, "premnt")]) mkdirSync(d, { recursive: true });
  const name = umountCall("x")[0];
  const calls = [
    { label: "mount-D", args: ["mount", join(A, "src"), join(D, "mnt"), "none", "MS_BIND"] },
    { label: "mount-A", args: ["mount", join(A, "src"), join(A, "mnt"), "none", "MS_BIND"] },
    { label: "umount-A", args: umountCall(join(A, "mnt")) },
    { label: "umount-D", args: umountCall(join(D, "premnt")) },
  ];
  const script = [
    ...calls.map(callLine),
    `grep -c ${q(" " + join(D, "premnt") + " ")} /proc/self/mountinfo | sed 's/^/premnt-still-mounted=/'`,
    `grep -c ${q(" " + join(D, "mnt") + " ")} /proc/self/mountinfo | sed 's/^/dmnt-mounted=/'`,
    `grep -c ${q(" " + join(A, "mnt") + " ")} /proc/self/mountinfo | sed 's/^/amnt-mounted=/'`,
  ].join("\n");
  // The pre-existing mount is made outside sydbox, inside the namespace.
  const inner = `mount --bind ${q(join(A, "src"))} ${q(join(D, "premnt"))} && exec ${[...sydboxCommand(), "-m", "core/trust/mount:1", "-m", "core/sandbox/write:deny", "-m", `allowlist/write+${A}/***`, "--", "sh", "-c", script].map(q).join(" ")}`;
  const p = Bun.spawnSync(["unshare", "-m", "--propagation", "private", "sh", "-c", inner], { timeout: 30000 });
  const out = results(p.stdout.toString()), err = p.stderr.toString();
  expect(out.get("mount-D")).toBe("EPERM");
  expect(out.get("mount-A")).toBe("ok");
  expect(out.get("umount-A")).toBe("ok");
  expect(out.get("umount-D")).toBe("EPERM");
  expect(out.get("premnt-still-mounted")).toBe("1");
  expect(out.get("dmnt-mounted")).toBe("0");
  expect(out.get("amnt-mounted")).toBe("0");
  const vs = violations(err);
  expect(reported(vs, "mount", join(D, "mnt"))).toBe(true);
  expect(reported(vs, name, join(D, "premnt"))).toBe(true);
  expect(vs.length).toBe(2);
}

test.skipIf(why !== "")(`mount and umount2 (in a private mount namespace): denied outside the allowlist with EPERM and reported, allowed inside${skipped()}`, () => {
  mountTest((path) => ["umount2", path, "0"]);
});

const noUmount = umountExists ? "" : `this architecture, ${process.arch}, has no umount syscall`;
test.skipIf(why !== "" || !umountExists)(`mount and umount (in a private mount namespace): the same${skipped(noUmount)}`, () => {
  rmSync(T, { recursive: true, force: true });
  mountTest((path) => ["umount", path]);
});
