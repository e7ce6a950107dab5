/**
 * connect, emulated: the supervisor connects its copy of the tracee's socket (tracee-fd.ts)
 * with the checked address bytes, so a tracee thread rewriting the sockaddr after the check
 * changes nothing. A unix path is reached through its parent directory, pinned with
 * RESOLVE_NO_SYMLINKS (canonical.ts), as /proc/self/fd/N/NAME: a directory swapped for a
 * symlink after the check is not followed.
 *
 * Documented limits: the last component of a unix path is still looked up by connect
 * itself (a symlink swapped in there is followed); a blocking connect blocks the supervisor
 * thread for as long as it takes (TCP to an unresponsive host: until the kernel's timeout;
 * in builds, connects go to local services). sendto and sendmsg stay CONTINUE.
 */
import * as fs from "../../../ffi/fsops";
import { Errno } from "../../errors";
import { unixSockaddr } from "../bind";
import type { Dispatcher } from "../dispatch";
import { fetchTraceeFd } from "../tracee-fd";
import { openParent, selfFd, type Parent } from "./canonical";
import { asTracee } from "./creds";

const parent: Parent = { fd: -1, name: "" };

/**
 * Connects socket `sockfd` of the current notification's process to the raw checked
 * `sockaddr` (or, for a unix path, to checked canonical `unixPath`) and answers the call.
 */
export function connectFor(d: Dispatcher, sockfd: number, sockaddr: Uint8Array, unixPath: string | null): void {
  const n = d.n;
  const got = fetchTraceeFd(d, sockfd);
  if (got.kind === "gone") return;
  if (got.kind === "badf") return n.fail(Errno.EBADF);
  if (got.kind === "unavailable") return n.continue(); // no pidfd_getfd here: the kernel connects
  try {
    let addr = sockaddr, pinned = -1;
    if (unixPath !== null) {
      const r = openParent(unixPath, null, parent);
      if (r < 0) return n.fail(-r);
      pinned = parent.fd;
      addr = unixSockaddr(`${selfFd(pinned)}/${parent.name}`) ?? sockaddr;
    }
    const r = asTracee(got.status, false, () => fs.connect(got.fd, addr));
    if (pinned >= 0) fs.close(pinned);
    if (r < 0) n.fail(-r);
    else n.succeed(0);
  } finally {
    fs.close(got.fd);
  }
}
