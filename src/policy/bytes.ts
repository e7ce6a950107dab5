/**
 * Byte strings: how sydbox represents paths and patterns.
 *
 * A Linux path is any sequence of bytes except NUL; it need not be UTF-8. The supervisor
 * reads paths from tracee memory as bytes, and the policy layer works on *byte strings*:
 * JS strings with one char per byte, each char code 0x00-0xFF (Node's "latin1"/"binary").
 * Every byte round-trips, `/` is still char 0x2F, and string operations (startsWith,
 * RegExp, Map keys) work unchanged. Config files should be read as latin1 too, so a
 * pattern's bytes are exactly the bytes written in the file.
 */

/** Decode raw bytes (e.g. a path read from tracee memory) into a byte string. */
export function byteString(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/**
 * Convert ordinary (Unicode) text, e.g. a `-m` argument that the runtime decoded as UTF-8,
 * into the byte string of its UTF-8 encoding.
 */
export function textToByteString(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

/** The inverse of textToByteString: a byte string as text for display or JSON (invalid UTF-8 becomes U+FFFD). */
export function byteStringToText(s: string): string {
  return Buffer.from(s, "latin1").toString("utf8");
}

/** True if every char is a byte (0x00-0xFF), i.e. `s` can be a byte string. */
export function isByteString(s: string): boolean {
  return !/[^\x00-\xff]/.test(s);
}
