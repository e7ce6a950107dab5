/**
 * -b (bpf only): every sandbox mode becomes a rule of the kernel filter, and the
 * supervisor receives no notification (the --stats count proves it), except the
 * command's own execve when exec sandboxing is on.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cc } from "../lib/cc";
import { statsCounts, sydbox } from "../lib/sydbox";

/** The total notification count --stats printed. */
function notifications(stderr: string): number {
  const m = stderr.match(/^sydbox: stats: (\d+) notifications/m);
  if (!m) throw new Error(`no --stats line in:\n${stderr}`);
  return Number(m[1]);
}

const dir = mkdtempSync(join(tmpdir(), "sydbox-bpf-"));
const PY = `
import socket, errno
def t(label, f):
    try:
        f(); print(label, "ok")
    except OSError as e:
        print(label, errno.errorcode[e.errno])
t("connect", lambda: socket.create_connection(("127.0.0.1", 9), timeout=5))
t("bind", lambda: socket.socket().bind(("127.0.0.1", 0)))
t("sendto", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", 9)))
a, b = socket.socketpair()
t("send", lambda: a.send(b"x"))
`;

describe("-b", () => {
  test("write deny: write opens, creat, mkdir, unlink are EPERM in the kernel; allowlists do not apply", async () => {
    const sysc = cc("sysc");
    mkdirSync(join(dir, "keep"));
    const run = (...args: string[]) => sydbox(["--stats", "-b", "-m", "core/sandbox/write:deny", "-m", `allowlist/write+${dir}/***`, "--", sysc, ...args]);
    const cases: Array<[string[], string]> = [
      [["openat", "cwd", join(dir, "a"), "O_WRONLY|O_CREAT", "0644"], "EPERM"],
      [["openat", "cwd", "/etc/passwd", "O_RDWR", "0"], "EPERM"],
      [["creat", join(dir, "b"), "0644"], "EPERM"],
      [["mkdir", join(dir, "c"), "0755"], "EPERM"],
      [["unlinkat", "cwd", join(dir, "keep"), "AT_REMOVEDIR"], "EPERM"],
      [["openat", "cwd", "/etc/passwd", "O_RDONLY", "0"], "ok"],
    ];
    for (const [args, want] of cases) {
      const r = await run(...args);
      expect({ args, out: r.stdout.trim() }).toEqual({ args, out: want });
      expect(notifications(r.stderr)).toBe(0);
      expect(r.stderr).not.toContain("Access Violation");
    }
    expect(existsSync(join(dir, "a")) || existsSync(join(dir, "b")) || existsSync(join(dir, "c"))).toBe(false);
    expect(existsSync(join(dir, "keep"))).toBe(true);
  }, 60000);

  test("network deny: bind, connect and sendto with an address are EPERM in the kernel; send on a connected socket works", async () => {
    const r = await sydbox(["--stats", "-b", "-m", "core/sandbox/network:deny", "-m", "allowlist/network/connect+inet:127.0.0.1@9", "--", "python3", "-c", PY]);
    expect(r.stdout.trim().split("\n")).toEqual(["connect EPERM", "bind EPERM", "sendto EPERM", "send ok"]);
    expect(notifications(r.stderr)).toBe(0);
  }, 30000);

  test("exec deny: the command starts, and every later execve fails in the kernel (ENOSYS) with no notification", async () => {
    const r = await sydbox(["--stats", "-b", "-m", "core/sandbox/exec:deny", "--", "sh", "-c", "/bin/true; echo rc=$?; exec /bin/true"]);
    expect(r.stdout).toContain("rc=126"); // sh: "Function not implemented"
    expect(r.stderr).toContain("Function not implemented");
    expect(r.status).not.toBe(0); // the final exec failed too
    // The only notification is the command's own execve, which starts it.
    expect(notifications(r.stderr)).toBe(1);
    expect(statsCounts(r.stderr)).toEqual({ execve: 1 });
  }, 30000);

  test("a profile's decision:deny does not bring notifications back", async () => {
    const r = await sydbox(["--stats", "-b", "--profile", "paludis", "-m", "core/sandbox/write:deny", "--", cc("sysc"), "mkdir", join(dir, "p"), "0755"]);
    expect(r.stdout.trim()).toBe("EPERM");
    expect(notifications(r.stderr)).toBe(0);
  }, 30000);

  test("--export pfc -b: no notify action unless exec sandboxing is on, and then only for execve/execveat", async () => {
    const off = await sydbox(["--export", "pfc", "-b", "-m", "core/sandbox/write:deny", "-m", "core/sandbox/read:deny", "-m", "core/sandbox/network:deny"]);
    expect(off.status).toBe(0);
    expect(off.stdout).not.toContain("action NOTIFY");
    expect(off.stdout).not.toMatch(/action 0x7fc00000/);
    expect(off.stdout).toContain('filter for syscall "mkdir"');
    expect(off.stdout).toContain("action ERRNO(1)");
    expect(off.stdout).toContain("action ERRNO(38)"); // openat2: callers fall back to openat
    const exec = await sydbox(["--export", "pfc", "-b", "-m", "core/sandbox/exec:deny"]);
    const notified = [...exec.stdout.matchAll(/# filter for syscall "(\w+)"[^\n]*\n(?:[^#\n]*\n)*?\s*action (?:NOTIFY|0x7fc00000)/g)].map((m) => m[1]);
    expect(new Set(notified)).toEqual(new Set(["execve", "execveat"]));
  }, 30000);
});

test("core/sandbox/exec:bpf without -b: the command itself starts, later execs are denied without a report", async () => {
  const r = await sydbox(["-m", "core/sandbox/exec:bpf", "--", "sh", "-c", "/bin/true; echo rc=$?"]);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain("rc=126");
  expect(r.stderr).not.toContain("Access Violation");
}, 30000);
