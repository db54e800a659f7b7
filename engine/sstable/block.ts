/**
 * Reads a data block payload (the grammar is in `block_builder.ts` and
 * `docs/format/sstable.md`): binary search by key through the offset array, and decoding of one
 * entry at a time. Returned keys and values are subarrays of the block: do not mutate them.
 *
 * @module
 */
import type { SstEntry } from "./entry.ts";
import { MAX_U16_OFFSET_PAYLOAD, TOMBSTONE_TAG } from "./format.ts";
import { commonPrefix, compareStored } from "./_search.ts";
import { ByteCursor, getU32 } from "./_varint.ts";

/**
 * A decoded view of one data block payload (its checksum already verified and stripped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Block } from "./block.ts";
 * import { BlockBuilder } from "./block_builder.ts";
 * const builder = new BlockBuilder();
 * builder.add(new Uint8Array([1]), 5, new Uint8Array([9]));
 * builder.add(new Uint8Array([3]), 6, null);
 * const block = Block.decode(builder.finish().slice());
 * assert.equal(block.count, 2);
 * assert.equal(block.get(new Uint8Array([3]))?.value, null);
 * assert.equal(block.get(new Uint8Array([2])), undefined);
 * assert.equal(block.lowerBound(new Uint8Array([2])), 1);
 * ```
 */
export class Block {
  /** The payload bytes. */
  readonly data: Uint8Array;
  /** The number of entries. */
  readonly count: number;
  readonly #offsets: number;
  readonly #wide: boolean;
  #end = 0;

  private constructor(data: Uint8Array, count: number, offsets: number, wide: boolean) {
    this.data = data;
    this.count = count;
    this.#offsets = offsets;
    this.#wide = wide;
  }

  /**
   * Reads the trailer of a payload. Entries are decoded lazily; {@linkcode Block.check} walks
   * them all.
   *
   * @param payload The block without its checksum.
   * @returns The block.
   * @throws {RangeError} when the count does not fit the payload.
   */
  static decode(payload: Uint8Array): Block {
    const length = payload.length;
    if (length < 4) throw new RangeError(`Cannot read data block: ${length} bytes`);
    const count = getU32(payload, length - 4);
    const wide = length > MAX_U16_OFFSET_PAYLOAD;
    const offsetsSize = count * (wide ? 4 : 2);
    if (offsetsSize > length - 4) {
      throw new RangeError(`Cannot read data block: ${count} entries in ${length} bytes`);
    }
    return new Block(payload, count, length - 4 - offsetsSize, wide);
  }

  /** Bytes the block holds (what a cache charges for it). */
  get byteLength(): number {
    return this.data.byteLength;
  }

  /**
   * Where entry `index` starts in the payload.
   *
   * @param index An entry index in `[0, count)`.
   * @returns The byte offset.
   */
  offsetOf(index: number): number {
    const data = this.data;
    if (this.#wide) return getU32(data, this.#offsets + index * 4);
    const at = this.#offsets + index * 2;
    return data[at]! | (data[at + 1]! << 8);
  }

  /**
   * The index of the first entry whose key is at least `key`.
   *
   * @param key The key searched.
   * @returns An index in `[0, count]`; `count` when every key is smaller.
   */
  lowerBound(key: Uint8Array): number {
    return this.#search(key, false);
  }

  /**
   * Finds the entry holding exactly `key`.
   *
   * @param key The key.
   * @returns The entry (a tombstone has `value: null`), or `undefined`. Its `key` is the `key`
   * argument itself (the bytes are equal); its value is a view of the block.
   */
  get(key: Uint8Array): SstEntry | undefined {
    const index = this.#search(key, true);
    if (index < 0) return undefined;
    const data = this.data;
    let pos = this.offsetOf(index);
    let length = data[pos++]!;
    if (length >= 0x80) {
      pos--;
      length = this.#slowVarint(pos);
      pos = this.#end;
    }
    pos += length;
    let seq = data[pos++]!;
    if (seq >= 0x80) {
      seq = this.#slowVarint(pos - 1);
      pos = this.#end;
    }
    let tag = data[pos++]!;
    if (tag >= 0x80) {
      tag = this.#slowVarint(pos - 1);
      pos = this.#end;
    }
    if (tag === TOMBSTONE_TAG) return { key, seq, value: null };
    return { key, seq, value: data.subarray(pos, pos + tag - 1) };
  }

  /**
   * Decodes entry `index`.
   *
   * @param index An entry index in `[0, count)`.
   * @returns The entry, its key and value being subarrays of the block.
   */
  entryAt(index: number): SstEntry {
    return this.#decodeAt(this.offsetOf(index));
  }

  /**
   * Decodes every entry in order and checks the offsets and the end of the entries.
   *
   * @returns The entries.
   * @throws {RangeError} when an entry runs past the offset array or an offset is wrong.
   */
  check(): SstEntry[] {
    const cursor = new ByteCursor(this.data, 0, this.#offsets);
    const entries: SstEntry[] = [];
    for (let i = 0; i < this.count; i++) {
      if (this.offsetOf(i) !== cursor.pos) {
        throw new RangeError(`Cannot read data block: entry ${i} offset is wrong`);
      }
      const key = cursor.bytes(cursor.varint());
      const seq = cursor.varint();
      const tag = cursor.varint();
      const value = tag === TOMBSTONE_TAG ? null : cursor.bytes(tag - 1);
      entries.push({ key, seq, value });
    }
    if (cursor.remaining !== 0) {
      throw new RangeError(`Cannot read data block: ${cursor.remaining} bytes after the entries`);
    }
    return entries;
  }

  /**
   * Finds where `key` goes. With `exact`, returns the index of the entry equal to `key` or -1;
   * otherwise the first index whose key is at least `key`.
   */
  /**
   * Binary search with common-prefix skipping. With `exact`, returns the index of the entry
   * equal to `key` or -1; otherwise the first index whose key is at least `key`.
   */
  #search(key: Uint8Array, exact: boolean): number {
    const data = this.data;
    let low = 0;
    let high = this.count;
    let lowCommon = 0;
    let highCommon = 0;
    while (low < high) {
      const mid = (low + high) >>> 1;
      let pos = this.offsetOf(mid);
      let length = data[pos++]!;
      if (length >= 0x80) {
        length = this.#slowVarint(pos - 1);
        pos = this.#end;
      }
      const c = compareStored(
        data,
        pos,
        length,
        key,
        lowCommon < highCommon ? lowCommon : highCommon,
      );
      if (c < 0) {
        low = mid + 1;
        lowCommon = commonPrefix();
      } else {
        if (c === 0 && exact) return mid;
        high = mid;
        highCommon = commonPrefix();
      }
    }
    return exact ? -1 : low;
  }

  /** Decodes a varint of 2+ bytes at `pos`; leaves the position after it in `#end`. */
  #slowVarint(pos: number): number {
    const data = this.data;
    let result = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = data[pos++] ?? 0;
      result += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte >= 0x80);
    this.#end = pos;
    return result;
  }

  #decodeAt(offset: number): SstEntry {
    const data = this.data;
    let pos = offset;
    let keyLength = data[pos++]!;
    if (keyLength >= 0x80) {
      keyLength = this.#slowVarint(pos - 1);
      pos = this.#end;
    }
    const keyStart = pos;
    pos += keyLength;
    let seq = data[pos++]!;
    if (seq >= 0x80) {
      seq = this.#slowVarint(pos - 1);
      pos = this.#end;
    }
    let tag = data[pos++]!;
    if (tag >= 0x80) {
      tag = this.#slowVarint(pos - 1);
      pos = this.#end;
    }
    const key = data.subarray(keyStart, keyStart + keyLength);
    if (tag === TOMBSTONE_TAG) return { key, seq, value: null };
    return { key, seq, value: data.subarray(pos, pos + tag - 1) };
  }
}
