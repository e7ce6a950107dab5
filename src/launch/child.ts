/**
 * The child stage: what runs between Bun's start and the command's execve, in
 * the process that becomes the command. Bun must not fork, so the parent
 * re-executes its own binary to get here. The order of the steps matters and
 * each one is named below.
 */
import { ptr } from "bun:ffi";
import {
  PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG, RLIMIT_NOFILE, SECCOMP_FILTER_FLAG_NEW_LISTENER,
  SECCOMP_SET_MODE_FILTER, SIGKILL, SIG_DFL, SIG_SETMASK,
} from "../../ffi/constants";
import { loadLibc, type Libc } from "../../ffi/libc";
import { cstr, cstrArray } from "../cstring";
import { CTL_FD, INFO_FD, type ChildSpec } from "./protocol";

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

/** Runs the child stage; never returns. */
export function childMain(): never {
  const L = loadLibc();

  const lenBuf = new Uint32Array(1);
  // EOF before a spec: the parent decided to run nothing (help, a bad option...).
  if (!readExactly(L, CTL_FD, new Uint8Array(lenBuf.buffer))) L._exit(EXIT_SETUP_FAILED);
  const specBuf = new Uint8Array(lenBuf[0]);
  if (!readExactly(L, CTL_FD, specBuf)) fail(L, "child stage: truncated spec");
  const spec = JSON.parse(new TextDecoder().decode(specBuf)) as ChildSpec;

  // Marshal everything execve needs before the filter exists: after it, every
  // allocation that touches a filtered syscall would wait for the supervisor.
  const path = cstr(spec.path);
  const argv = cstrArray(spec.argv);
  const envp = cstrArray(spec.env);
  const emptySet = new Uint8Array(128);
  L.sigemptyset(emptySet);
  const rlim = spec.nofile ? new BigUint64Array([BigInt(spec.nofile[0]), BigInt(spec.nofile[1])]) : null;
  const ack = new Uint8Array(1);
  // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
  const bpf = Buffer.from(spec.bpf, "base64");
  const fprog = new BigUint64Array([BigInt(bpf.length / 8), BigInt(ptr(bpf))]);
  // core/restrict: a second program, loaded last (step 8) so that the runtime never runs under it.
  const restrict = spec.restrictBpf === null ? null : Buffer.from(spec.restrictBpf, "base64");
  const restrictProg = restrict && new BigUint64Array([BigInt(restrict.length / 8), BigInt(ptr(restrict))]);

  // 1. no_new_privs: required to load a filter unprivileged, and it stops setuid
  //    binaries from gaining privileges the sandbox cannot see.
  if (L.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) !== 0) fail(L, `prctl(PR_SET_NO_NEW_PRIVS): errno ${L.errno()}`);
  // 2. If sydbox dies, the command must not run on unsupervised (its notified
  //    calls would fail with ENOSYS). Re-check the parent afterwards: it may have
  //    died before the signal was armed.
  if (L.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) !== 0) fail(L, `prctl(PR_SET_PDEATHSIG): errno ${L.errno()}`);
  if (process.ppid !== spec.parentPid) fail(L, "child stage: sydbox exited before the command started");

  // 3. Load the filter (compiled by libseccomp in the parent) and get its
  //    listener. Only this thread gets it; execve discards the others.
  const lfd = Number(L.syscall(spec.seccompNr, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, Number(ptr(fprog)), 0, 0, 0));
  if (lfd < 0) fail(L, `seccomp(SECCOMP_SET_MODE_FILTER) failed: errno ${L.errno()}`);

  // 4. Hand the listener over: the parent copies it out of us with pidfd_getfd.
  const info = new Int32Array([lfd, L.getpid()]);
  if (L.write(INFO_FD, info, 8) !== 8) fail(L, "child stage: cannot report the listener");

  // 5. Wait for the ack: the supervisor must be answering before we execve,
  //    because execve itself may be a notified call.
  if (L.read(CTL_FD, ack, 1) !== 1) L._exit(EXIT_SETUP_FAILED);
  L.close(INFO_FD);
  L.close(CTL_FD);
  L.close(lfd);

  // 6. Bun ignores SIGPIPE and SIGXFSZ and may block signals; SIG_IGN and the
  //    mask survive execve, so give the command the defaults it expects.
  for (let s = 1; s < 65; s++) if (s !== SIGKILL && s !== 19 && s !== 32 && s !== 33) L.signal(s, SIG_DFL);
  L.sigprocmask(SIG_SETMASK, emptySet, null);

  // 7. Bun raised RLIMIT_NOFILE at startup; the command gets the invoker's limit.
  if (rlim) L.setrlimit(RLIMIT_NOFILE, rlim);

  // 8. core/restrict: the allowlist filter, the last thing before execve because
  //    the Bun runtime could not run under it.
  if (restrictProg && Number(L.syscall(spec.seccompNr, SECCOMP_SET_MODE_FILTER, 0, Number(ptr(restrictProg)), 0, 0, 0)) < 0) {
    fail(L, `seccomp(SECCOMP_SET_MODE_FILTER) of the core/restrict filter failed: errno ${L.errno()}`);
  }

  // 9. Become the command.
  L.execve(path, argv.pointers, envp.pointers);
  const e = L.errno();
  process.stderr.write(`sydbox: ${spec.argv[0]}: ${errnoText(e)}\n`);
  L._exit(e === 2 ? 127 : 126);
  throw new Error("unreachable");
}

function errnoText(e: number): string {
  return e === 2 ? "command not found" : e === 13 ? "Permission denied" : `cannot execute (errno ${e})`;
}
