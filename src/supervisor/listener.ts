/**
 * The seccomp listener as seen by one supervisor thread: preallocated
 * notification, response and addfd buffers and the ioctls on them. Nothing here
 * allocates per notification; 64-bit values are read as two 32-bit halves.
 */
import { P32, stablePtr } from "../../ffi/pointer";
import {
  AUDIT_ARCH_64BIT, NOTIF_IOCTL, X32_SYSCALL_BIT, NOTIF_LAYOUT, O_CLOEXEC, POLLERR, POLLHUP, POLLIN, POLLNVAL, SECCOMP_ADDFD_FLAG_SEND,
  SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, SECCOMP_USER_NOTIF_FLAG_CONTINUE,
} from "../../ffi/constants";
import type { Libc } from "../../ffi/libc";
import { Errno } from "../errors";

// The layouts' byte offsets as indices into the Uint32Array/Int32Array views.
const N = NOTIF_LAYOUT;
const ID = N.OFF_ID / 4, PID = N.OFF_PID / 4, NR = N.OFF_NR / 4, ARCH = N.OFF_ARCH / 4, ARGS = N.OFF_ARGS / 4;
const R_ID = N.RESP_OFF_ID / 4, R_VAL = N.RESP_OFF_VAL / 4, R_ERROR = N.RESP_OFF_ERROR / 4, R_FLAGS = N.RESP_OFF_FLAGS / 4;
const A_ID = N.ADDFD_OFF_ID / 4, A_FLAGS = N.ADDFD_OFF_FLAGS / 4, A_SRCFD = N.ADDFD_OFF_SRCFD / 4;
const A_NEWFD = N.ADDFD_OFF_NEWFD / 4, A_NEWFD_FLAGS = N.ADDFD_OFF_NEWFD_FLAGS / 4;

/** What `wait()` or `next()` saw on the listener. */
export const enum Wake {
  Notification,
  /** No tracee is left: every process that carried the filter has exited. */
  Hangup,
  Interrupted,
  /** The notification was gone before we took it (tracee killed, or another thread took it). */
  Vanished,
}

/** One thread's view of the listener fd. */
export class Listener {
  private readonly notif = new Uint32Array(NOTIF_LAYOUT.NOTIF_SIZE / 4);
  private readonly notifI = new Int32Array(this.notif.buffer);
  private readonly resp = new Uint32Array(NOTIF_LAYOUT.RESP_SIZE / 4);
  private readonly respI = new Int32Array(this.resp.buffer);
  private readonly addfd = new Uint32Array(NOTIF_LAYOUT.ADDFD_SIZE / 4);
  private readonly pollfd = new Int32Array(2);
  private readonly pollfd16 = new Int16Array(this.pollfd.buffer);
  private readonly notifPtr: number;
  private readonly respPtr: number;
  private readonly addfdPtr: number;
  private readonly pollPtr: number;

  constructor(private readonly L: Libc, readonly fd: number) {
    this.notifPtr = stablePtr(this.notif);
    this.respPtr = stablePtr(this.resp);
    this.addfdPtr = stablePtr(this.addfd);
    this.pollPtr = stablePtr(this.pollfd);
    this.pollfd[0] = fd;
    this.pollfd16[2] = POLLIN;
  }

  /**
   * Asks the kernel to wake this thread on the tracee's CPU (6.6+): a notification
   * then costs about 6 µs instead of 50. Returns false where the kernel lacks it.
   */
  enableSyncWakeUp(): boolean {
    return this.L.ioctlValue(this.fd, NOTIF_IOCTL.SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) === 0;
  }

  /** Waits (forever by default) until a notification is pending or no tracee is left. */
  wait(timeoutMs = -1): Wake {
    const r = this.L.ret(this.L.poll(this.pollPtr, 1, timeoutMs));
    if (r < 0) return this.interrupted("poll", r);
    const rev = this.pollfd16[3];
    if (rev & POLLIN) return Wake.Notification;
    if (rev & (POLLHUP | POLLERR | POLLNVAL)) return Wake.Hangup;
    return Wake.Interrupted;
  }

  /** Receives one notification: 0, or -errno if it vanished (tracee killed), another thread took it, or a signal came. */
  receive(): number {
    this.notif.fill(0); // the kernel insists on a zeroed buffer
    this.answered = false;
    return this.L.ret(this.L.ioctl(this.fd, NOTIF_IOCTL.RECV, this.notifPtr));
  }

  /**
   * Blocks in RECV itself, without a poll first: one syscall per notification
   * instead of two, which is most of what separates us from a C supervisor.
   * Only valid where RECV returns when the filter is orphaned (Linux 6.6+, the
   * kernels with sync wake-up): it then fails with ENOENT, as it does for a
   * vanished notification, and a zero-timeout poll tells the two apart.
   */
  next(): Wake {
    const got = this.receive();
    if (got === 0) return Wake.Notification;
    if (got === -Errno.EINTR) return Wake.Interrupted;
    this.vanished(got);
    const r = this.L.ret(this.L.poll(this.pollPtr, 1, 0));
    if (r < 0) return this.interrupted("poll", r);
    return r > 0 && this.pollfd16[3] & (POLLHUP | POLLERR | POLLNVAL) ? Wake.Hangup : Wake.Vanished;
  }

  /** After `receive` failed with `r` (-errno): ENOENT (the notification vanished) and EINTR are normal; anything else is fatal. */
  vanished(r: number): void {
    const e = -r;
    if (e !== Errno.ENOENT && e !== Errno.EINTR) throw new Error(`seccomp notification RECV failed: errno ${e}`);
  }

  /**
   * A failed poll: EINTR is a wake-up; anything else (EINVAL once a tracee had lowered
   * our RLIMIT_NOFILE to 0) would fail again at once, and retrying it spun forever. It
   * is fatal: the supervisor loop ends, sydbox kills the tree and exits with the message.
   */
  private interrupted(what: string, r: number): Wake {
    const e = -r;
    if (e === Errno.EINTR) return Wake.Interrupted;
    throw new Error(`${what} on the seccomp listener failed: errno ${e}`);
  }

  get pid(): number { return this.notif[PID]; }
  get nr(): number { return this.notifI[NR]; }
  get arch(): number { return this.notif[ARCH]; }
  /**
   * Argument i as an unsigned number (exact up to 2^53, which covers user
   * addresses). A 32-bit architecture's arguments are 32 bits wide: the high half
   * is ignored, as the kernel ignores it.
   */
  arg(i: number): number { return this.notif[ARGS + 2 * i] + (this.notif[ARCH] >= AUDIT_ARCH_64BIT ? this.notif[ARGS + 1 + 2 * i] * P32 : 0); }
  /** User structs are 32-bit (compat): a 32-bit architecture, or x32. */
  get compat(): boolean { return this.notif[ARCH] < AUDIT_ARCH_64BIT || (this.notif[NR] & X32_SYSCALL_BIT) !== 0; }
  /** Replaces the first `count` arguments with 32-bit words (socketcall's argument array). */
  setArgs32(words: Uint32Array, count: number): void {
    for (let i = 0; i < count; i++) { this.notif[ARGS + 2 * i] = words[i]; this.notif[ARGS + 1 + 2 * i] = 0; }
  }
  /** Argument i as a C int (fds, flags, modes). */
  argInt(i: number): number { return this.notifI[ARGS + 2 * i]; }
  /** The low 32 bits of argument i, unsigned. */
  argU32(i: number): number { return this.notif[ARGS + 2 * i]; }

  /** The current notification's id as two 32-bit words (low, high): to answer it from another thread. */
  idWord(i: 0 | 1): number { return this.notif[ID + i]; }

  /** Makes notification `lo`/`hi` (from `idWord`) the current one, to answer it here. */
  adopt(lo: number, hi: number): void {
    this.notif.fill(0);
    this.notif[ID] = lo; this.notif[ID + 1] = hi;
  }

  /** Is the current notification still pending? Guards every read of tracee memory against pid reuse. */
  idValid(): boolean {
    return this.retried(NOTIF_IOCTL.ID_VALID, this.notifPtr) === 0;
  }

  /**
   * An ioctl on the listener, repeated while it fails with EINTR (the kernel's
   * notify lock is taken interruptibly; a signal meant for RECV, see
   * launch/tree-request.ts, must not turn a live tracee into a "gone" one or
   * lose its answer): 0 or -errno.
   */
  private retried(request: number, p: number): number {
    let r: number;
    do r = this.L.ret(this.L.ioctl(this.fd, request, p)); while (r === -Errno.EINTR);
    return r;
  }

  /** Lets the call proceed in the kernel as if never intercepted. */
  continue(): void {
    this.send(0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
  }

  /** Fails the call with `errno`. */
  fail(errno: number): void {
    this.send(0, -errno, 0);
  }

  /** Completes the call with return value `val` without running it. */
  succeed(val: number): void {
    this.send(val, 0, 0);
  }

  /**
   * Installs `srcfd` into the tracee and completes the call with the new fd number
   * (SECCOMP_ADDFD_FLAG_SEND, 5.14+). Returns the errno on failure, 0 on success.
   */
  sendFd(srcfd: number, cloexec: boolean): number {
    this.answered = true;
    const a = this.addfd;
    a[A_ID] = this.notif[ID]; a[A_ID + 1] = this.notif[ID + 1];
    a[A_FLAGS] = SECCOMP_ADDFD_FLAG_SEND;
    a[A_SRCFD] = srcfd; a[A_NEWFD] = 0;
    a[A_NEWFD_FLAGS] = cloexec ? O_CLOEXEC : 0;
    const r = this.L.ret(this.L.ioctl(this.fd, NOTIF_IOCTL.ADDFD, this.addfdPtr));
    return r < 0 ? -r : 0;
  }

  private send(val: number, error: number, flags: number): void {
    this.answered = true;
    const r = this.resp;
    r[R_ID] = this.notif[ID]; r[R_ID + 1] = this.notif[ID + 1];
    r[R_VAL] = val >>> 0; r[R_VAL + 1] = val < 0 ? 0xffffffff : Math.floor(val / P32);
    this.respI[R_ERROR] = error;
    r[R_FLAGS] = flags;
    // ENOENT: the tracee died meanwhile; nothing to answer.
    const sent = this.retried(NOTIF_IOCTL.SEND, this.respPtr);
    if (sent < 0 && sent !== -Errno.ENOENT) this.sendErrors++;
  }

  /**
   * Has the current notification been answered, or handed to a helper thread that will
   * (`handedOff`)? The dispatcher checks it after each call: a pending notification left
   * unanswered would block its tracee forever.
   */
  answered = false;

  /** The current notification is now a helper thread's to answer. */
  handedOff(): void {
    this.answered = true;
  }

  /** Responses the kernel refused for a reason other than a vanished tracee. */
  sendErrors = 0;
}
