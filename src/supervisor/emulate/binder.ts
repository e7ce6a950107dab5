/**
 * A one-shot thread for a unix bind (src/supervisor/bind.ts): the kernel resolves a bind's
 * path itself, directories included, and the socket keeps the bytes it was bound with
 * (getsockname, its peers), so the supervisor cannot bind through its pinned parent
 * directory as it connects. Instead this thread confines itself with Landlock, creating
 * socket files only in that pinned directory and below it, then binds the checked path: a
 * directory swapped for a symlink after the check leads the lookup out of the pinned
 * directory and the bind fails with EACCES, where it would have created the socket there.
 * A Landlock domain cannot be left, so each bind has a thread of its own, which ends after it.
 */
import { ptr } from "bun:ffi";
import { PR_SET_NO_NEW_PRIVS } from "../../../ffi/constants";
import * as fs from "../../../ffi/fsops";
import { loadLibc } from "../../../ffi/libc";
import { asTracee } from "./creds";
import type { BindJob } from "./jobs";

declare const self: Worker;

const L = loadLibc();

self.onmessage = (ev: MessageEvent<BindJob>) => {
  const j = ev.data;
  const out = new Int32Array(j.result);
  let r: number;
  try {
    // no_new_privs is per thread, and lets an unprivileged thread take a Landlock domain.
    r = L.ret(L.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    if (r === 0) r = fs.confineSocketsBeneath(j.dir);
    if (r === 0) r = asTracee(j.status, true, () => L.ret(L.bind(j.sock, ptr(j.addr), j.addr.length)));
  } finally {
    L.close(j.sock);
    L.close(j.dir);
  }
  out[0] = r;
  Atomics.store(out, 1, 1);
  Atomics.notify(out, 1);
};
