/**
 * Private byte helpers of the SST format: unsigned LEB128 varints up to 2^53 - 1, little-endian
 * fixed-width integers, and a cursor that decodes them and throws `RangeError` on a short or
 * malformed input (callers turn that into a `CORRUPTION` error naming the file).
 *
 * @module
 */

/** 2^32, to split and join 64-bit fields. */
const TWO_32 = 0x1_0000_0000;

/**
 * The number of bytes {@linkcode putVarint} writes for `value`.
 *
 * @param value A safe non-negative integer.
 * @returns 1 to 8.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { varintLength } from "./_varint.ts";
 * assert.equal(varintLength(127), 1);
 * assert.equal(varintLength(128), 2);
 * ```
 */
export function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

/**
 * Writes `value` as an unsigned LEB128 varint: seven bits per byte, low bits first, the high bit
 * set on every byte but the last.
 *
 * @param out The destination, with room for {@linkcode varintLength} bytes at `pos`.
 * @param pos Where to write.
 * @param value A safe non-negative integer.
 * @returns The position after the varint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { putVarint } from "./_varint.ts";
 * const out = new Uint8Array(2);
 * assert.equal(putVarint(out, 0, 300), 2);
 * assert.deepEqual(out, new Uint8Array([0xac, 0x02]));
 * ```
 */
export function putVarint(out: Uint8Array, pos: number, value: number): number {
  if (value < 0x8000_0000) {
    while (value >= 0x80) {
      out[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
  } else {
    while (value >= 0x80) {
      out[pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
  }
  out[pos++] = value;
  return pos;
}

/**
 * Writes a little-endian u32.
 *
 * @param out The destination.
 * @param pos Where to write.
 * @param value An integer in `[0, 2^32)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { putU32 } from "./_varint.ts";
 * const out = new Uint8Array(4);
 * putU32(out, 0, 0x01020304);
 * assert.deepEqual(out, new Uint8Array([4, 3, 2, 1]));
 * ```
 */
export function putU32(out: Uint8Array, pos: number, value: number): void {
  out[pos] = value;
  out[pos + 1] = value >>> 8;
  out[pos + 2] = value >>> 16;
  out[pos + 3] = value >>> 24;
}

/**
 * Writes a little-endian u64 holding a safe non-negative integer.
 *
 * @param out The destination.
 * @param pos Where to write.
 * @param value An integer in `[0, 2^53)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { putU64 } from "./_varint.ts";
 * const out = new Uint8Array(8);
 * putU64(out, 0, 2 ** 32 + 1);
 * assert.deepEqual(out, new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0]));
 * ```
 */
export function putU64(out: Uint8Array, pos: number, value: number): void {
  putU32(out, pos, value >>> 0);
  putU32(out, pos + 4, Math.floor(value / TWO_32));
}

/**
 * Reads a little-endian u32; the caller checks bounds.
 *
 * @param data The bytes.
 * @param pos Where the integer starts.
 * @returns The unsigned value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getU32 } from "./_varint.ts";
 * assert.equal(getU32(new Uint8Array([4, 3, 2, 1]), 0), 0x01020304);
 * ```
 */
export function getU32(data: Uint8Array, pos: number): number {
  return (data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16) | (data[pos + 3]! << 24)) >>>
    0;
}

/**
 * Decodes fields front to back, throwing `RangeError` when the bytes run out or a field is
 * malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteCursor } from "./_varint.ts";
 * const cursor = new ByteCursor(new Uint8Array([0xac, 0x02, 7, 0, 0, 0, 9]));
 * assert.equal(cursor.varint(), 300);
 * assert.equal(cursor.u32(), 7);
 * assert.deepEqual(cursor.bytes(1), new Uint8Array([9]));
 * assert.throws(() => cursor.u32(), RangeError);
 * ```
 */
export class ByteCursor {
  /** The bytes being decoded. */
  readonly data: Uint8Array;
  /** The position of the next unread byte. */
  pos: number;
  /** The position decoding must not pass. */
  readonly end: number;

  /**
   * @param data The bytes.
   * @param pos Where to start. @default 0
   * @param end Where to stop. @default data.length
   */
  constructor(data: Uint8Array, pos = 0, end = data.length) {
    this.data = data;
    this.pos = pos;
    this.end = end;
  }

  /** The number of bytes left. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Reads an unsigned LEB128 varint of at most 8 bytes holding a safe integer. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw new RangeError("Cannot read varint: input ends");
      const byte = this.data[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) break;
        return result;
      }
      scale *= 0x80;
    }
    throw new RangeError("Cannot read varint: value exceeds 2^53 - 1");
  }

  /** Reads a little-endian u16. */
  u16(): number {
    this.#need(2);
    const value = this.data[this.pos]! | (this.data[this.pos + 1]! << 8);
    this.pos += 2;
    return value;
  }

  /** Reads a little-endian u32. */
  u32(): number {
    this.#need(4);
    const value = getU32(this.data, this.pos);
    this.pos += 4;
    return value;
  }

  /** Reads a little-endian u64 that must hold a safe integer. */
  u64(): number {
    this.#need(8);
    const low = getU32(this.data, this.pos);
    const high = getU32(this.data, this.pos + 4);
    this.pos += 8;
    const value = high * TWO_32 + low;
    if (!Number.isSafeInteger(value)) throw new RangeError("Cannot read u64: exceeds 2^53 - 1");
    return value;
  }

  /** Returns the next `length` bytes as a subarray (no copy). */
  bytes(length: number): Uint8Array {
    this.#need(length);
    const out = this.data.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** Moves past the next `length` bytes. */
  skip(length: number): void {
    this.#need(length);
    this.pos += length;
  }

  #need(length: number): void {
    if (this.end - this.pos < length) {
      throw new RangeError(`Cannot read ${length} bytes: ${this.end - this.pos} left`);
    }
  }
}
