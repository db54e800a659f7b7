/**
 * A small cache of decoded UTF-8 texts keyed by their bytes, for the item decoder: attribute
 * names repeat from item to item, and so do many short values (sort key prefixes, enumerations,
 * tags). A hit returns the string built the first time, which saves building it (and, for a
 * name, gives the engine the same already internalized property key every time).
 *
 * @module
 */
import { decodeUtf8 } from "./_utf8.ts";

/**
 * A direct-mapped table of texts: each slot holds one text and a copy of its bytes, so a hit
 * is checked byte for byte (comparing bytes costs less than comparing char codes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TextCache } from "./_text_cache.ts";
 * const cache = new TextCache(16, 8);
 * const bytes = new TextEncoder().encode("xname");
 * const first = cache.decode(bytes, 1, 5);
 * assert.equal(first, "name");
 * assert.equal(cache.decode(bytes, 1, 5), first);
 * ```
 */
export class TextCache {
  readonly #texts: string[];
  /** Per slot, `width` bytes: the text's byte length (0 for none), then its bytes. */
  readonly #bytes: Uint8Array;
  readonly #width: number;
  readonly #shift: number;
  readonly #longest: number;

  /**
   * @param slots The number of slots, a power of two from 2 to 2^16.
   * @param longest The longest text, in bytes, the cache keeps (at most 255).
   */
  constructor(slots: number, longest: number) {
    this.#texts = new Array(slots).fill("");
    this.#width = longest + 1;
    this.#bytes = new Uint8Array(slots * this.#width);
    this.#shift = 32 - Math.log2(slots);
    this.#longest = longest;
  }

  /**
   * Decodes `bytes[start, end)` as UTF-8 (invalid sequences become U+FFFD), as
   * {@linkcode decodeUtf8} does, from the cache when it holds those bytes.
   *
   * @param bytes The bytes.
   * @param start The first index.
   * @param end The index after the last.
   * @returns The string.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TextCache } from "./_text_cache.ts";
   * const cache = new TextCache(2, 4);
   * assert.equal(cache.decode(new Uint8Array([0xc3, 0xa9]), 0, 2), "é");
   * assert.equal(cache.decode(new Uint8Array([0x61, 0x62]), 0, 2), "ab");
   * assert.equal(cache.decode(new Uint8Array([0x61, 0x62]), 0, 2), "ab");
   * ```
   */
  decode(bytes: Uint8Array, start: number, end: number): string {
    const n = end - start;
    if (n === 0) return "";
    if (n > this.#longest) return decodeUtf8(bytes, start, end);
    // Texts that differ mostly differ near an end: hashing six bytes spreads them well enough,
    // and a collision only costs a miss.
    let h = Math.imul(n ^ bytes[start]!, 0x9e3779b1);
    h = Math.imul(h ^ bytes[start + (n >> 2)]!, 0x9e3779b1);
    h = Math.imul(h ^ bytes[start + (n >> 1)]!, 0x9e3779b1);
    h = Math.imul(h ^ bytes[end - 3 < start ? start : end - 3]!, 0x9e3779b1);
    h = Math.imul(h ^ bytes[end - 2 < start ? start : end - 2]!, 0x9e3779b1);
    h = Math.imul(h ^ bytes[end - 1]!, 0x9e3779b1);
    const slot = h >>> this.#shift;
    const keys = this.#bytes;
    const at = slot * this.#width;
    if (keys[at] === n) {
      let i = 0;
      while (i < n && keys[at + 1 + i] === bytes[start + i]) i++;
      if (i === n) return this.#texts[slot]!;
    }
    const text = decodeUtf8(bytes, start, end);
    keys[at] = n;
    for (let i = 0; i < n; i++) keys[at + 1 + i] = bytes[start + i]!;
    this.#texts[slot] = text;
    return text;
  }
}
