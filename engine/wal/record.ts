/**
 * Encoding and decoding of the `wal.log` file header and record headers, the one place that
 * knows their byte layout (docs/format/wal.md). All integers are little-endian; a u64 holds an
 * LSN, a safe integer below `2^53`.
 *
 * @module
 */

import { crc32c, crc32cWords } from "../codec/crc32c.ts";
import { corruption, KstoneError } from "../errors.ts";
import {
  WAL_HEADER_SIZE,
  WAL_MAGIC,
  WAL_MAX_LSN,
  WAL_MAX_PAYLOAD,
  WAL_RECORD_HEADER_SIZE,
  WAL_UNSYNCED_UNKNOWN,
  WAL_VERSION,
} from "./format.ts";

const TWO_32 = 0x1_0000_0000;

function setU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

function getU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) |
    (bytes[offset + 3]! << 24)) >>> 0;
}

function setU64(bytes: Uint8Array, offset: number, value: number): void {
  setU32(bytes, offset, value % TWO_32);
  setU32(bytes, offset + 4, Math.floor(value / TWO_32));
}

/** A u64 as a number; above {@linkcode WAL_MAX_LSN} (so: damage) when the high word is large. */
function getU64(bytes: Uint8Array, offset: number): number {
  const high = getU32(bytes, offset + 4);
  return high >= 0x20_0000 ? Infinity : high * TWO_32 + getU32(bytes, offset);
}

/** The fields of a record header, as {@linkcode readRecordHeader} finds them. */
export interface WalRecordHeader {
  /** The stored CRC-32C. */
  crc: number;
  /** The payload length. */
  length: number;
  /** The record's LSN; `Infinity` when the field is not a safe integer. */
  lsn: number;
  /** How many LSNs were left out before this one. */
  skipped: number;
  /** How many bytes before the record were not yet synced when it was written. */
  unsynced: number;
}

/**
 * Encodes the 24-byte file header.
 *
 * @param baseLsn The LSN the first record follows from: the first record's LSN is
 *   `baseLsn + skipped`.
 * @returns The header bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWalHeader, encodeWalHeader } from "./record.ts";
 * const header = encodeWalHeader(7);
 * assert.equal(new TextDecoder().decode(header.subarray(0, 4)), "KSWL");
 * assert.equal(decodeWalHeader(header), 7);
 * ```
 */
export function encodeWalHeader(baseLsn: number): Uint8Array {
  const header = new Uint8Array(WAL_HEADER_SIZE);
  header.set(WAL_MAGIC, 0);
  setU32(header, 4, WAL_VERSION);
  setU64(header, 8, baseLsn);
  setU32(header, 16, 0);
  setU32(header, 20, crc32c(header, 0, 20));
  return header;
}

/**
 * Checks a file header and returns its base LSN. The magic is checked first, then the version
 * (a newer one may lay the header out differently), then the CRC.
 *
 * @param bytes At least the first 24 bytes of the file (fewer is an invalid header).
 * @param path The file, for the error.
 * @returns The base LSN.
 * @throws {KstoneError} CORRUPTION `Corruption detected: WAL header invalid` for a short file, a
 *   wrong magic, version 0, a CRC mismatch or a base LSN outside `1..2^53-1`;
 *   NOT_SUPPORTED for a newer version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWalHeader, encodeWalHeader } from "./record.ts";
 * const header = encodeWalHeader(1);
 * header[12]! ^= 1;
 * assert.throws(() => decodeWalHeader(header), { message: "Corruption detected: WAL header invalid" });
 * ```
 */
export function decodeWalHeader(bytes: Uint8Array, path?: string): number {
  const invalid = () => corruption("WAL header invalid", path);
  if (bytes.length < WAL_HEADER_SIZE) throw invalid();
  for (let i = 0; i < WAL_MAGIC.length; i++) if (bytes[i] !== WAL_MAGIC[i]) throw invalid();
  const version = getU32(bytes, 4);
  if (version === 0) throw invalid();
  if (version > WAL_VERSION) {
    const message =
      `Cannot read WAL format version ${version}: this kstone reads up to version ${WAL_VERSION}`;
    throw new KstoneError("NOT_SUPPORTED", message, path === undefined ? {} : { path });
  }
  if (getU32(bytes, 20) !== crc32c(bytes, 0, 20)) throw invalid();
  const base = getU64(bytes, 8);
  if (base < 1 || base > WAL_MAX_LSN) throw invalid();
  return base;
}

/**
 * Encodes one record into `target` at `offset` (which must have room for
 * `24 + payload.length` bytes) and returns its size. The writer encodes straight into its
 * buffer with this; {@linkcode encodeWalRecord} is the allocating form.
 *
 * @param target The buffer.
 * @param offset Where the record starts.
 * @param lsn The record's LSN.
 * @param payload The payload.
 * @param skipped LSNs left out before this one (0 unless the log jumps ahead).
 * @param unsynced Bytes right before the record not yet synced when it is written.
 * @returns The record's size in bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { putWalRecord } from "./record.ts";
 * const target = new Uint8Array(30);
 * assert.equal(putWalRecord(target, 0, 1, new Uint8Array([1, 2]), 0, 0), 26);
 * ```
 */
export function putWalRecord(
  target: Uint8Array,
  offset: number,
  lsn: number,
  payload: Uint8Array,
  skipped: number,
  unsynced: number,
): number {
  target.set(payload, offset + WAL_RECORD_HEADER_SIZE);
  return sealWalRecord(target, offset, lsn, payload.length, skipped, unsynced);
}

/**
 * Writes the header of a record whose payload is already in place, at `offset + 24`, and
 * returns the record's size: how the writer encodes a payload straight into its buffer.
 *
 * @param target The buffer.
 * @param offset Where the record starts.
 * @param lsn The record's LSN.
 * @param length The payload's length.
 * @param skipped LSNs left out before this one (0 unless the log jumps ahead).
 * @param unsynced Bytes right before the record not yet synced when it is written.
 * @param words A word view of all of `target`'s buffer that the caller keeps, so the checksum
 *   reads whole words (see `crc32cWords`); the same bytes are written without it.
 * @returns The record's size in bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { putWalRecord, sealWalRecord } from "./record.ts";
 * const sealed = new Uint8Array(26);
 * sealed.set([1, 2], 24);
 * assert.equal(sealWalRecord(sealed, 0, 1, 2, 0, 0), 26);
 * const put = new Uint8Array(26);
 * putWalRecord(put, 0, 1, new Uint8Array([1, 2]), 0, 0);
 * assert.deepEqual(sealed, put);
 * const viewed = new Uint8Array(28);
 * viewed.set([1, 2], 24);
 * sealWalRecord(viewed, 0, 1, 2, 0, 0, new Int32Array(viewed.buffer));
 * assert.deepEqual(viewed.subarray(0, 26), put);
 * ```
 */
export function sealWalRecord(
  target: Uint8Array,
  offset: number,
  lsn: number,
  length: number,
  skipped: number,
  unsynced: number,
  words?: Int32Array<ArrayBufferLike>,
): number {
  const end = offset + WAL_RECORD_HEADER_SIZE + length;
  setU32(target, offset + 4, length);
  setU64(target, offset + 8, lsn);
  setU32(target, offset + 16, skipped);
  setU32(target, offset + 20, unsynced > WAL_UNSYNCED_UNKNOWN ? WAL_UNSYNCED_UNKNOWN : unsynced);
  const crc = words === undefined
    ? crc32c(target, offset + 4, end)
    : crc32cWords(target, words, offset + 4, end);
  setU32(target, offset, crc);
  return end - offset;
}

/** Fields of {@linkcode encodeWalRecord}. */
export interface EncodeWalRecordOptions {
  /** The LSN. */
  lsn: number;
  /** The payload. */
  payload: Uint8Array;
  /** LSNs left out before this one. @default 0 */
  skipped?: number;
  /** Bytes before the record not synced when it was written. @default 0 */
  unsynced?: number;
}

/**
 * Encodes one record into a new array (for tests and tools).
 *
 * @param record The LSN, payload and optional header fields.
 * @returns The record's bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeWalRecord, readRecordHeader } from "./record.ts";
 * const bytes = encodeWalRecord({ lsn: 5, payload: new Uint8Array([9]) });
 * assert.equal(bytes.length, 25);
 * assert.equal(readRecordHeader(bytes, 0).lsn, 5);
 * ```
 */
export function encodeWalRecord(record: EncodeWalRecordOptions): Uint8Array {
  const bytes = new Uint8Array(WAL_RECORD_HEADER_SIZE + record.payload.length);
  putWalRecord(bytes, 0, record.lsn, record.payload, record.skipped ?? 0, record.unsynced ?? 0);
  return bytes;
}

/**
 * Reads the fields of the record header at `offset`, without checking anything.
 *
 * @param bytes Holds at least 24 bytes from `offset`.
 * @param offset Where the record starts.
 * @returns The fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeWalRecord, readRecordHeader } from "./record.ts";
 * const header = readRecordHeader(encodeWalRecord({ lsn: 3, payload: new Uint8Array(4), skipped: 2 }), 0);
 * assert.deepEqual([header.length, header.lsn, header.skipped, header.unsynced], [4, 3, 2, 0]);
 * ```
 */
export function readRecordHeader(bytes: Uint8Array, offset: number): WalRecordHeader {
  return {
    crc: getU32(bytes, offset),
    length: getU32(bytes, offset + 4),
    lsn: getU64(bytes, offset + 8),
    skipped: getU32(bytes, offset + 16),
    unsynced: getU32(bytes, offset + 20),
  };
}

/**
 * Whether a record header's fields are possible at all: a length within
 * {@linkcode WAL_MAX_PAYLOAD}, an LSN below `2^53` and `skipped` not reaching below LSN 1.
 *
 * @param header The fields.
 * @returns `false` when the header must be damage.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plausibleHeader } from "./record.ts";
 * assert.equal(plausibleHeader({ crc: 0, length: 1, lsn: 4, skipped: 0, unsynced: 0 }), true);
 * assert.equal(plausibleHeader({ crc: 0, length: 1, lsn: 0, skipped: 0, unsynced: 0 }), false);
 * ```
 */
export function plausibleHeader(header: WalRecordHeader): boolean {
  return header.length <= WAL_MAX_PAYLOAD && header.lsn >= 1 && header.lsn <= WAL_MAX_LSN &&
    header.lsn - header.skipped >= 1;
}

/**
 * Whether the record at `offset` matches its checksum; `false` when `bytes` ends before it does.
 *
 * @param bytes The buffer holding the record.
 * @param offset Where the record starts.
 * @param header Its header, from {@linkcode readRecordHeader}.
 * @returns `true` when the stored CRC-32C matches.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeWalRecord, readRecordHeader, recordIntact } from "./record.ts";
 * const bytes = encodeWalRecord({ lsn: 1, payload: new Uint8Array([1, 2, 3]) });
 * assert.equal(recordIntact(bytes, 0, readRecordHeader(bytes, 0)), true);
 * bytes[25]! ^= 0x10;
 * assert.equal(recordIntact(bytes, 0, readRecordHeader(bytes, 0)), false);
 * ```
 */
export function recordIntact(bytes: Uint8Array, offset: number, header: WalRecordHeader): boolean {
  const end = offset + WAL_RECORD_HEADER_SIZE + header.length;
  return end <= bytes.length && crc32c(bytes, offset + 4, end) === header.crc;
}
