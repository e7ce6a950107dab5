/**
 * Helpers for the network tests: a real Python interpreter run under sydbox with a small
 * prelude, servers started by the test process itself (outside the sandbox), free ports.
 * Everything stays on loopback; every wait is bounded.
 */
import { realpathSync } from "node:fs";
import { sydbox } from "../lib/sydbox";

/** The real interpreter (not a pyenv shim, whose shell script writes to /dev/null). */
export const PYTHON: string = (() => {
  const r = Bun.spawnSync(["python3", "-c", "import sys; print(sys.executable)"]);
  const exe = r.stdout.toString().trim();
  if (r.exitCode !== 0 || !exe) throw new Error("python3 is required by the network tests");
  return realpathSync(exe);
})();

/**
 * `t(label, fn)` runs fn and prints `label=OK[:value]` or `label=ERRNONAME`. Output lines are
 * flushed, so a forked child's lines are not lost.
 */
const PRELUDE = `
import socket, errno, os, sys, struct
def t(label, f):
    try:
        r = f()
        print(label + "=OK" + ("" if r is None else ":" + str(r)), flush=True)
        return r
    except OSError as e:
        print(label + "=" + errno.errorcode.get(e.errno, str(e.errno)), flush=True)
        return None
`;

/** The outcome of one sandboxed Python run: `out[label]` is what `t(label, ...)` printed. */
export interface PyResult {
  status: number;
  out: Record<string, string>;
  stdout: string;
  stderr: string;
}

/** Runs Python `code` (after the prelude) under `sydbox ...args`. */
export async function py(args: string[], code: string, opts: { cwd?: string } = {}): Promise<PyResult> {
  const r = await sydbox([...args, "--", PYTHON, "-I", "-B", "-c", PRELUDE + code], { cwd: opts.cwd, timeoutMs: 20000 });
  const out: Record<string, string> = {};
  for (const line of r.stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { status: r.status, out, stdout: r.stdout, stderr: r.stderr };
}

/** Network sandboxing on, in deny mode, plus the given magic commands. */
export function deny(...magic: string[]): string[] {
  return ["-m", "core/sandbox/network:deny", ...magic.flatMap((m) => ["-m", m])];
}

/** A TCP server outside the sandbox that records what it receives. */
export interface Server {
  port: number;
  received(): string;
  /** Waits (at most `ms`) until `text` has arrived. */
  waitFor(text: string, ms?: number): Promise<boolean>;
  stop(): void;
}

function recorder(listen: (handlers: { data: (s: unknown, d: Uint8Array) => void }) => { port?: number; stop: (force?: boolean) => void }): Server {
  let got = "";
  const srv = listen({ data: (_s, d) => { got += Buffer.from(d).toString("latin1"); } });
  return {
    port: srv.port ?? 0,
    received: () => got,
    async waitFor(text, ms = 3000) {
      const end = Date.now() + ms;
      while (!got.includes(text) && Date.now() < end) await Bun.sleep(20);
      return got.includes(text);
    },
    stop: () => srv.stop(true),
  };
}

/** Listens on hostname:0 (TCP). */
export function tcpServer(hostname = "127.0.0.1"): Server {
  return recorder((h) => Bun.listen({ hostname, port: 0, socket: { data: h.data } }));
}

/** Listens on a unix socket path. */
export function unixServer(path: string): Server {
  return recorder((h) => Bun.listen({ unix: path, socket: { data: h.data } }));
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = s.port;
  s.stop(true);
  return p;
}

/** The report line SydBox prints for a call. */
export function reported(stderr: string, call: string): boolean {
  return stderr.split("\n").includes(`sydbox: ${call}`);
}

/** Number of violation reports. */
export function reports(stderr: string): number {
  return stderr.split("\n").filter((l) => l.startsWith("sydbox: 8< -- Access Violation!")).length;
}

/** A UDP receiver outside the sandbox on 127.0.0.1, recording datagrams. */
export async function udpServer(): Promise<Server> {
  let got = "";
  const s = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0, socket: { data: (_s, d) => { got += Buffer.from(d).toString("latin1") + "\n"; } } });
  return {
    port: s.port,
    received: () => got,
    async waitFor(text, ms = 3000) {
      const end = Date.now() + ms;
      while (!got.includes(text) && Date.now() < end) await Bun.sleep(20);
      return got.includes(text);
    },
    stop: () => s.close(),
  };
}
