/**
 * Cost per resolution, against a live tracee: `bun test/path-unit/bench.ts`.
 * Prints microseconds per call for typical absolute and relative paths, on the fast path and on
 * the exact walk (what errors, symlinked last components and /proc/self pay).
 */
import * as fs from "node:fs";
import { resolvePath, type ResolveMode } from "../../src/path/resolve.ts";
import { removeDir, startTracee, tempDir } from "./tracee.ts";

const T = tempDir();
fs.mkdirSync(`${T}/build/src/lib`, { recursive: true });
fs.writeFileSync(`${T}/build/src/lib/util.c`, "");
fs.symlinkSync("src/lib", `${T}/build/lnk`);
const tr = await startTracee(`${T}/build`);

function bench(label: string, dirfd: "cwd" | number, path: string, mode: ResolveMode, slowOnly = false): void {
  const opts = { slowOnly };
  const r = resolvePath(tr.pid, dirfd, path, mode, opts);
  const N = 50_000;
  for (let i = 0; i < 5_000; i++) resolvePath(tr.pid, dirfd, path, mode, opts);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) resolvePath(tr.pid, dirfd, path, mode, opts);
  const us = ((performance.now() - t0) * 1000) / N;
  console.log(`${us.toFixed(2).padStart(7)} us  ${label.padEnd(44)} ${JSON.stringify(r.ok ? r.path.replace(T, "$T") : r)}`);
}

try {
  const abs = "/usr/include/stdio.h";
  bench("absolute, follow (fast)", "cwd", abs, "follow");
  bench("absolute, follow (exact walk)", "cwd", abs, "follow", true);
  bench("absolute, missing-ok, new file (fast)", "cwd", `${T}/build/src/lib/new.o`, "missing-ok");
  bench("absolute, missing-ok, new file (exact walk)", "cwd", `${T}/build/src/lib/new.o`, "missing-ok", true);
  bench("relative, follow (fast)", "cwd", "src/lib/util.c", "follow");
  bench("relative, follow (exact walk)", "cwd", "src/lib/util.c", "follow", true);
  bench("relative, missing-ok, new file (fast)", "cwd", "src/lib/util.o", "missing-ok");
  bench("relative, nofollow (fast)", "cwd", "src/lib/util.c", "nofollow");
  bench("relative through a symlink, follow (fast)", "cwd", "lnk/util.c", "follow");
  bench("missing file, follow (ENOENT, exact walk)", "cwd", "src/lib/nope.h", "follow");
  bench("/proc/self/cwd/..., follow (exact walk)", "cwd", "/proc/self/cwd/src/lib/util.c", "follow");
  bench("/dev/null (fast)", "cwd", "/dev/null", "follow");
} finally {
  await tr.kill();
  removeDir(T);
}
