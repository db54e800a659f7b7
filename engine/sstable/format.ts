/**
 * The constants of the SST file format, shared by the writer and the reader. See
 * `docs/format/sstable.md` for the grammar, the byte tables and the worked example; this file
 * holds only the numbers.
 *
 * Every value here is on-disk: never renumber, never reuse a flag bit. A change of layout gets a
 * new {@linkcode FORMAT_VERSION}, and readers refuse versions newer than theirs.
 *
 * @example The file starts with "SSTM"
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAGIC } from "./format.ts";
 * assert.equal(new TextDecoder().decode(MAGIC), "SSTM");
 * ```
 *
 * @module
 */

/** The first four bytes of every SST file, and bytes 40..44 of its footer: ASCII `SSTM`. */
export const MAGIC: Uint8Array = new Uint8Array([0x53, 0x53, 0x54, 0x4d]);

/**
 * The format version this code writes and the only one it reads. On-disk: never renumber.
 * Version 2 stores each data block key as a prefix shared with the block's first key plus a
 * suffix; version 1 (whole keys) predates it and is refused with `NOT_SUPPORTED`.
 */
export const FORMAT_VERSION = 2;

/**
 * Header flag bits this version understands; a reader refuses a file with any other bit set.
 * Versions 1 and 2 define none. On-disk: never renumber, never reuse a bit.
 */
export const KNOWN_FLAGS = 0;

/** Bytes of the header: magic (4), version u16, flags u16, CRC-32C u32. */
export const HEADER_SIZE = 12;

/**
 * Bytes of the footer: three block handles (u64 offset + u32 length each), version u16,
 * reserved u16, magic (4), CRC-32C u32.
 */
export const FOOTER_SIZE = 48;

/**
 * Bytes every block (data, index, bloom, properties) ends with: the CRC-32C of the block's
 * payload, u32 little-endian. A block handle's length includes them.
 */
export const CHECKSUM_SIZE = 4;

/** A data block payload no longer than this uses u16 entry offsets; a longer one uses u32. */
export const MAX_U16_OFFSET_PAYLOAD = 65536;

/** A `value_tag` of 0 marks a tombstone; any other tag is the value's length plus one. */
export const TOMBSTONE_TAG = 0;

/** Target size of a data block when the writer is not told otherwise. */
export const DEFAULT_BLOCK_SIZE = 4096;

/** The bloom filter's false-positive rate when the writer is not told otherwise. */
export const DEFAULT_BLOOM_FALSE_POSITIVE_RATE = 0.01;

/** The writer hands the file system chunks of about this many bytes. */
export const WRITE_CHUNK_SIZE = 256 * 1024;

/** Seed of the bloom filter's first murmur3 hash. On-disk: never change. */
export const BLOOM_SEED_1 = 0x6b73_7431;

/** Seed of the bloom filter's second murmur3 hash. On-disk: never change. */
export const BLOOM_SEED_2 = 0x5353_544d;

/** The largest number of bloom probes a writer emits. */
export const MAX_BLOOM_PROBES = 30;
