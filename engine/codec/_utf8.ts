/**
 * UTF-8 helpers shared by the codecs: the encoded length of a string without encoding it, and
 * a decoder that builds short ASCII strings by hand (a TextDecoder call costs more than the
 * decoding itself for short strings under Deno).
 *
 * @module
 */

// Not fatal: kstone's encoders only write valid UTF-8, and block checksums catch damaged bytes.
const decoder = new TextDecoder();

/**
 * The longest text {@linkcode decodeUtf8} builds from char codes rather than with `TextDecoder`:
 * where the two cross over, measured on 200-byte workload items. Bun's `TextDecoder` call is
 * cheap (it wins from 12 to 24 bytes); Deno's goes through an op (it wins from about 64).
 */
const SHORT_TEXT = (globalThis.navigator?.userAgent ?? "").startsWith("Bun/") ? 16 : 64;

/**
 * Counts the bytes of a string's UTF-8 encoding without encoding it (a lone surrogate counts
 * 3, as TextEncoder writes U+FFFD for it).
 *
 * @param text The string.
 * @returns Its UTF-8 length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf8Length } from "./_utf8.ts";
 * assert.equal(utf8Length("aé€😀"), 1 + 2 + 3 + 4);
 * ```
 */
export function utf8Length(text: string): number {
  const n = text.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 2; // two units, four bytes
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * Decodes `bytes[start, end)` as UTF-8 (invalid sequences become U+FFFD).
 *
 * @param bytes The bytes.
 * @param start The first index.
 * @param end The index after the last.
 * @returns The string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeUtf8 } from "./_utf8.ts";
 * assert.equal(decodeUtf8(new Uint8Array([0x78, 0x61, 0x62, 0x79]), 1, 3), "ab");
 * assert.equal(decodeUtf8(new Uint8Array([0xc3, 0xa9]), 0, 2), "é");
 * ```
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > SHORT_TEXT) return decoder.decode(bytes.subarray(start, end));
  // ASCII eight bytes per String.fromCharCode call; anything else goes to TextDecoder.
  let out = "";
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = bytes[i]!, b = bytes[i + 1]!, c = bytes[i + 2]!, d = bytes[i + 3]!;
    const e = bytes[i + 4]!, f = bytes[i + 5]!, g = bytes[i + 6]!, h = bytes[i + 7]!;
    if ((a | b | c | d | e | f | g | h) >= 0x80) return decoder.decode(bytes.subarray(start, end));
    out += String.fromCharCode(a, b, c, d, e, f, g, h);
  }
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c >= 0x80) return decoder.decode(bytes.subarray(start, end));
    out += String.fromCharCode(c);
  }
  return out;
}
