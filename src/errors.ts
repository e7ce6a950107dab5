/**
 * Typed errors. Every error a tracee can observe carries the errno it sees,
 * so the magic stat (and the CLI) can answer with the same value SydBox 2 would.
 */

/** errno values used across sydbox (x86_64/generic Linux numbering). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  EPIPE: 32,
  ERANGE: 34,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENOTSOCK: 88,
  EMSGSIZE: 90,
  ENOTSUP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENOBUFS: 105,
  ECONNREFUSED: 111,
} as const;

/** Base class: an error with the errno a tracee (or a magic stat) would see. */
export class SydError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration error: bad key, type, value or operator (EINVAL), unsupported (ENOTSUP), forbidden (EPERM). */
export class ConfigError extends SydError {
  constructor(message: string, errno: number = Errno.EINVAL, readonly where?: { file?: string; line?: number; column?: number; key?: string }) {
    super(message, errno);
  }
}

/** A usage error on the command line: exit status 1 with the message. */
export class UsageError extends SydError {
  constructor(message: string) {
    super(message, Errno.EINVAL);
  }
}

/** An error in sydbox's own machinery (not the command's), such as a failed pipe2 or pidfd_getfd. */
export class LaunchError extends Error {}
