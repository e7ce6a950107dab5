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
# Then act as a kernel oracle: open what we are told, report the kernel's name for it.
FLAGS = {"follow": os.O_PATH, "nofollow": os.O_PATH | os.O_NOFOLLOW,
         "create": os.O_WRONLY | os.O_CREAT, "excl": os.O_WRONLY | os.O_CREAT | os.O_EXCL}
for line in sys.stdin:
    q = json.loads(line)
    try:
        kw = {} if q["dirfd"] is None else {"dir_fd": q["dirfd"]}
        fd = os.open(bytes.fromhex(q["path"]), FLAGS[q["how"]], 0o644, **kw)
        r = {"path": os.readlink(b"/proc/self/fd/%d" % fd).hex()}
        os.close(fd)
    except OSError as e:
        r = {"errno": e.errno}
    sys.stdout.write(json.dumps(r) + "\n")
    sys.stdout.flush()
time.sleep(120)
`;

/** How the oracle opens: O_PATH, O_PATH|O_NOFOLLOW, O_WRONLY|O_CREAT, O_WRONLY|O_CREAT|O_EXCL. */
export type OpenHow = "follow" | "nofollow" | "create" | "excl";

/** The kernel's verdict on an open by the tracee: the opened file's name (latin1), or an errno. */
export type OracleReply = { path: string } | { errno: number };

/** A running tracee: its pid, the fds it opened by key, the extra thread's tid, and kill(). */
export interface Tracee {
  pid: number;
  fds: Record<string, number>;
  tid: number | null;
  /** Have the tracee itself open `path` (from its cwd or `dirfd`) and name what it got. */
  open(path: string, how: OpenHow, dirfd?: number): Promise<OracleReply>;
  kill(): Promise<void>;
}

/** Start a tracee in `cwd`, run `actions`, and wait until it reports and sleeps. */
export async function startTracee(cwd: string, actions: Action[] = []): Promise<Tracee> {
  const spec = actions.map((a) => ("path" in a ? { ...a, path: B(a.path).toString("hex") } : a));
  const proc = Bun.spawn(["python3", "-c", SCRIPT, JSON.stringify(spec)], {
    cwd,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  const kill = async () => {
    proc.kill(9); // only this child, by its own pid
    await proc.exited;
  };
  const reader = proc.stdout.getReader();
  let text = "";
  const readLine = async (): Promise<any> => {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) {
        await kill();
        throw new Error(`tracee exited early (status ${await proc.exited})`);
      }
      text += new TextDecoder().decode(value);
    }
    const nl = text.indexOf("\n");
    const line = text.slice(0, nl);
    text = text.slice(nl + 1);
    return JSON.parse(line);
  };
  const info = await readLine();
  const open = async (path: string, how: OpenHow, dirfd?: number): Promise<OracleReply> => {
    proc.stdin.write(JSON.stringify({ path: B(path).toString("hex"), how, dirfd: dirfd ?? null }) + "\n");
    proc.stdin.flush();
    const r = await readLine();
    return "path" in r ? { path: Buffer.from(r.path, "hex").toString("latin1") } : r;
  };
  return { pid: info.pid, fds: info.fds, tid: info.tid, open, kill };
}

/** A fresh temporary directory, canonical (symlinks in TMPDIR resolved) so expectations are exact. */
export function tempDir(): string {
  return fs.realpathSync(fs.mkdtempSync(`${os.tmpdir()}/sydbox-path-`));
}

/** Remove a temporary tree. rm(1) walks with fds, so trees deeper than PATH_MAX go too. */
export function removeDir(dir: string): void {
  spawnSync(["rm", "-rf", "--", dir]);
}

/** Names with a space, a newline and bytes that are not UTF-8, used by the fixture tree. */
export const WEIRD = "sp ace\nnl\xff\xe9";
export const WEIRD_FILE = "f\xfe";
export const WEIRD_LINK = "lnk\x80";

/**
 * The resolution fixture under T: directories a, a/sub, b/c, outside, denied,
 * files, and symlinks out (relative, absolute), dangling, through a missing
 * directory, onto a file, in a loop, with odd bytes, and a 41-link chain
 * (chain0 -> ... -> chain40 -> file).
 */
export function buildFixtureTree(T: string): void {
  const mk = (p: string) => fs.mkdirSync(B(`${T}/${p}`), { recursive: true });
  const touch = (p: string) => fs.writeFileSync(B(`${T}/${p}`), "");
  const ln = (target: string, p: string) => fs.symlinkSync(B(target), B(`${T}/${p}`));
  mk("a/sub");
  mk("b/c");
  mk("outside");
  mk("denied");
  mk(`a/${WEIRD}`);
  touch("a/file");
  touch("a/sub/file2");
  touch("outside/secret");
  touch(`a/${WEIRD}/${WEIRD_FILE}`);
  ln("../outside", "a/out");
  ln(`${T}/outside`, "a/outabs");
  ln("../b/c", "a/deep");
  ln("../denied/new", "a/dang");
  ln("../nodir/new", "a/dangnodir");
  ln("file", "a/notdir");
  ln("loop2", "a/loop1");
  ln("loop1", "a/loop2");
  ln(`${WEIRD}/${WEIRD_FILE}`, `a/${WEIRD_LINK}`);
  for (let i = 0; i < 40; i++) ln(`chain${i + 1}`, `a/chain${i}`);
  ln("file", "a/chain40");
}
