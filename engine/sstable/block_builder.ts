/**
 * Builds the payload of one data block. See `docs/format/sstable.md` ("Data block"):
 *
 * ```
 * payload := entry* offset{count} count:u32
 * entry   := key_length:varint key seq:varint value_tag:varint value
 * offset  := u16 when the payload is at most 65536 bytes, else u32 (little-endian): where
 *            entry i starts in the payload
 * value_tag := 0 for a tombstone, else the value's length + 1
 * ```
 *
 * The table writer appends the CRC-32C of the payload to make the block.
 *
 * @module
 */
import { MAX_U16_OFFSET_PAYLOAD, TOMBSTONE_TAG } from "./format.ts";
import { putU32, putVarint, varintLength } from "./_varint.ts";

/**
 * Accumulates entries into one data block payload. The caller enforces key order and decides
 * when to cut the block (see {@linkcode BlockBuilder.sizeWith}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BlockBuilder } from "./block_builder.ts";
 * const builder = new BlockBuilder();
 * builder.add(new Uint8Array([0x61]), 1, new Uint8Array([0x7a]));
 * builder.add(new Uint8Array([0x62]), 2, null);
 * assert.deepEqual(
 *   builder.finish(),
 *   new Uint8Array([1, 0x61, 1, 2, 0x7a, 1, 0x62, 2, 0, 0, 0, 5, 0, 2, 0, 0, 0]),
 * );
 * ```
 */
export class BlockBuilder {
  #buffer: Uint8Array;
  #pos = 0;
  #offsets: Uint32Array = new Uint32Array(64);
  #count = 0;
  #lastKeyStart = 0;
  #lastKeyLength = 0;

  /**
   * @param initialCapacity Bytes to reserve up front; the buffer grows as needed. @default 8192
   */
  constructor(initialCapacity = 8192) {
    this.#buffer = new Uint8Array(initialCapacity);
  }

  /** The number of entries added since the last reset. */
  get count(): number {
    return this.#count;
  }

  /** The payload size if the block were finished now. */
  get size(): number {
    return this.#payloadSize(this.#pos, this.#count);
  }

  /**
   * The payload size if an entry with these key and value lengths were added; the writer cuts
   * the block before an entry that would push it past the target size.
   *
   * @param keyLength The key's length.
   * @param seq The sequence number.
   * @param valueLength The value's length, or -1 for a tombstone.
   * @returns The payload size after the add.
   */
  sizeWith(keyLength: number, seq: number, valueLength: number): number {
    const entry = varintLength(keyLength) + keyLength + varintLength(seq) +
      varintLength(valueLength + 1) + (valueLength > 0 ? valueLength : 0);
    return this.#payloadSize(this.#pos + entry, this.#count + 1);
  }

  /**
   * Compares `key` with the last key added (`compareBytes` order).
   *
   * @param key The key to compare.
   * @returns Negative, zero or positive; positive when the block is empty.
   */
  compareWithLast(key: Uint8Array): number {
    if (this.#count === 0) return 1;
    const buffer = this.#buffer;
    const start = this.#lastKeyStart;
    const lastLength = this.#lastKeyLength;
    const n = key.length < lastLength ? key.length : lastLength;
    for (let i = 0; i < n; i++) {
      const d = key[i]! - buffer[start + i]!;
      if (d !== 0) return d;
    }
    return key.length - lastLength;
  }

  /**
   * A copy of the last key added.
   *
   * @returns The key bytes; empty when the block is empty.
   */
  lastKey(): Uint8Array {
    return this.#buffer.slice(this.#lastKeyStart, this.#lastKeyStart + this.#lastKeyLength);
  }

  /**
   * Appends an entry; keys must come in strictly ascending order (not checked here).
   *
   * @param key The key.
   * @param seq The sequence number.
   * @param value The value, or `null` for a tombstone.
   */
  add(key: Uint8Array, seq: number, value: Uint8Array | null): void {
    const valueLength = value === null ? 0 : value.length;
    const tag = value === null ? TOMBSTONE_TAG : valueLength + 1;
    this.#reserve(key.length + valueLength + 24);
    if (this.#count === this.#offsets.length) {
      const grown = new Uint32Array(this.#offsets.length * 2);
      grown.set(this.#offsets);
      this.#offsets = grown;
    }
    this.#offsets[this.#count++] = this.#pos;
    const buffer = this.#buffer;
    let pos = this.#pos;
    const keyLength = key.length;
    if (keyLength < 0x80) buffer[pos++] = keyLength;
    else pos = putVarint(buffer, pos, keyLength);
    this.#lastKeyStart = pos;
    this.#lastKeyLength = keyLength;
    if (keyLength <= 16) {
      for (let i = 0; i < keyLength; i++) buffer[pos + i] = key[i]!;
    } else {
      buffer.set(key, pos);
    }
    pos = putVarint(buffer, pos + keyLength, seq);
    pos = putVarint(buffer, pos, tag);
    if (value !== null) {
      buffer.set(value, pos);
      pos += valueLength;
    }
    this.#pos = pos;
  }

  /**
   * Appends the offset array and the count, and returns the payload.
   *
   * @returns The payload: a view of the builder's buffer, valid until {@linkcode reset}.
   */
  finish(): Uint8Array {
    const size = this.size;
    const wide = size > MAX_U16_OFFSET_PAYLOAD;
    this.#reserve(size - this.#pos);
    const buffer = this.#buffer;
    let pos = this.#pos;
    for (let i = 0; i < this.#count; i++) {
      const offset = this.#offsets[i]!;
      if (wide) {
        putU32(buffer, pos, offset);
        pos += 4;
      } else {
        buffer[pos] = offset;
        buffer[pos + 1] = offset >>> 8;
        pos += 2;
      }
    }
    putU32(buffer, pos, this.#count);
    pos += 4;
    return buffer.subarray(0, pos);
  }

  /** Empties the builder for the next block, keeping its buffers. */
  reset(): void {
    this.#pos = 0;
    this.#count = 0;
    this.#lastKeyLength = 0;
  }

  #payloadSize(entryBytes: number, count: number): number {
    const narrow = entryBytes + count * 2 + 4;
    return narrow <= MAX_U16_OFFSET_PAYLOAD ? narrow : entryBytes + count * 4 + 4;
  }

  #reserve(extra: number): void {
    const need = this.#pos + extra;
    if (need <= this.#buffer.length) return;
    let capacity = this.#buffer.length * 2;
    while (capacity < need) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#pos));
    this.#buffer = grown;
  }
}
