/**
 * Builds the payload of one data block. See `docs/format/sstable.md` ("Data block"):
 *
 * ```
 * payload := entry* offset{count} count:u32
 * entry   := shared:varint unshared:varint key_suffix seq:varint value_tag:varint value
 * offset  := u16 when the payload is at most 65536 bytes, else u32 (little-endian): where
 *            entry i starts in the payload
 * value_tag := 0 for a tombstone, else the value's length + 1
 * ```
 *
 * An entry's key is the first `shared` bytes of the block's first key followed by its
 * `unshared`-byte suffix (the first entry has `shared` 0). Sharing with the first key rather than
 * the previous one keeps every entry readable on its own, so the reader binary-searches the
 * offsets without decoding neighbours.
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
 * builder.add(new Uint8Array([0x61, 0x61]), 1, new Uint8Array([0x7a]));
 * builder.add(new Uint8Array([0x61, 0x62]), 2, null);
 * assert.deepEqual(
 *   builder.finish(),
 *   new Uint8Array([0, 2, 0x61, 0x61, 1, 2, 0x7a, 1, 1, 0x62, 2, 0, 0, 0, 7, 0, 2, 0, 0, 0]),
 * );
 * ```
 */
export class BlockBuilder {
  #buffer: Uint8Array;
  #pos = 0;
  #offsets: Uint32Array = new Uint32Array(64);
  #count = 0;
  #firstKey: Uint8Array = new Uint8Array(64);
  #firstKeyLength = 0;
  #lastKey: Uint8Array = new Uint8Array(64);
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
   * The payload size if an entry with this key and value length were added; the writer cuts
   * the block before an entry that would push it past the target size.
   *
   * @param key The key.
   * @param seq The sequence number.
   * @param valueLength The value's length, or -1 for a tombstone.
   * @returns The payload size after the add.
   */
  sizeWith(key: Uint8Array, seq: number, valueLength: number): number {
    const shared = this.#shared(key);
    const unshared = key.length - shared;
    const entry = varintLength(shared) + varintLength(unshared) + unshared + varintLength(seq) +
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
    const last = this.#lastKey;
    const lastLength = this.#lastKeyLength;
    const n = key.length < lastLength ? key.length : lastLength;
    for (let i = 0; i < n; i++) {
      const d = key[i]! - last[i]!;
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
    return this.#lastKey.slice(0, this.#lastKeyLength);
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
    const keyLength = key.length;
    const shared = this.#shared(key);
    const unshared = keyLength - shared;
    if (this.#count === 0) {
      this.#firstKey = remember(this.#firstKey, key);
      this.#firstKeyLength = keyLength;
    }
    this.#lastKey = remember(this.#lastKey, key);
    this.#lastKeyLength = keyLength;
    this.#offsets[this.#count++] = this.#pos;
    const buffer = this.#buffer;
    let pos = this.#pos;
    if (shared < 0x80) buffer[pos++] = shared;
    else pos = putVarint(buffer, pos, shared);
    if (unshared < 0x80) buffer[pos++] = unshared;
    else pos = putVarint(buffer, pos, unshared);
    if (unshared <= 16) {
      for (let i = 0; i < unshared; i++) buffer[pos + i] = key[shared + i]!;
    } else {
      buffer.set(key.subarray(shared), pos);
    }
    pos = putVarint(buffer, pos + unshared, seq);
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
    this.#firstKeyLength = 0;
    this.#lastKeyLength = 0;
  }

  /** The bytes `key` shares with the block's first key (0 for the first entry). */
  #shared(key: Uint8Array): number {
    if (this.#count === 0) return 0;
    const first = this.#firstKey;
    const n = key.length < this.#firstKeyLength ? key.length : this.#firstKeyLength;
    let i = 0;
    while (i < n && key[i] === first[i]) i++;
    return i;
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

/** Copies `key` into `buffer`, or into a larger array when it does not fit; returns the holder. */
function remember(buffer: Uint8Array, key: Uint8Array): Uint8Array {
  const holder = key.length <= buffer.length ? buffer : new Uint8Array(key.length * 2);
  holder.set(key);
  return holder;
}
