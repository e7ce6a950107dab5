/**
 * The one place a verdict becomes an answer to the kernel. The dispatcher calls it for
 * every notification it decided (after counting and reporting, dispatch.ts); a helper
 * thread calls it for the notification it was handed (emulate/opener.ts), and the launcher
 * for the command's own execve (launch/first-exec.ts). Nothing else calls the listener's
 * answer methods.
 */
import type * as FsOps from "../../ffi/fsops";
import { Errno } from "../errors";
import type { Listener } from "./listener";
import type { Answer } from "./verdict";

/**
 * The raw syscalls, for the verdicts that close an fd or raise a signal: only emulation
 * makes those, and it has loaded them already. The launcher's main thread, which answers
 * one CONTINUE, does not pay for binding them at start-up.
 */
let fsops: typeof FsOps | undefined;
const fs = () => (fsops ??= require("../../ffi/fsops") as typeof FsOps);

/** Answers the current notification of `n` with `v`. */
export function answer(n: Listener, v: Answer): void {
  switch (v.kind) {
    case "continue": return n.continue();
    case "fail": return n.fail(v.errno);
    case "succeed": return n.succeed(v.value);
    case "fd": {
      const e = n.sendFd(v.fd, v.cloexec);
      fs().close(v.fd);
      // ENOENT: the tracee is gone or its call was interrupted; there is no one to answer.
      if (e !== 0 && e !== Errno.ENOENT) n.fail(e);
      return;
    }
    case "signal":
      // After the answer, as the kernel raises SIGPIPE during the call.
      answer(n, v.answer);
      fs().tgkill(v.tgid, v.tid, v.signal);
      return;
    case "handed": // the helper answers
    case "gone": // nobody to answer
      return;
  }
}
