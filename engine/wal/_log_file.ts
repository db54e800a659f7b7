/**
 * File chores of the WAL writer, private to `engine/wal`: replacing the log through a temp
 * file, opening a verified log for appending, rewriting it without its oldest records, and the
 * sparse index of record offsets that rewrites start from.
 *
 * @module
 */

import { corruption, KstoneError } from "../errors.ts";
import type { FileHandle, FileSystem } from "../fs/file_system.ts";
import { TEMP_SUFFIX } from "../filename.ts";
import { WAL_HEADER_SIZE, WAL_RECORD_HEADER_SIZE } from "./format.ts";
import { decodeWalHeader, encodeWalHeader, readRecordHeader } from "./record.ts";
import type { WalReader } from "./reader.ts";

const CHUNK = 1024 * 1024;
const MARK_SPACING = 64 * 1024;

/**
 * The directory holding `path`: what is before the last `/`, `"/"` for a file at the root and
 * `"."` for a bare name.
 *
 * @param path A file path.
 * @returns Its directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parentDir } from "./_log_file.ts";
 * assert.deepEqual([parentDir("/db/wal.log"), parentDir("/wal.log"), parentDir("wal.log")], ["/db", "/", "."]);
 * ```
 */
export function parentDir(path: string): string {
  const slash = path.lastIndexOf("/");
  if (slash < 0) return ".";
  return slash === 0 ? "/" : path.slice(0, slash);
}

/**
 * Offsets of some records of the log (the first one, then one every 64 KiB or so), so that a
 * rewrite finds its cut without reading the log from the start.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecordIndex } from "./_log_file.ts";
 * const index = new RecordIndex();
 * index.note(5, 24);
 * index.note(6, 100);
 * index.note(900, 24 + 70_000);
 * assert.equal(index.first, 5);
 * assert.equal(index.startFor(899), 24);
 * assert.equal(index.startFor(901), 24 + 70_000);
 * ```
 */
export class RecordIndex {
  #lsns: number[] = [];
  #offsets: number[] = [];

  /** The LSN of the first record of the log, when it has one. */
  get first(): number | undefined {
    return this.#lsns[0];
  }

  /** Notes that record `lsn` starts at `offset` (kept if 64 KiB past the last one noted). */
  note(lsn: number, offset: number): void {
    const last = this.#offsets[this.#offsets.length - 1];
    if (last !== undefined && offset - last < MARK_SPACING) return;
    this.#lsns.push(lsn);
    this.#offsets.push(offset);
  }

  /** The offset of the last noted record whose LSN is at most `lsn` (else the first). */
  startFor(lsn: number): number {
    let mark = 0;
    while (mark + 1 < this.#lsns.length && this.#lsns[mark + 1]! <= lsn) mark++;
    return this.#offsets[mark] ?? WAL_HEADER_SIZE;
  }

  /** Forgets the records before `cut` and moves the rest to a file whose records start at the header's end. */
  rebase(cut: number, firstLsn: number | undefined): void {
    const kept = this.#offsets.findIndex((offset) => offset >= cut);
    const shift = cut - WAL_HEADER_SIZE;
    this.#lsns = kept < 0 ? [] : this.#lsns.slice(kept);
    this.#offsets = kept < 0 ? [] : this.#offsets.slice(kept).map((offset) => offset - shift);
    if (firstLsn !== undefined && this.#offsets[0] !== WAL_HEADER_SIZE) {
      this.#lsns.unshift(firstLsn);
      this.#offsets.unshift(WAL_HEADER_SIZE);
    }
  }
}

/** Walks record headers in `[from, end)` of a verified log until `visit` returns `false`. */
function walkRecords(
  file: FileHandle,
  from: number,
  end: number,
  visit: (offset: number, lsn: number, skipped: number) => boolean,
): number {
  let buffer = new Uint8Array(0);
  let bufferStart = 0;
  let offset = from;
  while (offset + WAL_RECORD_HEADER_SIZE <= end) {
    if (offset < bufferStart || offset + WAL_RECORD_HEADER_SIZE > bufferStart + buffer.length) {
      buffer = new Uint8Array(Math.min(CHUNK, end - offset));
      buffer = buffer.subarray(0, file.read(buffer, offset));
      bufferStart = offset;
      if (buffer.length < WAL_RECORD_HEADER_SIZE) break;
    }
    const header = readRecordHeader(buffer, offset - bufferStart);
    const next = offset + WAL_RECORD_HEADER_SIZE + header.length;
    if (next > end) break;
    if (!visit(offset, header.lsn, header.skipped)) return offset;
    offset = next;
  }
  if (offset === end) return end;
  throw new KstoneError(
    "INVALID_ARGUMENT",
    `Cannot use ${end} as the WAL's valid size: the record at ${offset} runs past it`,
    { path: file.path },
  );
}

/**
 * Writes `wal.log.tmp` holding a header (and, with `fill`, more), fdatasyncs it and renames it
 * over `path`; removes the temp file on failure. Returns the file reopened under its own name,
 * so that errors name `wal.log` (or, should that open fail, the temp handle: the same file).
 * Nothing throws after the rename. The caller syncs the directory.
 *
 * @param fs The filesystem.
 * @param path The log.
 * @param baseLsn The new header's base LSN.
 * @param fill Writes what follows the header.
 * @returns The new log, open.
 */
export async function replaceLog(
  fs: FileSystem,
  path: string,
  baseLsn: number,
  fill?: (file: FileHandle) => void,
): Promise<FileHandle> {
  const temp = path + TEMP_SUFFIX;
  const file = await fs.open(temp, { create: true, truncate: true });
  try {
    file.write(encodeWalHeader(baseLsn), 0);
    fill?.(file);
    await file.datasync();
    await fs.rename(temp, path);
  } catch (error) {
    file.close();
    await fs.remove(temp).catch(() => {});
    throw error;
  }
  const reopened = await fs.open(path).catch(() => undefined);
  if (reopened === undefined) return file;
  file.close();
  return reopened;
}

/** What {@linkcode openLog} found. */
export interface OpenedLog {
  /** The log, open, not yet cut. */
  file: FileHandle;
  /** The LSN of its last valid record, or its base LSN - 1. */
  last: number;
  /** Offsets of its records. */
  index: RecordIndex;
}

/**
 * Opens a log that `readWal` verified, checks its header and walks its records up to
 * `validSize` to find the last LSN, unless `reader` read the log to that size already.
 *
 * @param fs The filesystem.
 * @param path The log.
 * @param validSize The end of the valid records.
 * @param reader The reader that read the log to `validSize`, if any: its record index is used.
 * @returns The open file, the last LSN and the record index.
 * @throws {KstoneError} CORRUPTION or NOT_SUPPORTED for a bad header; INVALID_ARGUMENT when
 *   `validSize` is not the end of a record.
 */
export async function openLog(
  fs: FileSystem,
  path: string,
  validSize: number,
  reader?: WalReader,
): Promise<OpenedLog> {
  const file = await fs.open(path);
  try {
    const header = new Uint8Array(WAL_HEADER_SIZE);
    const base = decodeWalHeader(header.subarray(0, file.read(header, 0)), path);
    const size = file.size();
    if (!Number.isSafeInteger(validSize) || validSize < WAL_HEADER_SIZE || validSize > size) {
      throw new KstoneError(
        "INVALID_ARGUMENT",
        `Cannot use ${validSize} as the WAL's valid size: the file has ${size} bytes`,
        { path },
      );
    }
    // A reader that read this very log to its end knows its records; else walk them.
    if (reader?.done && reader.position === validSize && reader.baseLsn === base) {
      return { file, last: reader.nextLsn - 1, index: reader.index };
    }
    const index = new RecordIndex();
    let last = base - 1;
    walkRecords(file, WAL_HEADER_SIZE, validSize, (offset, lsn, skipped) => {
      if (lsn - skipped !== last + 1) {
        throw corruption(`WAL record out of sequence at LSN ${last + 1}`, path);
      }
      index.note(lsn, offset);
      last = lsn;
      return true;
    });
    return { file, last, index };
  } catch (error) {
    file.close();
    throw error;
  }
}

/** The log as {@linkcode rewriteLog} leaves it. */
export interface RewrittenLog {
  /** The new log, open. */
  file: FileHandle;
  /** Its size. */
  size: number;
}

/**
 * Replaces the log by a copy without its records below `lsn` (through `wal.log.tmp`, fdatasync
 * and rename) and moves `index` to the new file. The caller closes the old file and syncs the
 * directory.
 *
 * @param fs The filesystem.
 * @param path The log.
 * @param old The open log.
 * @param end The end of the records written to it.
 * @param nextBase The base LSN of the new log if no record is kept.
 * @param index Offsets of the records of `old`; rebased.
 * @param lsn The first LSN to keep.
 * @returns The new log and its size.
 */
export async function rewriteLog(
  fs: FileSystem,
  path: string,
  old: FileHandle,
  end: number,
  nextBase: number,
  index: RecordIndex,
  lsn: number,
): Promise<RewrittenLog> {
  let cut = end;
  let base = nextBase;
  let first: number | undefined;
  walkRecords(old, index.startFor(lsn), end, (offset, recordLsn, skipped) => {
    if (recordLsn < lsn) return true;
    [cut, first, base] = [offset, recordLsn, recordLsn - skipped];
    return false;
  });
  const file = await replaceLog(fs, path, base, (temp) => {
    const buffer = new Uint8Array(Math.min(CHUNK, end - cut));
    for (let at = cut; at < end; at += buffer.length) {
      const chunk = buffer.subarray(0, Math.min(buffer.length, end - at));
      if (old.read(chunk, at) !== chunk.length) {
        throw new KstoneError("IO_ERROR", `IO error: short read of the WAL at ${at}`, {
          path,
          errno: "EIO",
        });
      }
      temp.write(chunk, WAL_HEADER_SIZE + at - cut);
    }
  });
  index.rebase(cut, first);
  return { file, size: WAL_HEADER_SIZE + end - cut };
}
