/**
 * Which seccomp notification features this kernel has, so later code can
 * degrade cleanly. Notification itself is probed for real (--test); the rest
 * are kernel-version facts, and SYNC_WAKE_UP is confirmed on the live listener.
 */
import { nodeOs } from "../lazy-node";

/** Kernel features sydbox uses, by the version that introduced them. */
export interface KernelFeatures {
  /** SECCOMP_USER_NOTIF_FLAG_CONTINUE, 5.5. */
  continue: boolean;
  /** SECCOMP_IOCTL_NOTIF_ADDFD, 5.9. */
  addfd: boolean;
  /** SECCOMP_ADDFD_FLAG_SEND, 5.14. */
  addfdSend: boolean;
  /** SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 6.6. */
  syncWakeUp: boolean;
}

function atLeast(major: number, minor: number, want: [number, number]): boolean {
  return major > want[0] || (major === want[0] && minor >= want[1]);
}

/** The features of the running kernel. */
export function kernelFeatures(rel: string = nodeOs().release()): KernelFeatures {
  const m = /^(\d+)\.(\d+)/.exec(rel);
  const [maj, min] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  return {
    continue: atLeast(maj, min, [5, 5]),
    addfd: atLeast(maj, min, [5, 9]),
    addfdSend: atLeast(maj, min, [5, 14]),
    syncWakeUp: atLeast(maj, min, [6, 6]),
  };
}
