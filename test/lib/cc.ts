/**
 * Compiles the C helpers under test/c with the system compiler, once per
 * source change, into test/.build.
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./sydbox";

const BUILD = join(ROOT, "test", ".build");

/** Path of the compiled helper `name` (test/c/NAME.c), building it if stale. */
export function cc(name: string, flags: string[] = []): string {
  const src = join(ROOT, "test", "c", `${name}.c`);
  const out = join(BUILD, name + (flags.length ? "-" + flags.join("").replace(/[^a-z0-9]/gi, "") : ""));
  mkdirSync(BUILD, { recursive: true });
  let fresh = false;
  try { fresh = statSync(out).mtimeMs >= statSync(src).mtimeMs; } catch {}
  if (!fresh) {
    const r = Bun.spawnSync(["cc", "-O2", "-Wall", "-o", out, src, "-lpthread", ...flags], { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`cc ${name}.c failed: ${r.stderr.toString()}`);
  }
  return out;
}

/** Does `cc -m32` build and run a 32-bit program here? */
function m32Works(): boolean {
  const dir = join(BUILD, "m32-probe");
  mkdirSync(dir, { recursive: true });
  const src = join(dir, "probe.c"), out = join(dir, "probe");
  writeFileSync(src, "int main(void) { return sizeof(void *) == 4 ? 0 : 1; }\n");
  return Bun.spawnSync(["cc", "-m32", "-o", out, src], { stderr: "pipe" }).exitCode === 0 && Bun.spawnSync([out]).exitCode === 0;
}

/**
 * Whether 32-bit helpers can be built (`cc -m32`). Debian needs gcc-multilib:
 * as root with apt-get, it is installed here (as .ci/run does), once. Returns
 * null when they can, else why not, for the skip message.
 */
export function m32Unavailable(): string | null {
  if (m32Works()) return null;
  if (process.getuid?.() === 0 && Bun.which("apt-get")) {
    Bun.spawnSync(["apt-get", "install", "-y", "-q", "gcc-multilib"], { stdout: "ignore", stderr: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (m32Works()) return null;
  }
  return "cc -m32 cannot build 32-bit programs (install gcc-multilib)";
}
