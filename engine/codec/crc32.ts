/**
 * CRC-32/IEEE, the zlib checksum. kstone uses it only to pick a partition key's stripe, so the
 * stripe numbers match the Rust original's (`user#123` is stripe 125).
 *
 * @module
 */
import { makeCrcTables, updateCrc } from "./_crc_tables.ts";

const TABLES = makeCrcTables(0xedb88320);

/**
 * Computes the zlib CRC-32 of `data`.
 *
 * @param data The bytes.
 * @returns The checksum as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crc32 } from "./crc32.ts";
 * assert.equal(crc32(new TextEncoder().encode("user#123")), 0x42b71d7d);
 * ```
 */
export function crc32(data: Uint8Array): number {
  return (updateCrc(TABLES, 0xffffffff, data, 0, data.length) ^ 0xffffffff) >>> 0;
}
