/**
 * Slice-by-16 lookup tables for reflected CRC-32 polynomials, shared by `crc32.ts` (zlib) and
 * `crc32c.ts` (Castagnoli). The sixteen 256-entry tables live in one flat `Int32Array` (table
 * `k` at `k * 256`), which the JIT indexes faster than an array of sixteen arrays.
 *
 * @module
 */

/** Tables per polynomial: bytes consumed per step of {@linkcode updateCrc}. */
const SLICES = 16;

/** Whether an `Int32Array` reads bytes little-endian, as the CRC's word steps assume. */
const LITTLE_ENDIAN = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;

/**
 * The length from which reading whole words through a view pays for making the view (measured:
 * below ~2 KiB the view costs Bun more than the word loads save; SST blocks are 4 KiB).
 */
const WORDS_FROM = 2048;

/** The running value left by the last {@linkcode updateWords} call. */
let wordsCrc = 0;

/**
 * The buffer of the last {@linkcode updateWords} call and a word view of all of it: SST blocks
 * are read into pieces of shared slabs, so the next call often reuses the view (making one
 * costs Bun ~2 µs).
 */
let wordsBuffer: ArrayBufferLike | undefined;
let wordsView: Int32Array<ArrayBufferLike> = new Int32Array(0);

/** A word view of all of `data`'s buffer: the cached one when it still covers `last` words. */
function wordsOf(data: Uint8Array, last: number): Int32Array<ArrayBufferLike> {
  const buffer = data.buffer;
  // The length check also catches a buffer that grew since its view was made.
  if (buffer !== wordsBuffer || last > wordsView.length) {
    wordsView = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    wordsBuffer = buffer;
  }
  return wordsView;
}

/**
 * Slice-by-16 over four aligned little-endian words at a time (a quarter of the loads of the
 * byte loop), read through `words`, a view of all of `data`'s buffer from byte 0; `start` must
 * be aligned. Leaves the running value in `wordsCrc` and returns where it stopped.
 */
function updateWords(
  t: Int32Array,
  crc: number,
  data: Uint8Array,
  words: Int32Array<ArrayBufferLike>,
  start: number,
  end: number,
): number {
  const first = (data.byteOffset + start) >>> 2;
  const n = (end - start) >>> 4 << 2;
  const last = first + n;
  for (let w = first; w < last; w += 4) {
    const a = crc ^ words[w]!;
    const b = words[w + 1]!;
    const c = words[w + 2]!;
    const d = words[w + 3]!;
    crc = t[3840 + (a & 0xff)]! ^ t[3584 + ((a >>> 8) & 0xff)]! ^
      t[3328 + ((a >>> 16) & 0xff)]! ^ t[3072 + (a >>> 24)]! ^
      t[2816 + (b & 0xff)]! ^ t[2560 + ((b >>> 8) & 0xff)]! ^
      t[2304 + ((b >>> 16) & 0xff)]! ^ t[2048 + (b >>> 24)]! ^
      t[1792 + (c & 0xff)]! ^ t[1536 + ((c >>> 8) & 0xff)]! ^
      t[1280 + ((c >>> 16) & 0xff)]! ^ t[1024 + (c >>> 24)]! ^
      t[768 + (d & 0xff)]! ^ t[512 + ((d >>> 8) & 0xff)]! ^
      t[256 + ((d >>> 16) & 0xff)]! ^ t[d >>> 24]!;
  }
  wordsCrc = crc;
  return start + n * 4;
}

/**
 * The slice-by-16 tables of a reflected polynomial; table `k` advances `k + 1` bytes at once.
 *
 * @param polynomial The reflected polynomial, e.g. `0x82f63b78` for CRC-32C.
 * @returns The tables, flat: entry `n` of table `k` is at `k * 256 + n`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeCrcTables } from "./_crc_tables.ts";
 * const tables = makeCrcTables(0xedb88320);
 * assert.equal(tables.length, 16 * 256);
 * assert.equal(tables[1]! >>> 0, 0x77073096);
 * ```
 */
export function makeCrcTables(polynomial: number): Int32Array {
  const tables = new Int32Array(SLICES * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ polynomial : c >>> 1;
    tables[n] = c;
  }
  for (let t = 1; t < SLICES; t++) {
    for (let n = 0; n < 256; n++) {
      const previous = tables[(t - 1) * 256 + n]!;
      tables[t * 256 + n] = (previous >>> 8) ^ tables[previous & 0xff]!;
    }
  }
  return tables;
}

/**
 * Continues a CRC over `data[start, end)`.
 *
 * @param t Tables from {@linkcode makeCrcTables}.
 * @param crc The running value before final inversion (`0xffffffff` to start).
 * @param data The bytes.
 * @param start The first byte.
 * @param end The byte after the last.
 * @returns The running value, as an int32; invert and `>>> 0` it to finish.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeCrcTables, updateCrc } from "./_crc_tables.ts";
 * const tables = makeCrcTables(0x82f63b78);
 * const data = new TextEncoder().encode("123456789");
 * assert.equal((updateCrc(tables, 0xffffffff, data, 0, data.length) ^ 0xffffffff) >>> 0, 0xe3069283);
 * ```
 */
export function updateCrc(
  t: Int32Array,
  crc: number,
  data: Uint8Array,
  start: number,
  end: number,
): number {
  if (LITTLE_ENDIAN && end - start >= WORDS_FROM) {
    return updateCrcWords(t, crc, data, wordsOf(data, (data.byteOffset + end) >>> 2), start, end);
  }
  return updateBytes(t, crc, data, start, end);
}

/** Slice-by-16 over `data[start, end)` read byte by byte, then the last bytes one at a time. */
function updateBytes(
  t: Int32Array,
  crc: number,
  data: Uint8Array,
  start: number,
  end: number,
): number {
  let i = start;
  const last = end - SLICES;
  while (i <= last) {
    const a = crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    crc = t[3840 + (a & 0xff)]! ^ t[3584 + ((a >>> 8) & 0xff)]! ^
      t[3328 + ((a >>> 16) & 0xff)]! ^ t[3072 + (a >>> 24)]! ^
      t[2816 + data[i + 4]!]! ^ t[2560 + data[i + 5]!]! ^ t[2304 + data[i + 6]!]! ^
      t[2048 + data[i + 7]!]! ^ t[1792 + data[i + 8]!]! ^ t[1536 + data[i + 9]!]! ^
      t[1280 + data[i + 10]!]! ^ t[1024 + data[i + 11]!]! ^ t[768 + data[i + 12]!]! ^
      t[512 + data[i + 13]!]! ^ t[256 + data[i + 14]!]! ^ t[data[i + 15]!]!;
    i += SLICES;
  }
  while (i < end) crc = t[(crc ^ data[i++]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

/**
 * {@linkcode updateCrc} through a word view the caller keeps of `data`'s whole buffer (as the
 * WAL does of its queue buffer): it reads whole words from the first aligned byte on, however
 * short the range, since no view is made per call.
 *
 * @param t Tables from {@linkcode makeCrcTables}.
 * @param crc The running value before final inversion (`0xffffffff` to start).
 * @param data The bytes.
 * @param words `new Int32Array(data.buffer, 0, data.buffer.byteLength >>> 2)`, or any view
 *   of that buffer from byte 0 covering `data[start, end)`.
 * @param start The first byte.
 * @param end The byte after the last.
 * @returns The running value, as {@linkcode updateCrc} returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeCrcTables, updateCrc, updateCrcWords } from "./_crc_tables.ts";
 * const tables = makeCrcTables(0x82f63b78);
 * const data = new Uint8Array(100).map((_, i) => i * 7);
 * const words = new Int32Array(data.buffer);
 * assert.equal(updateCrcWords(tables, -1, data, words, 3, 90), updateCrc(tables, -1, data, 3, 90));
 * ```
 */
export function updateCrcWords(
  t: Int32Array,
  crc: number,
  data: Uint8Array,
  words: Int32Array<ArrayBufferLike>,
  start: number,
  end: number,
): number {
  let i = start;
  if (LITTLE_ENDIAN) {
    const aligned = Math.min(end, start + ((4 - ((data.byteOffset + start) & 3)) & 3));
    while (i < aligned) crc = t[(crc ^ data[i++]!) & 0xff]! ^ (crc >>> 8);
    if (end - i >= SLICES) {
      i = updateWords(t, crc, data, words, i, end);
      crc = wordsCrc;
    }
  }
  return updateBytes(t, crc, data, i, end);
}
