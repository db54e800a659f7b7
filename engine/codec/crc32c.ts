/**
 * CRC-32C (Castagnoli), the checksum of every WAL record and SST block.
 *
 * @module
 */
import { makeCrcTables, updateCrc, updateCrcWords } from "./_crc_tables.ts";

const TABLES = makeCrcTables(0x82f63b78);

/**
 * Computes the CRC-32C of `data[start, end)`.
 *
 * @param data The bytes.
 * @param start First byte. @default 0
 * @param end One past the last byte. @default data.length
 * @returns The checksum as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crc32c } from "./crc32c.ts";
 * assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
 * ```
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  return (updateCrc(TABLES, 0xffffffff, data, start, end) ^ 0xffffffff) >>> 0;
}

/**
 * {@linkcode crc32c} of `data[start, end)`, reading whole words through `words`, a view the
 * caller keeps of all of `data`'s buffer: cheaper for the many short ranges of one buffer that
 * WAL records are.
 *
 * @param data The bytes.
 * @param words An `Int32Array` over `data.buffer` from byte 0, covering `data[start, end)`.
 * @param start First byte.
 * @param end One past the last byte.
 * @returns The checksum, as {@linkcode crc32c} gives it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crc32c, crc32cWords } from "./crc32c.ts";
 * const data = new Uint8Array(64).map((_, i) => i);
 * assert.equal(crc32cWords(data, new Int32Array(data.buffer), 1, 60), crc32c(data, 1, 60));
 * ```
 */
export function crc32cWords(
  data: Uint8Array,
  words: Int32Array<ArrayBufferLike>,
  start: number,
  end: number,
): number {
  return (updateCrcWords(TABLES, 0xffffffff, data, words, start, end) ^ 0xffffffff) >>> 0;
}
