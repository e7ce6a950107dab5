/**
 * IPv4 and IPv6 text forms, parsed and printed exactly as glibc's inet_pton/inet_ntop do,
 * because SydBox 2 used those for patterns and for its violation reports.
 */

/** Parse a dotted quad (no leading zeros, each part 0-255) into a host-order u32; undefined if invalid. */
export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let addr = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part[0] === "0") return undefined; // inet_pton rejects "01"
    const n = Number(part);
    if (n > 255) return undefined;
    addr = addr * 256 + n;
  }
  return addr;
}

/** Print a host-order u32 as a dotted quad. */
export function formatIPv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/**
 * Parse an IPv6 address (hex groups, at most one `::`, optionally ending in a dotted quad)
 * into 16 network-order bytes; undefined if invalid. No zone ids, as with inet_pton.
 */
export function parseIPv6(s: string): Uint8Array | undefined {
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | undefined => {
    if (part === "") return [];
    const groups = part.split(":");
    const words: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4Tail && i === groups.length - 1 && g.includes(".")) {
        const v4 = parseIPv4(g);
        if (v4 === undefined) return undefined;
        words.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
        words.push(parseInt(g, 16));
      } else {
        return undefined;
      }
    }
    return words;
  };
  let words: number[];
  if (halves.length === 1) {
    const all = parseGroups(s, true);
    if (!all || all.length !== 8) return undefined;
    words = all;
  } else {
    const head = parseGroups(halves[0]!, false);
    const tail = parseGroups(halves[1]!, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  return out;
}

/**
 * Print 16 network-order bytes like glibc's inet_ntop: lower-case hex, the leftmost longest
 * run of two or more zero groups as `::`, and `::ffff:a.b.c.d` / `::a.b.c.d` for the
 * IPv4-mapped and IPv4-compatible forms.
 */
export function formatIPv6(addr: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((addr[2 * i]! << 8) | addr[2 * i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${addr[12]}.${addr[13]}.${addr[14]}.${addr[15]}`;
      return out;
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ":";
  return out;
}

/** If `addr` is IPv4-mapped (::ffff:a.b.c.d), its IPv4 address as a host-order u32; else undefined. */
export function unmapIPv4(addr: Uint8Array): number | undefined {
  for (let i = 0; i < 10; i++) if (addr[i] !== 0) return undefined;
  if (addr[10] !== 0xff || addr[11] !== 0xff) return undefined;
  return ((addr[12]! << 24) | (addr[13]! << 16) | (addr[14]! << 8) | addr[15]!) >>> 0;
}
