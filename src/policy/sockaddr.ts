/**
 * Socket addresses as the sandbox sees them: decoded from a tracee's raw `struct sockaddr`
 * and printed in SydBox's report form.
 */
import { byteString } from "./bytes.ts";
import { formatIPv4, formatIPv6 } from "./ip.ts";

/**
 * A decoded socket address. Names and paths are byte strings (see bytes.ts).
 * - unix: a filesystem socket; `path` is as given by the tracee until the caller resolves
 *   it (patterns match the resolved absolute path). "" is an unnamed (autobind) address.
 * - unix-abstract: `name` is the bytes after the leading NUL (it may itself contain NULs).
 * - inet: `addr` is a host-order u32, `port` a host-order number.
 * - inet6: `addr` is 16 network-order bytes.
 */
export type SockAddr =
  | { readonly family: "unix"; readonly path: string }
  | { readonly family: "unix-abstract"; readonly name: string }
  | { readonly family: "inet"; readonly addr: number; readonly port: number }
  | { readonly family: "inet6"; readonly addr: Uint8Array; readonly port: number };

/** An address of a family sydbox does not check (AF_NETLINK, AF_PACKET, AF_UNSPEC, ...). */
export interface UnsupportedSockAddr {
  readonly family: "unsupported";
  readonly af: number;
}

/** Address family numbers (Linux). */
export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;

const SOCKADDR_UN_SIZE = 110; // sa_family_t + sun_path[108]
const SOCKADDR_IN_SIZE = 16;
const SOCKADDR_IN6_MIN = 24; // SIN6_LEN_RFC2133: the kernel accepts it without sin6_scope_id

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decode `len` bytes of a raw `struct sockaddr` (sa_family in host order, ports and IPv4/IPv6
 * addresses in network order). Returns null when the buffer is too short for its family, or
 * shorter than sa_family: the kernel rejects those with EINVAL itself, so there is nothing
 * to check. A unix path stops at its first NUL, as the kernel reads it.
 */
export function decodeSockaddr(buf: Uint8Array, len: number): SockAddr | UnsupportedSockAddr | null {
  const n = Math.min(len, buf.length);
  if (n < 2) return null;
  const af = HOST_LITTLE_ENDIAN ? buf[0]! | (buf[1]! << 8) : (buf[0]! << 8) | buf[1]!;
  switch (af) {
    case AF_UNIX: {
      const end = Math.min(n, SOCKADDR_UN_SIZE);
      if (end > 2 && buf[2] === 0) return { family: "unix-abstract", name: byteString(buf.subarray(3, end)) };
      let stop = 2;
      while (stop < end && buf[stop] !== 0) stop++;
      return { family: "unix", path: byteString(buf.subarray(2, stop)) };
    }
    case AF_INET:
      if (n < SOCKADDR_IN_SIZE) return null;
      return {
        family: "inet",
        port: (buf[2]! << 8) | buf[3]!,
        addr: ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0,
      };
    case AF_INET6:
      if (n < SOCKADDR_IN6_MIN) return null;
      return { family: "inet6", port: (buf[2]! << 8) | buf[3]!, addr: buf.slice(8, 24) };
    default:
      return { family: "unsupported", af };
  }
}

/**
 * SydBox's report form of an address: `unix:/run/x.sock`, `unix-abstract:name`,
 * `inet:1.2.3.4@80`, `inet6:::1@53` (glibc inet_ntop text). Byte strings stay byte strings.
 */
export function formatAddress(a: SockAddr): string {
  switch (a.family) {
    case "unix":
      return `unix:${a.path}`;
    case "unix-abstract":
      return `unix-abstract:${a.name}`;
    case "inet":
      return `inet:${formatIPv4(a.addr)}@${a.port}`;
    case "inet6":
      return `inet6:${formatIPv6(a.addr)}@${a.port}`;
  }
}
