/**
 * CRC-32C (Castagnoli), the checksum of every WAL record and SST block.
 *
 * @module
 */
import { makeCrcTables, updateCrc } from "./_crc_tables.ts";

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
