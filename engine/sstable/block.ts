/**
 * Reads a data block payload (the grammar is in `block_builder.ts` and
 * `docs/format/sstable.md`): binary search by key through the offset array, and decoding of one
 * entry at a time. An entry's key is a prefix of the block's first key plus its own suffix, so a
 * returned key is a subarray of the block when the entry shares nothing, else a fresh array;
 * returned values are subarrays of the block: do not mutate them.
 *
 * @module
 */
import { allocate } from "../codec/_byte_pool.ts";
import type { SstEntry } from "./entry.ts";
import { MAX_U16_OFFSET_PAYLOAD, TOMBSTONE_TAG } from "./format.ts";
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
  /**
   * Whether the block cache may reuse {@linkcode data}'s buffer once it evicts the block: set
   * for a block read into the cache's buffer pool by a point lookup, cleared for good once an
   * iterator (which holds blocks across yields) takes the block.
   */
  recyclable = false;
  readonly #offsets: number;
  readonly #wide: boolean;
  #firstKeyStart = 0;
  #firstKeyLength = 0;
  // Scratch of the last entry header read: the suffix of its key, and where the rest starts.
  #shared = 0;
  #suffixStart = 0;
  #suffixLength = 0;
  #end = 0;

  private constructor(data: Uint8Array, count: number, offsets: number, wide: boolean) {
    this.data = data;
    this.count = count;
    this.#offsets = offsets;
    this.#wide = wide;
  }

  /**
   * Reads the trailer of a payload and the block's first key. Entries are decoded lazily;
   * {@linkcode Block.check} walks them all.
   *
   * @param payload The block without its checksum.
   * @returns The block.
   * @throws {RangeError} when the count does not fit the payload or the first entry is bad.
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
    const block = new Block(payload, count, length - 4 - offsetsSize, wide);
    if (count > 0) {
      const first = block.offsetOf(0);
      if (first >= block.#offsets) throw new RangeError("Cannot read data block: bad first entry");
      block.#readKey(first);
      if (block.#shared !== 0 || !(block.#end <= block.#offsets)) {
        throw new RangeError("Cannot read data block: bad first entry");
      }
      block.#firstKeyStart = block.#suffixStart;
      block.#firstKeyLength = block.#suffixLength;
    }
    return block;
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
    this.#readKey(this.offsetOf(index));
    return this.#readRest(key, this.#end);
  }

  /**
   * Decodes entry `index`.
   *
   * @param index An entry index in `[0, count)`.
   * @returns The entry; its value is a subarray of the block.
   */
  entryAt(index: number): SstEntry {
    this.#readKey(this.offsetOf(index));
    return this.#readRest(this.#key(), this.#end);
  }

  /**
   * Decodes every entry in order and checks the offsets, the key prefixes and the end of the
   * entries.
   *
   * @returns The entries.
   * @throws {RangeError} when an entry runs past the offset array, an offset is wrong or an entry
   * shares more than the first key holds.
   */
  check(): SstEntry[] {
    const cursor = new ByteCursor(this.data, 0, this.#offsets);
    const entries: SstEntry[] = [];
    for (let i = 0; i < this.count; i++) {
      if (this.offsetOf(i) !== cursor.pos) {
        throw new RangeError(`Cannot read data block: entry ${i} offset is wrong`);
      }
      const shared = cursor.varint();
      if (shared > this.#firstKeyLength || (i === 0 && shared !== 0)) {
        throw new RangeError(`Cannot read data block: entry ${i} shares ${shared} key bytes`);
      }
      const suffix = cursor.bytes(cursor.varint());
      const key = new Uint8Array(shared + suffix.length);
      key.set(this.data.subarray(this.#firstKeyStart, this.#firstKeyStart + shared));
      key.set(suffix, shared);
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
   * Binary search: the index of the entry equal to `key` (`exact`, else -1), or of the first
   * entry at least `key`. Every entry shares its first `shared` bytes with the first key, so the
   * key's common prefix with the first key (computed once) decides most comparisons: an entry
   * sharing more than it differs from `key` where the first key does.
   */
  #search(key: Uint8Array, exact: boolean): number {
    const data = this.data;
    const first = this.#firstKeyStart;
    const keyLength = key.length;
    const firstLength = this.#firstKeyLength;
    const n = keyLength < firstLength ? keyLength : firstLength;
    let common = 0;
    while (common < n && data[first + common] === key[common]) common++;
    // The sign of (first key - key) past their common prefix.
    const beyond = common < n ? data[first + common]! - key[common]! : firstLength - keyLength;
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      this.#readKey(this.offsetOf(mid));
      const shared = this.#shared;
      let c: number;
      if (shared > common) {
        // The entry agrees with the first key up to past where the key leaves it.
        c = beyond;
      } else {
        const start = this.#suffixStart;
        const length = this.#suffixLength;
        const rest = keyLength - shared;
        const m = length < rest ? length : rest;
        c = length - rest;
        for (let i = 0; i < m; i++) {
          const d = data[start + i]! - key[shared + i]!;
          if (d !== 0) {
            c = d;
            break;
          }
        }
      }
      if (c < 0) low = mid + 1;
      else {
        if (c === 0 && exact) return mid;
        high = mid;
      }
    }
    return exact ? -1 : low;
  }

  /** Reads the key part of the entry at `pos` into the scratch fields; `#end` is after it. */
  #readKey(pos: number): void {
    const data = this.data;
    let shared = data[pos++]!;
    if (shared >= 0x80) {
      shared = this.#slowVarint(pos - 1);
      pos = this.#end;
    }
    let length = data[pos++]!;
    if (length >= 0x80) {
      length = this.#slowVarint(pos - 1);
      pos = this.#end;
    }
    this.#shared = shared;
    this.#suffixStart = pos;
    this.#suffixLength = length;
    this.#end = pos + length;
  }

  /** The key of the entry last read by `#readKey`. */
  #key(): Uint8Array {
    const data = this.data;
    const start = this.#suffixStart;
    const length = this.#suffixLength;
    const shared = this.#shared;
    if (shared === 0) return data.subarray(start, start + length);
    // From the shared slab (an ArrayBuffer per key costs more than the key), by byte loops:
    // keys are short, and views to copy from would cost more than the copy.
    const key = allocate(shared + length);
    const first = this.#firstKeyStart;
    for (let i = 0; i < shared; i++) key[i] = data[first + i]!;
    for (let i = 0; i < length; i++) key[shared + i] = data[start + i]!;
    return key;
  }

  /** Reads the sequence number, tag and value that follow a key ending at `pos`. */
  #readRest(key: Uint8Array, pos: number): SstEntry {
    const data = this.data;
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
}
