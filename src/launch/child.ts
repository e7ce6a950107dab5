/**
 * The child stage: what runs between Bun's start and the command's start. Bun
 * must not fork, so the parent re-executes its own binary to get here. It loads
 * the filter, then starts the command and stays on as the reaper of the
 * sandboxed tree (reaper.ts: fail-closed). The order of the steps matters and
 * each one is named below.
 */
import { ptr } from "bun:ffi";
import {
  PR_SET_NO_NEW_PRIVS, RLIMIT_CORE, RLIMIT_NOFILE, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_SET_MODE_FILTER, SIG_DFL, SIG_SETMASK,
} from "../../ffi/constants";
import { loadLibc, type Libc } from "../../ffi/libc";
import { loadSpawn } from "../../ffi/spawn";
import { cstr, cstrArray } from "../cstring";
import { CTL_FD, INFO_FD, Role, type ChildSpec } from "./protocol";
import { entryWorker } from "./entry";
import { Reaper } from "./reaper";

// Exit statuses of the child stage when it fails before execve; the parent maps them.
const EXIT_SETUP_FAILED = 125;

function fail(L: Libc, what: string, code = EXIT_SETUP_FAILED): never {
  process.stderr.write(`sydbox: ${what}\n`);
  L._exit(code);
  throw new Error("unreachable");
}

function readExactly(L: Libc, fd: number, buf: Uint8Array): boolean {
  let got = 0;
  while (got < buf.length) {
    const n = L.read(fd, ptr(buf, got), buf.length - got);
    if (n <= 0) return false;
    got += n;
  }
  return true;
}

// The watchdog runs a few lines, forever: JSC's small heap is enough, and is quicker to
// set up and tear down (sydbox -- true measured side by side: README, Fail-closed).
const newWatchdog = () => entryWorker("launch/reaper-worker.ts", { smol: true });

/**
 * Runs the child stage; never returns. `watchdogFirst`: create the watchdog
 * thread at once, before the role arrives (prelaunch.ts `watchdogFirst`).
 */
export function childMain(watchdogFirst: boolean): never {
  const L = loadLibc();

  // 0. Become the reaper and watchdog of the tree to be (reaper.ts) while the
  //    parent is still parsing the command line: it costs no start-up time here.
  //    It needs pidfd_open and open, which the filter would deny or notify. The
  //    watchdog thread is created before the filter exists, so it never runs
  //    under it: now if the parent said so, else once the role asks for it. Its
  //    runtime boots while we wait for the parent.
  let reaper: Reaper;
  try {
    reaper = new Reaper(L, process.ppid);
    if (watchdogFirst) reaper.watchWith(newWatchdog());
  } catch (e) {
    fail(L, `child stage: ${(e as Error).message}`);
  }

  // EOF before the role: the parent decided to run nothing (help, a bad option...).
  const role = new Uint8Array(1);
  if (!readExactly(L, CTL_FD, role)) L._exit(EXIT_SETUP_FAILED);
  // None under core/restrict: the child stage then resets its signal dispositions
  // and execs, and a second runtime in the process aborted the run now and then
  // (SIGABRT in CI). The parent never asks a child stage with a watchdog for that.
  if (role[0] === Role.Command && watchdogFirst) fail(L, "child stage: asked to become the command, but its watchdog runs");
  if (role[0] === Role.Reaper && !watchdogFirst) {
    try { reaper.watchWith(newWatchdog()); }
    catch (e) { fail(L, `child stage: the watchdog thread: ${(e as Error).message}`); }
  }

  const lenBuf = new Uint32Array(1);
  if (!readExactly(L, CTL_FD, new Uint8Array(lenBuf.buffer))) L._exit(EXIT_SETUP_FAILED);
  const specBuf = new Uint8Array(lenBuf[0]);
  if (!readExactly(L, CTL_FD, specBuf)) fail(L, "child stage: truncated spec");
  const spec = JSON.parse(new TextDecoder().decode(specBuf)) as ChildSpec;
  if ((spec.restrictBpf === null) !== (role[0] === Role.Reaper)) fail(L, "child stage: the spec contradicts the role");

  // Marshal everything the command's start needs before the filter exists:
  // after it, every allocation that touches a filtered syscall would wait for
  // the supervisor.
  const path = cstr(spec.path);
  const argv = cstrArray(spec.argv);
  const envp = cstrArray(spec.env);
  const rlim = spec.nofile ? new BigUint64Array([BigInt(spec.nofile[0]), BigInt(spec.nofile[1])]) : null;
  const ack = new Uint8Array(1);
  // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
  const bpf = Buffer.from(spec.bpf, "base64");
  const fprog = new BigUint64Array([BigInt(bpf.length / 8), BigInt(ptr(bpf))]);
  const noCore = new BigUint64Array([0n, 0n]);
  // core/restrict: a second program, loaded last (step 7) so that the runtime never runs under it.
  const restrict = spec.restrictBpf === null ? null : Buffer.from(spec.restrictBpf, "base64");
  const restrictProg = restrict && new BigUint64Array([BigInt(restrict.length / 8), BigInt(ptr(restrict))]);

  // 1. no_new_privs: required to load a filter unprivileged, and it stops setuid
  //    binaries from gaining privileges the sandbox cannot see.
  const nnp = L.ret(L.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  if (nnp !== 0) fail(L, `prctl(PR_SET_NO_NEW_PRIVS): errno ${-nnp}`);
  // 2. The reaper watches the process that started us: it must be sydbox.
  if (reaper.parentPid !== spec.parentPid) fail(L, "child stage: sydbox exited before the command started");

  // 2b. No core files (unless core/trust/core_dumps): the kernel writes them into the working
  //     directory, past every path check. 0/0 so that only a privileged process could raise
  //     it again, and the rules program refuses that (refusals.ts).
  const core = spec.coreDumps ? 0 : L.ret(L.setrlimit(RLIMIT_CORE, noCore));
  if (core !== 0) fail(L, `setrlimit(RLIMIT_CORE): errno ${-core}`);

  // 3. Load the filter (compiled in the parent) and get its listener. Only this thread gets
  //    it (the command inherits it); Bun's other threads stay unfiltered and never touch
  //    the sandboxed tree.
  const lfd = L.ret(Number(L.syscall(spec.seccompNr, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, Number(ptr(fprog)), 0, 0, 0)));
  if (lfd < 0) fail(L, `seccomp(SECCOMP_SET_MODE_FILTER) failed: errno ${-lfd}`);

  // 4. Hand the listener over: the parent copies it out of us with pidfd_getfd.
  const info = new Int32Array([lfd, L.getpid()]);
  if (L.write(INFO_FD, info, 8) !== 8) fail(L, "child stage: cannot report the listener");

  // 5. Wait for the ack: the listener is in the parent's hands. The command's
  //    execve, a notified call, waits in the kernel's queue until the Worker
  //    answers it. EOF: sydbox is gone.
  if (L.read(CTL_FD, ack, 1) !== 1) L._exit(EXIT_SETUP_FAILED);
  L.close(CTL_FD);
  L.close(lfd);

  // 6. Bun raised RLIMIT_NOFILE at startup; the command gets the invoker's limit.
  if (rlim) L.setrlimit(RLIMIT_NOFILE, rlim);

  // 7. core/restrict: the allowlist filter cannot be put on a process started
  //    by posix_spawn, and the reaper (a Bun runtime that must poll, wait and
  //    kill) cannot run under it. So the child stage becomes the command, as
  //    PR_SET_PDEATHSIG covers it; at level 1 the command cannot create
  //    processes, so nothing escapes that (levels 2 and 3: see docs/design.md).
  if (restrictProg) {
    reaper.release();
    L.write(INFO_FD, new Int32Array([L.getpid()]), 4);
    L.close(INFO_FD);
    // Bun ignores SIGPIPE and SIGXFSZ and may block signals, and the reaper
    // ignores more; SIG_IGN and the mask survive execve.
    for (let s = 1; s < 65; s++) if (s !== 9 && s !== 19 && s !== 32 && s !== 33) L.signal(s, SIG_DFL);
    // A session of its own, without the invoker's terminal (core/trust/terminal keeps them): see reaper.spawn.
    const sid = spec.newSession ? L.ret(loadSpawn().setsid()) : 0;
    if (sid < 0) fail(L, `setsid: errno ${-sid}`);
    L.sigprocmask(SIG_SETMASK, new Uint8Array(128), null);
    const loaded = L.ret(Number(L.syscall(spec.seccompNr, SECCOMP_SET_MODE_FILTER, 0, Number(ptr(restrictProg)), 0, 0, 0)));
    if (loaded < 0) fail(L, `seccomp(SECCOMP_SET_MODE_FILTER) of the core/restrict filter failed: errno ${-loaded}`);
    const e = -L.ret(L.execve(path, argv.pointers, envp.pointers));
    process.stderr.write(`sydbox: ${spec.argv[0]}: ${errnoText(e)}\n`);
    L._exit(e === 2 ? 127 : 126);
  }

  // 8. Start the command with the default signal dispositions and an empty mask
  //    (Bun ignores SIGPIPE and SIGXFSZ, and the reaper ignores more).
  const pid = reaper.spawn(path, argv.pointers, envp.pointers, INFO_FD, spec.newSession);
  if (pid < 0) {
    process.stderr.write(`sydbox: ${spec.argv[0]}: ${errnoText(-pid)}\n`);
    L._exit(-pid === 2 ? 127 : 126);
  }

  // 9. Tell the parent which process is the eldest (signals are forwarded to it).
  L.write(INFO_FD, new Int32Array([pid]), 4);
  L.close(INFO_FD);

  // 10. Reap the tree until it is empty; the watchdog kills it if sydbox dies.
  reaper.run(pid);
}

function errnoText(e: number): string {
  return e === 2 ? "command not found" : e === 13 ? "Permission denied" : `cannot execute (errno ${e})`;
}
