/**
 * The properties block: counts, sequence range, key range and sizes of a table, so the store can
 * plan reads and compactions without touching the data. See `docs/format/sstable.md`
 * ("Properties block"):
 *
 * ```
 * payload := entry_count:u64 tombstone_count:u64 min_seq:u64 max_seq:u64 data_bytes:u64
 *            raw_key_bytes:u64 raw_value_bytes:u64
 *            smallest_key_length:u32 smallest_key largest_key_length:u32 largest_key
 *            future_fields*      (ignored by version-1 readers)
 * ```
 *
 * @module
 */
import { ByteCursor, putU32, putU64 } from "./_varint.ts";

/**
 * What a table holds, as the writer reports it and the reader loads it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TableProperties } from "./properties.ts";
 * const overhead = (p: TableProperties) =>
 *   p.fileSize / (p.rawKeyBytes + p.rawValueBytes) - 1;
 * assert.equal(typeof overhead, "function");
 * ```
 */
export interface TableProperties {
  /** The file's path. */
  path: string;
  /** The file's size in bytes. */
  fileSize: number;
  /** The format version of the file. */
  formatVersion: number;
  /** Entries, tombstones included. */
  entryCount: number;
  /** Entries whose value is `null`. */
  tombstoneCount: number;
  /** The smallest seq of any entry (0 only in a table without entries). */
  minSeq: number;
  /** The largest seq of any entry. */
  maxSeq: number;
  /** The first key (a copy, safe to keep). */
  smallestKey: Uint8Array;
  /** The last key (a copy, safe to keep). */
  largestKey: Uint8Array;
  /** The number of data blocks. */
  blockCount: number;
  /** Bytes of all data blocks, checksums included. */
  dataBytes: number;
  /** Bytes of the index block, checksum included. */
  indexBytes: number;
  /** Bytes of the bloom block, checksum included (the filter's memory once loaded). */
  bloomBytes: number;
  /** The sum of the key lengths. */
  rawKeyBytes: number;
  /** The sum of the value lengths (tombstones count 0). */
  rawValueBytes: number;
}

/**
 * The fields the properties block stores; the others come from the footer and index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StoredProperties } from "./properties.ts";
 * const empty: Pick<StoredProperties, "entryCount" | "tombstoneCount"> = {
 *   entryCount: 0,
 *   tombstoneCount: 0,
 * };
 * assert.equal(empty.entryCount, 0);
 * ```
 */
export type StoredProperties = Pick<
  TableProperties,
  | "entryCount"
  | "tombstoneCount"
  | "minSeq"
  | "maxSeq"
  | "smallestKey"
  | "largestKey"
  | "dataBytes"
  | "rawKeyBytes"
  | "rawValueBytes"
>;

/**
 * Encodes the properties block payload.
 *
 * @param props The stored fields.
 * @returns The payload, without its checksum.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeProperties, encodeProperties } from "./properties.ts";
 * const props = {
 *   entryCount: 2, tombstoneCount: 1, minSeq: 3, maxSeq: 4, dataBytes: 33,
 *   rawKeyBytes: 2, rawValueBytes: 1,
 *   smallestKey: new Uint8Array([1]), largestKey: new Uint8Array([2]),
 * };
 * assert.deepEqual(decodeProperties(encodeProperties(props)), props);
 * ```
 */
export function encodeProperties(props: StoredProperties): Uint8Array {
  const { smallestKey, largestKey } = props;
  const out = new Uint8Array(56 + 4 + smallestKey.length + 4 + largestKey.length);
  const numbers = [
    props.entryCount,
    props.tombstoneCount,
    props.minSeq,
    props.maxSeq,
    props.dataBytes,
    props.rawKeyBytes,
    props.rawValueBytes,
  ];
  numbers.forEach((value, i) => putU64(out, i * 8, value));
  putU32(out, 56, smallestKey.length);
  out.set(smallestKey, 60);
  putU32(out, 60 + smallestKey.length, largestKey.length);
  out.set(largestKey, 64 + smallestKey.length);
  return out;
}

/**
 * Decodes a properties block payload; bytes after the largest key are ignored (room for fields
 * a later writer may append).
 *
 * @param payload The block without its checksum.
 * @returns The stored fields; the keys are copies.
 * @throws {RangeError} when the payload is too short or a count is inconsistent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeProperties } from "./properties.ts";
 * assert.throws(() => decodeProperties(new Uint8Array(10)), RangeError);
 * ```
 */
export function decodeProperties(payload: Uint8Array): StoredProperties {
  const cursor = new ByteCursor(payload);
  const entryCount = cursor.u64();
  const tombstoneCount = cursor.u64();
  const minSeq = cursor.u64();
  const maxSeq = cursor.u64();
  const dataBytes = cursor.u64();
  const rawKeyBytes = cursor.u64();
  const rawValueBytes = cursor.u64();
  const smallestKey = cursor.bytes(cursor.u32()).slice();
  const largestKey = cursor.bytes(cursor.u32()).slice();
  if (tombstoneCount > entryCount || minSeq > maxSeq) {
    throw new RangeError("Cannot read properties: counts are inconsistent");
  }
  return {
    entryCount,
    tombstoneCount,
    minSeq,
    maxSeq,
    dataBytes,
    rawKeyBytes,
    rawValueBytes,
    smallestKey,
    largestKey,
  };
}
