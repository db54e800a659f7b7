/**
 * The full check behind `TableReader.verify` (and a future `kstone verify`): every data block
 * re-read from the file, its checksum, its layout, the key order across blocks, the index's last
 * keys, the bloom filter (no false negatives) and every counted property.
 *
 * @module
 */
import { compareBytes } from "../codec/bytes.ts";
import type { Block } from "./block.ts";
import type { BloomFilter } from "./bloom.ts";
import type { BlockIndex } from "./index_block.ts";
import type { TableProperties } from "./properties.ts";
import { malformed } from "./_errors.ts";

/**
 * What {@linkcode verifyTable} needs from a reader.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { VerifyTarget } from "./_verify.ts";
 * const fields: Array<keyof VerifyTarget> = ["path", "index", "bloom", "properties", "readBlock"];
 * assert.equal(fields.length, 5);
 * ```
 */
export interface VerifyTarget {
  /** The file's path, for errors. */
  path: string;
  /** The decoded index. */
  index: BlockIndex;
  /** The decoded bloom filter. */
  bloom: BloomFilter;
  /** The loaded properties. */
  properties: TableProperties;
  /** Reads and checksums data block `block` from the file. */
  readBlock(block: number): Block;
}

/**
 * Checks a whole table.
 *
 * @param target The reader's parts.
 * @throws {KstoneError} `CORRUPTION` at the first problem found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { TableReader } from "./table_reader.ts";
 * import { writeTable } from "./table_writer.ts";
 * const fs = new MemoryFileSystem();
 * await writeTable(fs, "/000-1.sst", [{ key: new Uint8Array([1]), seq: 1, value: null }]);
 * const table = await TableReader.open(fs, "/000-1.sst");
 * assert.doesNotThrow(() => table.verify());
 * table.close();
 * ```
 */
export function verifyTable(target: VerifyTarget): void {
  const { path, index, bloom, properties } = target;
  let previous: Uint8Array | undefined;
  let entries = 0;
  let tombstones = 0;
  let minSeq = Number.MAX_SAFE_INTEGER;
  let maxSeq = 0;
  let keyBytes = 0;
  let valueBytes = 0;
  for (let b = 0; b < index.count; b++) {
    const block = target.readBlock(b);
    let decoded;
    try {
      decoded = block.check();
    } catch (error) {
      if (error instanceof RangeError) throw malformed(path, `data block ${b}: ${error.message}`);
      throw error;
    }
    if (decoded.length === 0) throw malformed(path, `data block ${b} is empty`);
    for (const { key, seq, value } of decoded) {
      if (previous !== undefined && compareBytes(previous, key) >= 0) {
        throw malformed(path, `keys out of order at entry ${entries}`);
      }
      if (!bloom.mayContain(key)) throw malformed(path, `bloom filter lacks entry ${entries}`);
      if (seq < 1) throw malformed(path, `entry ${entries} has seq 0`);
      previous = key;
      entries++;
      keyBytes += key.length;
      if (value === null) tombstones++;
      else valueBytes += value.length;
      if (seq < minSeq) minSeq = seq;
      if (seq > maxSeq) maxSeq = seq;
      if (entries === 1 && compareBytes(key, properties.smallestKey) !== 0) {
        throw malformed(path, "first key differs from the smallest key property");
      }
    }
    if (compareBytes(previous!, index.lastKey(b)) !== 0) {
      throw malformed(path, `data block ${b} last key differs from the index`);
    }
  }
  const found = [entries, tombstones, minSeq, maxSeq, keyBytes, valueBytes];
  const p = properties;
  const stated = [
    p.entryCount,
    p.tombstoneCount,
    p.minSeq,
    p.maxSeq,
    p.rawKeyBytes,
    p.rawValueBytes,
  ];
  if (entries === 0) found[2] = stated[2]!;
  if (found.some((value, i) => value !== stated[i])) {
    throw malformed(path, `properties ${stated.join("/")} but data holds ${found.join("/")}`);
  }
}
