/**
 * Unsigned LEB128 varints: seven bits per byte, least significant group first, the high bit set
 * on every byte but the last. Values go up to `Number.MAX_SAFE_INTEGER` (2^53 - 1, 8 bytes).
 *
 * Encodings are minimal: a reader rejects a value padded with `0x80` bytes (`80 00` for 0) as
 * corruption. So a value's encoded length is always {@linkcode varintLength}`(value)` and a
 * reader advances with `offset += varintLength(value)`; no result object is allocated.
 *
 * | value       | bytes          |
 * | ----------- | -------------- |
 * | 0           | `00`           |
 * | 127         | `7f`           |
 * | 128         | `80 01`        |
 * | 300         | `ac 02`        |
 * | 2^53 - 1    | `ff ×7 0f`     |
 *
 * @module
 */
import { corruption } from "../errors.ts";

/**
 * Counts the bytes of a value's varint.
 *
 * @param value An integer from 0 to 2^53 - 1.
 * @returns 1 to 8.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { varintLength } from "./varint.ts";
 * assert.equal(varintLength(127), 1);
 * assert.equal(varintLength(128), 2);
 * ```
 */
export function varintLength(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  if (value < 0x800000000) return 5;
  if (value < 0x40000000000) return 6;
  if (value < 0x2000000000000) return 7;
  return 8;
}

/**
 * Writes a varint.
 *
 * @param out The destination; it must have room for {@linkcode varintLength}`(value)` bytes.
 * @param offset Where to write.
 * @param value An integer from 0 to 2^53 - 1.
 * @returns The offset just past the varint.
 * @throws {RangeError} When `value` is negative, fractional or above 2^53 - 1, or `out` is
 * too short.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeVarint } from "./varint.ts";
 * const out = new Uint8Array(4);
 * assert.equal(writeVarint(out, 1, 300), 3);
 * assert.deepEqual(out, new Uint8Array([0, 0xac, 0x02, 0]));
 * ```
 */
export function writeVarint(out: Uint8Array, offset: number, value: number): number {
  if (!(value >= 0 && value <= Number.MAX_SAFE_INTEGER) || value !== Math.floor(value)) {
    throw new RangeError(`Cannot write varint: value ${value} is not an integer in 0..2^53-1`);
  }
  if (offset + varintLength(value) > out.length) {
    throw new RangeError(`Cannot write varint: no room at offset ${offset}`);
  }
  while (value > 0x7fffffff) {
    out[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  while (value > 0x7f) {
    out[offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[offset++] = value;
  return offset;
}

/**
 * Reads a varint. The varint ends at `offset + varintLength(value)`.
 *
 * @param bytes The source.
 * @param offset Where the varint starts.
 * @returns The value.
 * @throws {KstoneError} `CORRUPTION` when the varint runs past the end of `bytes`, is longer
 * than 8 bytes or above 2^53 - 1, or is not minimal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readVarint, varintLength } from "./varint.ts";
 * const bytes = new Uint8Array([0xac, 0x02, 0x07]);
 * const value = readVarint(bytes, 0);
 * assert.equal(value, 300);
 * assert.equal(readVarint(bytes, varintLength(value)), 7);
 * ```
 */
export function readVarint(bytes: Uint8Array, offset: number): number {
  let byte = bytes[offset];
  if (byte === undefined) throw truncated(offset);
  if (byte < 0x80) return byte;
  let value = byte & 0x7f;
  let shift = 7;
  let i = offset + 1;
  // The first four groups fit 28 bits, safe for bitwise arithmetic.
  for (; shift < 28; shift += 7) {
    byte = bytes[i++];
    if (byte === undefined) throw truncated(offset);
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return byte === 0 ? overlong(offset) : value;
  }
  let scale = 0x10000000; // 2^28
  for (; shift < 56; shift += 7) {
    byte = bytes[i++];
    if (byte === undefined) throw truncated(offset);
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (byte === 0) return overlong(offset);
      if (value > Number.MAX_SAFE_INTEGER) {
        throw corruption(`varint at offset ${offset} exceeds 2^53-1`);
      }
      return value;
    }
    scale *= 128;
  }
  throw corruption(`varint at offset ${offset} is longer than 8 bytes`);
}

function truncated(offset: number) {
  return corruption(`varint at offset ${offset} is truncated`);
}

function overlong(offset: number): never {
  throw corruption(`varint at offset ${offset} is not minimally encoded`);
}
