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
import type { BlockHandle } from "./header_footer.ts";
import { commonPrefix, compareStored } from "./_search.ts";
import { ByteCursor, putVarint, varintLength } from "./_varint.ts";

/** Compares `data[a, a + aLength)` with `data[b, b + bLength)` as byte strings. */
function compareInPlace(
  data: Uint8Array,
  a: number,
  aLength: number,
  b: number,
  bLength: number,
): number {
  const n = aLength < bLength ? aLength : bLength;
  for (let i = 0; i < n; i++) {
    const d = data[a + i]! - data[b + i]!;
    if (d !== 0) return d;
  }
  return aLength - bLength;
}

/** Four bytes of `data` from `start` (fewer when `length` < 4, zero-padded), big-endian. */
function hintOf(data: Uint8Array, start: number, length: number): number {
  if (length >= 4) {
    return ((data[start]! << 24) | (data[start + 1]! << 16) | (data[start + 2]! << 8) |
      data[start + 3]!) >>> 0;
  }
  let hint = 0;
  for (let i = 0; i < 4; i++) hint = hint * 256 + (i < length ? data[start + i]! : 0);
  return hint;
}

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
  /** The index payload; last keys are read in place. */
  readonly #payload: Uint8Array;
  readonly #keyStarts: Uint32Array;
  readonly #keyLengths: Uint32Array;
  readonly #offsets: Float64Array;
  readonly #lengths: Uint32Array;
  /** Bytes every last key shares: the common prefix of the first and last ones. */
  readonly #shared: number;
  /** Per block, 4 bytes of its last key after `#shared`, big-endian, zero-padded. */
  readonly #hints: Uint32Array;

  private constructor(
    payload: Uint8Array,
    keyStarts: Uint32Array,
    keyLengths: Uint32Array,
    offsets: Float64Array,
    lengths: Uint32Array,
  ) {
    this.count = keyStarts.length;
    this.#payload = payload;
    this.#keyStarts = keyStarts;
    this.#keyLengths = keyLengths;
    this.#offsets = offsets;
    this.#lengths = lengths;
    const count = this.count;
    let shared = 0;
    if (count > 1) {
      compareStored(payload, keyStarts[0]!, keyLengths[0]!, this.lastKey(count - 1), 0);
      shared = commonPrefix();
    }
    this.#shared = shared;
    this.#hints = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      this.#hints[i] = hintOf(payload, keyStarts[i]! + shared, keyLengths[i]! - shared);
    }
  }

  /**
   * Decodes and checks an index payload: blocks must follow each other from `dataStart` to
   * `dataEnd` with no gap, each at least 8 bytes (count + checksum), and last keys must strictly
   * ascend.
   *
   * @param payload The index block without its checksum (kept: keys are read in place).
   * @param dataStart Where the first data block starts (the header's end).
   * @param dataEnd Where the last data block ends (the index block's offset).
   * @returns The index.
   * @throws {RangeError} when the payload is malformed or the handles do not tile the data.
   */
  static decode(payload: Uint8Array, dataStart: number, dataEnd: number): BlockIndex {
    const cursor = new ByteCursor(payload);
    const count = cursor.varint();
    if (count > payload.length) throw new RangeError(`Cannot read index: ${count} entries`);
    const keyStarts = new Uint32Array(count);
    const keyLengths = new Uint32Array(count);
    const offsets = new Float64Array(count);
    const lengths = new Uint32Array(count);
    let expected = dataStart;
    for (let i = 0; i < count; i++) {
      const keyLength = cursor.varint();
      const keyStart = cursor.pos;
      cursor.skip(keyLength);
      keyStarts[i] = keyStart;
      keyLengths[i] = keyLength;
      const offset = cursor.varint();
      const length = cursor.varint();
      if (offset !== expected || length < 8 || length > 0xffff_ffff) {
        throw new RangeError(`Cannot read index: block ${i} at ${offset}+${length}`);
      }
      // Compared in place: a view per key would cost more than the comparison.
      if (
        i > 0 &&
        compareInPlace(payload, keyStarts[i - 1]!, keyLengths[i - 1]!, keyStart, keyLength) >= 0
      ) {
        throw new RangeError(`Cannot read index: block ${i} keys out of order`);
      }
      offsets[i] = offset;
      lengths[i] = length;
      expected = offset + length;
    }
    if (expected !== dataEnd) throw new RangeError(`Cannot read index: data ends at ${expected}`);
    if (cursor.remaining !== 0) throw new RangeError("Cannot read index: trailing bytes");
    return new BlockIndex(payload, keyStarts, keyLengths, offsets, lengths);
  }

  /**
   * The first block whose last key is at least `key`: the only block that may hold `key`.
   *
   * @param key The key searched.
   * @returns A block number in `[0, count]`; `count` when `key` is past the table's end.
   */
  find(key: Uint8Array): number {
    const count = this.count;
    if (count === 0) return 0;
    const payload = this.#payload;
    const starts = this.#keyStarts;
    const lengths = this.#keyLengths;
    const shared = this.#shared;
    // A key that leaves the shared prefix sorts before or after every last key.
    const last = count - 1;
    const c = compareStored(payload, starts[last]!, shared, key, 0);
    if (commonPrefix() < shared) return c > 0 ? 0 : count;
    // Narrow with the hints (no key bytes touched), then compare whole keys among equal hints.
    const hint = hintOf(key, shared, key.length - shared);
    const hints = this.#hints;
    let low = 0;
    let high = count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (hints[mid]! < hint) low = mid + 1;
      else high = mid;
    }
    while (low < count && hints[low] === hint) {
      if (compareStored(payload, starts[low]!, lengths[low]!, key, shared) >= 0) return low;
      low++;
    }
    return low;
  }

  /**
   * The last key of a block.
   *
   * @param block A block number.
   * @returns The block's last key, a view of the index payload.
   */
  lastKey(block: number): Uint8Array {
    const start = this.#keyStarts[block]!;
    return this.#payload.subarray(start, start + this.#keyLengths[block]!);
  }

  /**
   * Compares block `block`'s last key with `key`, without allocating.
   *
   * @param block A block number.
   * @param key The key to compare with.
   * @returns Negative, zero or positive as the last key sorts before, equal to or after `key`.
   */
  compareLastKey(block: number, key: Uint8Array): number {
    return compareStored(this.#payload, this.#keyStarts[block]!, this.#keyLengths[block]!, key, 0);
  }

  /**
   * Where a block starts.
   *
   * @param block A block number.
   * @returns The block's offset in the file.
   */
  offset(block: number): number {
    return this.#offsets[block]!;
  }

  /**
   * How long a block is.
   *
   * @param block A block number.
   * @returns The block's length, checksum included.
   */
  length(block: number): number {
    return this.#lengths[block]!;
  }
}
