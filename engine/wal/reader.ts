/**
 * Reading `wal.log` back: every intact record in order, the size of the valid prefix, and the
 * decision between a torn tail (dropped silently) and corruption (fails the read). The rules are
 * in docs/format/wal.md, "Reading"; in short, the first record that does not check out ends the
 * log, and it is corruption exactly when a later intact record says that the bad one had been
 * fdatasync'ed before it was written. An intact record with the wrong LSN is always corruption.
 *
 * @module
 */

import { corruption } from "../errors.ts";
import type { FileHandle, FileSystem } from "../fs/file_system.ts";
import { WAL_HEADER_SIZE, WAL_RECORD_HEADER_SIZE, WAL_UNSYNCED_UNKNOWN } from "./format.ts";
import { decodeWalHeader, plausibleHeader, readRecordHeader, recordIntact } from "./record.ts";
import { RecordIndex } from "./_log_file.ts";

/** One record of the log. */
export interface WalRecord {
  /** The record's log sequence number. */
  lsn: number;
  /** The opaque payload; a view into a read buffer shared with neighbouring records. */
  payload: Uint8Array;
}

/** What {@linkcode readWal} found. */
export interface WalReadResult {
  /** The intact records, in LSN order. */
  records: WalRecord[];
  /** The size of the valid prefix: header plus intact records. Appending resumes here. */
  validSize: number;
  /** The bytes after `validSize` that were dropped as a torn tail (0 for a clean log). */
  tornBytes: number;
  /** The LSN of the first record, when there is one. */
  firstLsn?: number;
  /** The LSN of the last record, when there is one. */
  lastLsn?: number;
  /** The header's base LSN: the first record's LSN, unless that record skips ahead. */
  baseLsn: number;
  /** The LSN that follows the log: `lastLsn + 1`, or `baseLsn` when there are no records. */
  nextLsn: number;
}

/** Options of {@linkcode WalReader.open}. */
export interface WalReaderOptions {
  /** How many bytes to read at a time; records longer than this get their own read. @default 1 MiB */
  chunkSize?: number;
}

/**
 * Reads the records of a `wal.log` one at a time, holding one chunk of the file in memory.
 * Reads are synchronous once open; iterate with `for...of` or {@linkcode WalReader.next}.
 * The file size is taken at open, so bytes appended later are not read.
 *
 * @example Read a log record by record
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { WalReader } from "./reader.ts";
 * import { WalWriter } from "./writer.ts";
 * const fs = new MemoryFileSystem();
 * const wal = await WalWriter.create(fs, "/wal.log", { nextLsn: 10 });
 * wal.append(new Uint8Array([1]));
 * wal.append(new Uint8Array([2]));
 * await wal.close();
 * const reader = await WalReader.open(fs, "/wal.log");
 * assert.deepEqual([...reader].map((record) => record.lsn), [10, 11]);
 * assert.equal(reader.tornBytes, 0);
 * reader.close();
 * ```
 */
export class WalReader {
  /** The file read. */
  readonly path: string;
  /** The header's base LSN. */
  readonly baseLsn: number;
  /** The file size at open. */
  readonly fileSize: number;
  #file: FileHandle;
  #chunkSize: number;
  #buffer: Uint8Array;
  #bufferStart = 0;
  #position = WAL_HEADER_SIZE;
  #expected: number;
  #torn = 0;
  #done = false;
  readonly #index = new RecordIndex();

  private constructor(file: FileHandle, header: Uint8Array, size: number, chunkSize: number) {
    this.path = file.path;
    this.#file = file;
    this.fileSize = size;
    this.#chunkSize = chunkSize;
    this.#buffer = header;
    this.baseLsn = decodeWalHeader(header, file.path);
    this.#expected = this.baseLsn;
  }

  /**
   * Opens a log and checks its header.
   *
   * @param fs The filesystem.
   * @param path The log, e.g. `db.keystone/wal.log`.
   * @param options The read chunk size.
   * @returns A reader positioned at the first record.
   * @throws {KstoneError} IO_ERROR when the file cannot be opened; CORRUPTION
   *   `Corruption detected: WAL header invalid`; NOT_SUPPORTED for a newer format version.
   */
  static async open(
    fs: FileSystem,
    path: string,
    options: WalReaderOptions = {},
  ): Promise<WalReader> {
    const chunkSize = Math.max(WAL_RECORD_HEADER_SIZE, options.chunkSize ?? 1024 * 1024);
    const file = await fs.open(path);
    try {
      const size = file.size();
      const head = new Uint8Array(Math.min(size, chunkSize));
      const count = file.read(head, 0);
      return new WalReader(file, head.subarray(0, count), size, chunkSize);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** The end of the last record returned: the valid size so far. */
  get position(): number {
    return this.#position;
  }

  /** The LSN expected next: the last record's plus one, or the base LSN before the first. */
  get nextLsn(): number {
    return this.#expected;
  }

  /** Whether the end of the log was reached. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Offsets of some of the records read so far (see `RecordIndex`): once done, what a writer
   * appending to the log needs, so that it need not read the log again.
   */
  get index(): RecordIndex {
    return this.#index;
  }

  /** Once done: the bytes dropped as a torn tail. */
  get tornBytes(): number {
    return this.#torn;
  }

  /**
   * Reads the next record.
   *
   * @returns The record, or `undefined` at the end of the log (clean or torn).
   * @throws {KstoneError} CORRUPTION `Corruption detected: WAL checksum mismatch at LSN <n>` when
   *   a damaged record was synced before a later intact record was written, or
   *   `WAL record out of sequence at LSN <n>: found LSN <m>` for an intact record with the
   *   wrong LSN; IO_ERROR when a read fails.
   */
  next(): WalRecord | undefined {
    if (this.#done) return undefined;
    const start = this.#position;
    if (start === this.fileSize) return this.#end(0);
    const header = this.#have(start, WAL_RECORD_HEADER_SIZE)
      ? readRecordHeader(this.#buffer, start - this.#bufferStart)
      : undefined;
    const size = WAL_RECORD_HEADER_SIZE + (header?.length ?? 0);
    if (
      header === undefined || !plausibleHeader(header) || !this.#have(start, size) ||
      !recordIntact(this.#buffer, start - this.#bufferStart, header)
    ) {
      if (this.#syncedBefore(start)) {
        throw corruption(`WAL checksum mismatch at LSN ${this.#expected}`, this.path);
      }
      return this.#end(this.fileSize - start);
    }
    if (header.lsn - header.skipped !== this.#expected) {
      const detail = `WAL record out of sequence at LSN ${this.#expected}: found LSN ${header.lsn}`;
      throw corruption(detail, this.path);
    }
    const from = start - this.#bufferStart + WAL_RECORD_HEADER_SIZE;
    const payload = this.#buffer.subarray(from, from + header.length);
    this.#index.note(header.lsn, start);
    this.#position = start + size;
    this.#expected = header.lsn + 1;
    return { lsn: header.lsn, payload };
  }

  /** Iterates the remaining records. */
  *[Symbol.iterator](): IterableIterator<WalRecord> {
    for (let record = this.next(); record !== undefined; record = this.next()) yield record;
  }

  /** Closes the file. Closing twice is a no-op. */
  close(): void {
    this.#file.close();
  }

  #end(torn: number): undefined {
    this.#done = true;
    this.#torn = torn;
    return undefined;
  }

  /** Makes `[offset, offset + length)` of the file available in the buffer; `false` past EOF. */
  #have(offset: number, length: number): boolean {
    if (offset + length > this.fileSize) return false;
    const at = offset - this.#bufferStart;
    if (at >= 0 && at + length <= this.#buffer.length) return true;
    const buffer = new Uint8Array(
      Math.min(Math.max(this.#chunkSize, length), this.fileSize - offset),
    );
    const count = this.#file.read(buffer, offset);
    this.#buffer = buffer.subarray(0, count);
    this.#bufferStart = offset;
    return count >= length;
  }

  /**
   * Whether some intact record after `offset` says that the bytes at `offset` had been synced
   * when it was written (its position minus its `unsynced` field lies past `offset`). Scans
   * every byte position, since a damaged length tells nothing about where the next record is.
   */
  #syncedBefore(offset: number): boolean {
    for (let at = offset + 1; this.#have(at, WAL_RECORD_HEADER_SIZE); at++) {
      const i = at - this.#bufferStart;
      const buffer = this.#buffer;
      const unsynced = (buffer[i + 20]! | (buffer[i + 21]! << 8) | (buffer[i + 22]! << 16) |
        (buffer[i + 23]! << 24)) >>> 0;
      if (unsynced === WAL_UNSYNCED_UNKNOWN || unsynced >= at - offset) continue;
      // LSN 0 (zeros, e.g. those the writer puts ahead of the log's end) is never a record.
      const high = buffer[i + 12]! | buffer[i + 13]! | buffer[i + 14]! | buffer[i + 15]!;
      if ((buffer[i + 8]! | buffer[i + 9]! | buffer[i + 10]! | buffer[i + 11]! | high) === 0) {
        continue;
      }
      const header = readRecordHeader(buffer, i);
      if (header.lsn <= this.#expected || !plausibleHeader(header)) continue;
      if (!this.#have(at, WAL_RECORD_HEADER_SIZE + header.length)) continue;
      if (recordIntact(this.#buffer, at - this.#bufferStart, header)) return true;
    }
    return false;
  }
}

/**
 * Reads a whole log.
 *
 * @param fs The filesystem.
 * @param path The log.
 * @returns The records, the valid size, the torn byte count and the LSN range.
 * @throws {KstoneError} CORRUPTION `Corruption detected: WAL checksum mismatch at LSN <n>` (see
 *   {@linkcode WalReader.next}) or `Corruption detected: WAL header invalid`; NOT_SUPPORTED for a
 *   newer format version; IO_ERROR when the file cannot be read.
 *
 * @example A torn last record is dropped
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { readWal } from "./reader.ts";
 * import { WalWriter } from "./writer.ts";
 * const fs = new MemoryFileSystem();
 * const wal = await WalWriter.create(fs, "/wal.log", { nextLsn: 1 });
 * await wal.durable(wal.append(new Uint8Array([1, 2, 3])));
 * await wal.durable(wal.append(new Uint8Array([4, 5, 6])));
 * await wal.close();
 * const file = await fs.open("/wal.log");
 * file.truncate(file.size() - 2);
 * file.close();
 * const log = await readWal(fs, "/wal.log");
 * assert.deepEqual(log.records.map((record) => record.lsn), [1]);
 * assert.equal(log.validSize, 24 + 27);
 * assert.equal(log.tornBytes, 25);
 * assert.equal(log.nextLsn, 2);
 * ```
 */
export async function readWal(fs: FileSystem, path: string): Promise<WalReadResult> {
  const reader = await WalReader.open(fs, path);
  try {
    const records = [...reader];
    const result: WalReadResult = {
      records,
      validSize: reader.position,
      tornBytes: reader.tornBytes,
      baseLsn: reader.baseLsn,
      nextLsn: reader.nextLsn,
    };
    if (records.length > 0) {
      result.firstLsn = records[0]!.lsn;
      result.lastLsn = records[records.length - 1]!.lsn;
    }
    return result;
  } finally {
    reader.close();
  }
}

/**
 * Streams the records of a log without holding the whole file, for dumps and replays of large
 * logs. A torn tail ends the stream silently; corruption throws from the iteration.
 *
 * @param fs The filesystem.
 * @param path The log.
 * @returns An async iterator over the records; the file closes when it finishes or is left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { walRecords } from "./reader.ts";
 * import { WalWriter } from "./writer.ts";
 * const fs = new MemoryFileSystem();
 * const wal = await WalWriter.create(fs, "/wal.log", { nextLsn: 5 });
 * wal.append(new TextEncoder().encode("a"));
 * await wal.close();
 * const lsns: number[] = [];
 * for await (const record of walRecords(fs, "/wal.log")) lsns.push(record.lsn);
 * assert.deepEqual(lsns, [5]);
 * ```
 */
export async function* walRecords(fs: FileSystem, path: string): AsyncGenerator<WalRecord, void> {
  const reader = await WalReader.open(fs, path);
  try {
    yield* reader;
  } finally {
    reader.close();
  }
}
