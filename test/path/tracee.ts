/**
 * Test fixtures: real tracee processes and temporary directory trees.
 *
 * A tracee is a python3 process that performs a list of filesystem actions (chdir, mkdir, open a
 * dirfd, start a thread with its own cwd...) and then sleeps, so the resolver can be pointed at a
 * live cwd and fd table. Paths travel as hex so that any byte (newline, non-UTF-8) survives argv.
 */
import { spawnSync } from "bun";
import * as fs from "node:fs";
import * as os from "node:os";

/** A latin1 path string as a Buffer for node:fs (never let fs re-encode it as UTF-8). */
export const B = (s: string): Buffer => Buffer.from(s, "latin1");

/** One setup step run by the tracee, in order. `path` is a latin1 string. */
export type Action =
  | { op: "chdir" | "mkdir" | "touch"; path: string }
  | { op: "opendir" | "openfile"; path: string; key: string }
  | { op: "pipe"; key: string }
  | { op: "thread"; path: string }; // a thread that unshares its cwd and chdirs to `path`

const SCRIPT = String.raw`
import ctypes, json, os, sys, threading, time
spec = json.loads(sys.argv[1])
out = {"pid": os.getpid(), "fds": {}, "tid": None}
for a in spec:
    op = a["op"]; p = bytes.fromhex(a.get("path", ""))
    if op == "chdir": os.chdir(p)
    elif op == "mkdir": os.mkdir(p)
    elif op == "touch": open(p, "wb").close()
    elif op == "opendir": out["fds"][a["key"]] = os.open(p, os.O_RDONLY | os.O_DIRECTORY)
    elif op == "openfile": out["fds"][a["key"]] = os.open(p, os.O_RDONLY)
    elif op == "pipe": out["fds"][a["key"]] = os.pipe()[0]
    elif op == "thread":
        ready = threading.Event()
        def run(p=p):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(0x200) != 0: raise OSError(ctypes.get_errno(), "unshare(CLONE_FS)")
            os.chdir(p)
            out["tid"] = threading.get_native_id()
            ready.set()
            time.sleep(120)
        threading.Thread(target=run, daemon=True).start()
        ready.wait()
sys.stdout.write(json.dumps(out) + "\n")
sys.stdout.flush()
time.sleep(120)
`;

/** A running tracee: its pid, the fds it opened by key, the extra thread's tid, and kill(). */
export interface Tracee {
  pid: number;
  fds: Record<string, number>;
  tid: number | null;
  kill(): Promise<void>;
}

/** Start a tracee in `cwd`, run `actions`, and wait until it reports and sleeps. */
export async function startTracee(cwd: string, actions: Action[] = []): Promise<Tracee> {
  const spec = actions.map((a) => ("path" in a ? { ...a, path: B(a.path).toString("hex") } : a));
  const proc = Bun.spawn(["python3", "-c", SCRIPT, JSON.stringify(spec)], {
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  const kill = async () => {
    proc.kill(9); // only this child, by its own pid
    await proc.exited;
  };
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      await kill();
      throw new Error(`tracee exited before reporting (status ${await proc.exited})`);
    }
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const info = JSON.parse(text.slice(0, text.indexOf("\n")));
  return { pid: info.pid, fds: info.fds, tid: info.tid, kill };
}

/** A fresh temporary directory, canonical (symlinks in TMPDIR resolved) so expectations are exact. */
export function tempDir(): string {
  return fs.realpathSync(fs.mkdtempSync(`${os.tmpdir()}/sydbox-path-`));
}

/** Remove a temporary tree. rm(1) walks with fds, so trees deeper than PATH_MAX go too. */
export function removeDir(dir: string): void {
  spawnSync(["rm", "-rf", "--", dir]);
}
