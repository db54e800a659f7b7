/**
 * The index block: one entry per data block, in file order, giving the block's last key and
 * where the block lies. See `docs/format/sstable.md` ("Index block"):
 *
 * ```
 * payload := count:varint entry{count}
 * entry   := last_key_length:varint last_key offset:varint length:varint
 * ```
 *
 * The reader keeps the decoded index in memory for the life of the table.
 *
 * @module
 */
import { compareBytes } from "../codec/bytes.ts";
import type { BlockHandle } from "./header_footer.ts";
import { ByteCursor, putVarint, varintLength } from "./_varint.ts";

/**
 * Collects the index entries while data blocks are written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BlockIndex, IndexBuilder } from "./index_block.ts";
 * const builder = new IndexBuilder();
 * builder.add(new Uint8Array([5]), { offset: 12, length: 20 });
 * const payload = builder.finish();
 * assert.deepEqual(payload, new Uint8Array([1, 1, 5, 12, 20]));
 * assert.equal(BlockIndex.decode(payload, 12, 32).count, 1);
 * ```
 */
export class IndexBuilder {
  readonly #keys: Uint8Array[] = [];
  readonly #handles: BlockHandle[] = [];

  /** The number of blocks indexed so far. */
  get count(): number {
    return this.#keys.length;
  }

  /**
   * Records a data block.
   *
   * @param lastKey The block's last key (kept, not copied).
   * @param handle Where the block lies, checksum included.
   */
  add(lastKey: Uint8Array, handle: BlockHandle): void {
    this.#keys.push(lastKey);
    this.#handles.push(handle);
  }

  /**
   * Encodes the index block payload.
   *
   * @returns The payload, without its checksum.
   */
  finish(): Uint8Array {
    let size = varintLength(this.#keys.length);
    for (let i = 0; i < this.#keys.length; i++) {
      const key = this.#keys[i]!;
      const handle = this.#handles[i]!;
      size += varintLength(key.length) + key.length + varintLength(handle.offset) +
        varintLength(handle.length);
    }
    const out = new Uint8Array(size);
    let pos = putVarint(out, 0, this.#keys.length);
    for (let i = 0; i < this.#keys.length; i++) {
      const key = this.#keys[i]!;
      const handle = this.#handles[i]!;
      pos = putVarint(out, pos, key.length);
      out.set(key, pos);
      pos = putVarint(out, pos + key.length, handle.offset);
      pos = putVarint(out, pos, handle.length);
    }
    return out;
  }
}

/**
 * The decoded index of a table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BlockIndex } from "./index_block.ts";
 * // Two blocks: last keys [2] and [9].
 * const index = BlockIndex.decode(new Uint8Array([2, 1, 2, 12, 10, 1, 9, 22, 10]), 12, 32);
 * assert.equal(index.find(new Uint8Array([0])), 0);
 * assert.equal(index.find(new Uint8Array([3])), 1);
 * assert.equal(index.find(new Uint8Array([10])), 2);
 * assert.equal(index.offset(1), 22);
 * ```
 */
export class BlockIndex {
  /** The number of data blocks. */
  readonly count: number;
  readonly #keys: Uint8Array[];
  readonly #offsets: number[];
  readonly #lengths: number[];

  private constructor(keys: Uint8Array[], offsets: number[], lengths: number[]) {
    this.count = keys.length;
    this.#keys = keys;
    this.#offsets = offsets;
    this.#lengths = lengths;
  }

  /**
   * Decodes and checks an index payload: blocks must follow each other from `dataStart` to
   * `dataEnd` with no gap, each at least 8 bytes (count + checksum), and last keys must strictly
   * ascend.
   *
   * @param payload The index block without its checksum.
   * @param dataStart Where the first data block starts (the header's end).
   * @param dataEnd Where the last data block ends (the index block's offset).
   * @returns The index; its keys are subarrays of `payload`.
   * @throws {RangeError} when the payload is malformed or the handles do not tile the data.
   */
  static decode(payload: Uint8Array, dataStart: number, dataEnd: number): BlockIndex {
    const cursor = new ByteCursor(payload);
    const count = cursor.varint();
    if (count > payload.length) throw new RangeError(`Cannot read index: ${count} entries`);
    const keys: Uint8Array[] = [];
    const offsets: number[] = [];
    const lengths: number[] = [];
    let expected = dataStart;
    for (let i = 0; i < count; i++) {
      const key = cursor.bytes(cursor.varint());
      const offset = cursor.varint();
      const length = cursor.varint();
      if (offset !== expected || length < 8) {
        throw new RangeError(`Cannot read index: block ${i} at ${offset}+${length}`);
      }
      if (i > 0 && compareBytes(keys[i - 1]!, key) >= 0) {
        throw new RangeError(`Cannot read index: block ${i} keys out of order`);
      }
      keys.push(key);
      offsets.push(offset);
      lengths.push(length);
      expected = offset + length;
    }
    if (expected !== dataEnd) throw new RangeError(`Cannot read index: data ends at ${expected}`);
    if (cursor.remaining !== 0) throw new RangeError("Cannot read index: trailing bytes");
    return new BlockIndex(keys, offsets, lengths);
  }

  /**
   * The first block whose last key is at least `key`: the only block that may hold `key`.
   *
   * @param key The key searched.
   * @returns A block number in `[0, count]`; `count` when `key` is past the table's end.
   */
  find(key: Uint8Array): number {
    const keys = this.#keys;
    let low = 0;
    let high = keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareBytes(keys[mid]!, key) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * @param block A block number.
   * @returns The block's last key.
   */
  lastKey(block: number): Uint8Array {
    return this.#keys[block]!;
  }

  /**
   * @param block A block number.
   * @returns The block's offset in the file.
   */
  offset(block: number): number {
    return this.#offsets[block]!;
  }

  /**
   * @param block A block number.
   * @returns The block's length, checksum included.
   */
  length(block: number): number {
    return this.#lengths[block]!;
  }
}
