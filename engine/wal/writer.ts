/**
 * The WAL writer: assigns LSNs, encodes records into a buffer and makes them durable with group
 * commit. Records appended while a write + fdatasync is in flight share the next write and
 * fdatasync, so one sync makes any number of commits durable. See docs/format/wal.md.
 *
 * @module
 */

import { ioError, KstoneError } from "../errors.ts";
import type { FileHandle, FileSystem } from "../fs/file_system.ts";
import { openLog, parentDir, RecordIndex, replaceLog, rewriteLog } from "./_log_file.ts";
import { BatchQueue, type TakenBatch } from "./_batch_queue.ts";
import { WAL_HEADER_SIZE, WAL_MAX_SKIPPED } from "./format.ts";
import {
  checkWalWriterOptions,
  type WalAppendOptions,
  type WalSyncCall,
  type WalSyncMode,
  type WalWriterOptions,
  type WalWriterStats,
} from "./writer_options.ts";

export type { WalAppendOptions, WalSyncCall, WalSyncMode, WalWriterOptions, WalWriterStats };

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * At most this many zeros are written past the end of the log ahead of small batches, so that
 * their fdatasyncs overwrite allocated blocks of a file whose size does not change: the
 * filesystem then has no metadata to journal, which halves the cost of a sync. A reader drops
 * the zeros as a torn tail; `close()` cuts them off.
 */
const PREALLOCATE = 256 * 1024;

/**
 * In `syncCall: "async"`, how many batches in a row must have had no company (nothing appended
 * while their sync ran) before the writer fdatasyncs a lone batch on the main thread, and how
 * often it then still syncs asynchronously to see whether others now wait.
 */
const LONE_STREAK = 2;
const LONE_PROBE = 16;

/**
 * A lone batch larger than this is still synced asynchronously: its fdatasync takes long
 * enough that the event loop had better run flushes and compactions meanwhile.
 */
const LONE_BLOCKING_MAX_BYTES = 64 * 1024;

/**
 * Appends records to `wal.log` with group commit.
 *
 * `append()` is synchronous: it assigns the LSN and queues the encoded record. The first append
 * of an idle writer schedules a write one microtask later, so every append of the same
 * synchronous step joins it; appends made while a write + fdatasync is in flight are written
 * together, in one write call, when it completes.
 *
 * A failed write or sync fails the writer for good (an fdatasync failure cannot be retried
 * safely): every waiter not yet durable rejects with the error, and `append()` throws `FAILED`.
 *
 * @example Group commit: three appends, one write, one sync
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { WalWriter } from "./writer.ts";
 * const wal = await WalWriter.create(new MemoryFileSystem(), "/wal.log", { nextLsn: 1 });
 * const lsns = [1, 2, 3].map((n) => wal.append(new Uint8Array([n])));
 * assert.deepEqual(lsns, [1, 2, 3]);
 * await Promise.all(lsns.map((lsn) => wal.durable(lsn)));
 * assert.deepEqual([wal.stats.writes, wal.stats.syncs, wal.lastDurableLsn], [1, 1, 3]);
 * await wal.truncateBefore(3);
 * await wal.close();
 * ```
 */
export class WalWriter {
  /** The log's path. */
  readonly path: string;
  /** When `durable()` resolves. */
  readonly syncMode: WalSyncMode;
  /** Live counters. */
  readonly stats: WalWriterStats = {
    records: 0,
    writes: 0,
    syncs: 0,
    bytesWritten: 0,
    rewrites: 0,
  };
  #fs: FileSystem;
  #file: FileHandle;
  #index: RecordIndex;
  #intervalMs: number;
  #syncCall: WalSyncCall;
  #queue: BatchQueue;
  #fileSize: number; // bytes written to the file
  #allocated: number; // the file's size: #fileSize plus zeros written ahead
  #lone = 0; // batches in a row that nothing was appended during
  #syncedSize: number; // bytes covered by a completed fdatasync
  #lastInFile: number; // LSN of the last record written (or what the first one follows)
  #written: number; // every LSN up to this one is written
  #durable: number; // every LSN up to this one is fdatasync'ed
  #running: Promise<void> | undefined;
  #syncing: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failure: KstoneError | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #rotating = false;
  #rotations: Promise<void> = RESOLVED;

  private constructor(
    fs: FileSystem,
    path: string,
    file: FileHandle,
    options: WalWriterOptions,
    size: number,
    last: number,
    index: RecordIndex,
  ) {
    this.path = path;
    this.#fs = fs;
    this.#file = file;
    this.#index = index;
    this.syncMode = options.syncMode ?? "always";
    this.#intervalMs = options.syncIntervalMs ?? 100;
    this.#syncCall = options.syncCall ?? "async";
    this.#fileSize = this.#syncedSize = this.#allocated = size;
    this.#queue = new BatchQueue(options.nextLsn, last);
    this.#lastInFile = last;
    this.#written = this.#durable = options.nextLsn - 1;
  }

  /**
   * Starts an empty log: writes `wal.log.tmp` with a header whose base LSN is `nextLsn`,
   * fdatasyncs it, renames it over `path` (replacing any log there) and syncs the directory,
   * so `path` never holds a log without a valid header.
   *
   * @param fs The filesystem.
   * @param path The log, e.g. `db.keystone/wal.log`.
   * @param options The first LSN and the sync policy.
   * @returns A writer appending to the new log.
   * @throws {KstoneError} INVALID_ARGUMENT for a bad option; IO_ERROR when a file call fails.
   */
  static async create(fs: FileSystem, path: string, options: WalWriterOptions): Promise<WalWriter> {
    checkWalWriterOptions(options);
    const file = await replaceLog(fs, path, options.nextLsn);
    try {
      await fs.syncDir(parentDir(path));
    } catch (error) {
      file.close();
      throw error;
    }
    const index = new RecordIndex();
    return new WalWriter(fs, path, file, options, WAL_HEADER_SIZE, options.nextLsn - 1, index);
  }

  /**
   * Opens a log read by `readWal` for appending: cuts it to `validSize` (dropping a torn tail),
   * fdatasyncs it, and appends from `nextLsn`. When `nextLsn` is past the log's last LSN + 1
   * (the LSNs between live on elsewhere, e.g. in SSTs), the first new record records the jump.
   *
   * @param fs The filesystem.
   * @param path The log.
   * @param options `nextLsn`, `validSize` and the sync policy.
   * @returns A writer appending after the valid records.
   * @throws {KstoneError} CORRUPTION `WAL header invalid`; NOT_SUPPORTED for a newer version;
   *   INVALID_ARGUMENT when `validSize` is not a record boundary, or `nextLsn` is at or below
   *   the log's last LSN; IO_ERROR when a file call fails.
   */
  static async openForAppend(
    fs: FileSystem,
    path: string,
    options: WalAppendOptions,
  ): Promise<WalWriter> {
    checkWalWriterOptions(options);
    const { file, last, index } = await openLog(fs, path, options.validSize, options.reader);
    try {
      if (options.nextLsn <= last || options.nextLsn - last - 1 > WAL_MAX_SKIPPED) {
        const message =
          `Cannot append to the WAL from LSN ${options.nextLsn}: its last LSN is ${last}`;
        throw new KstoneError("INVALID_ARGUMENT", message, { path });
      }
      if (file.size() !== options.validSize) file.truncate(options.validSize);
      await file.datasync();
    } catch (error) {
      file.close();
      throw error;
    }
    return new WalWriter(fs, path, file, options, options.validSize, last, index);
  }

  /** The log's size in bytes, including records queued but not yet written. */
  get size(): number {
    return this.#fileSize + this.#queue.bytes;
  }

  /** The LSN the next `append()` returns. */
  get nextLsn(): number {
    return this.#queue.nextLsn;
  }

  /** Every record up to this LSN is fdatasync'ed (in both sync modes). */
  get lastDurableLsn(): number {
    return this.#durable;
  }

  /** Whether a failed write or sync stopped the writer; reopen the database to go on. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /**
   * Queues a record and returns its LSN. Synchronous: it never waits; the record is written
   * with every other record appended before the next write starts.
   *
   * @param payload The record's bytes, copied at once (the caller may reuse the array).
   * @returns The LSN: the previous one plus 1.
   * @throws {KstoneError} FAILED after a failed write or sync, naming the original error;
   *   CLOSED after `close()`.
   * @throws {RangeError} for a payload over 64 MiB.
   */
  append(payload: Uint8Array): number {
    if (this.#failure !== undefined) throw this.#failedError();
    if (this.#closed) throw new KstoneError("CLOSED", "Cannot append to the WAL: it is closed");
    const lsn = this.#queue.append(payload, this.#fileSize - this.#syncedSize);
    this.stats.records++;
    this.#kick();
    return lsn;
  }

  /**
   * Queues a record whose payload `write` encodes straight into the writer's buffer (saving
   * the copy {@linkcode append} makes), and returns its LSN.
   *
   * @param length The payload's length.
   * @param write Writes exactly `length` bytes of payload into `target` from `at`, and throws
   *   nothing.
   * @param source Passed to `write`, so that the caller need not make a closure.
   * @returns The LSN: the previous one plus 1.
   * @throws {KstoneError} FAILED after a failed write or sync, naming the original error;
   *   CLOSED after `close()`.
   * @throws {RangeError} for a payload over 64 MiB.
   */
  appendEncoded<T>(
    length: number,
    write: (source: T, target: Uint8Array, at: number) => void,
    source: T,
  ): number {
    if (this.#failure !== undefined) throw this.#failedError();
    if (this.#closed) throw new KstoneError("CLOSED", "Cannot append to the WAL: it is closed");
    const unsynced = this.#fileSize - this.#syncedSize;
    const lsn = this.#queue.appendEncoded(length, write, unsynced, source);
    this.stats.records++;
    this.#kick();
    return lsn;
  }

  /**
   * Waits until a record is durable: fdatasync'ed in `"always"` mode, written to the operating
   * system in `"interval"` mode. Records become durable in LSN order.
   *
   * @param lsn An LSN returned by `append()`.
   * @returns A promise that resolves once the record is durable; it rejects with the write or
   *   sync error (IO_ERROR) when the writer failed first, and with a RangeError for an LSN not
   *   appended yet.
   */
  durable(lsn: number): Promise<void> {
    if (lsn <= (this.syncMode === "always" ? this.#durable : this.#written)) return RESOLVED;
    if (!(lsn < this.nextLsn)) {
      return Promise.reject(
        new RangeError(`Cannot wait for LSN ${lsn}: the next LSN is ${this.nextLsn}`),
      );
    }
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return this.#queue.waiter(lsn);
  }

  /**
   * Makes every record appended so far durable, fdatasync'ed even in `"interval"` mode.
   *
   * @returns A promise that resolves once they are; it rejects with the write or sync error
   *   when the writer failed first.
   */
  async sync(): Promise<void> {
    await this.durable(this.nextLsn - 1);
    if (this.syncMode === "interval") await this.#syncWritten();
    if (this.#failure !== undefined && this.#durable < this.nextLsn - 1) throw this.#failure;
  }

  /**
   * Drops the records below `lsn`: writes `wal.log.tmp` with a header and the records from
   * `lsn` on, fdatasyncs it, renames it over the log and syncs the directory, then goes on
   * appending to the new file. Appends made meanwhile are queued and written after the kept
   * records, in order; their `durable()` waits for the rewrite. If the rewrite fails before the
   * rename, the old log stays in use; a failed directory sync after it fails the writer.
   *
   * @param lsn The first LSN to keep; at most `nextLsn`.
   * @returns A promise that resolves once the new log is in place; it rejects with IO_ERROR when
   *   a file call fails, FAILED or CLOSED as `append()` throws them, and a RangeError when `lsn`
   *   is past `nextLsn`.
   */
  truncateBefore(lsn: number): Promise<void> {
    const run = this.#rotations.then(() => this.#rotate(lsn));
    this.#rotations = run.catch(() => {});
    return run;
  }

  /**
   * Makes everything appended durable, then closes the file. After a failure it only closes.
   * Closing twice returns the same promise.
   *
   * @returns A promise that resolves once the log is closed; it rejects with the write or sync
   *   error when the final sync fails.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    let failure: unknown;
    if (this.#failure === undefined) await this.sync().catch((error) => failure = error);
    await this.#rotations;
    await this.#idle();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (failure === undefined && this.#failure === undefined && this.#allocated > this.#fileSize) {
      // Cut the zeros written ahead, so the closed log ends at its last record.
      try {
        this.#file.truncate(this.#fileSize);
        await this.#file.datasync();
      } catch {
        // Harmless: a reader drops the zeros as a torn tail.
      }
    }
    this.#file.close();
    if (failure !== undefined) throw failure;
  }

  #failedError(): KstoneError {
    const cause = this.#failure!;
    const message =
      `Cannot append to the WAL after a failed write or sync, reopen the database: ${cause.message}`;
    return new KstoneError("FAILED", message, { cause, path: this.path });
  }

  #kick(): void {
    const idle = this.#running === undefined && !this.#rotating && this.#failure === undefined;
    if (idle && this.#queue.bytes > 0) this.#running = this.#run();
  }

  /** The group-commit loop: write everything queued, sync, resolve, repeat while more came. */
  async #run(): Promise<void> {
    await null; // let every append of this synchronous step join the first write
    try {
      while (this.#queue.bytes > 0 && !this.#rotating && this.#failure === undefined) {
        const batch = this.#queue.take();
        this.#file.write(this.#withZeros(batch.data), this.#fileSize);
        this.#index.note(batch.first, this.#fileSize);
        this.#fileSize += batch.data.length;
        this.#allocated = Math.max(this.#allocated, this.#fileSize);
        this.#lastInFile = batch.last;
        this.stats.writes++;
        this.stats.bytesWritten += batch.data.length;
        if (this.syncMode === "interval") {
          this.#written = batch.last;
          this.#queue.settle();
          this.#timer ??= setTimeout(() => this.#onTimer(), this.#intervalMs);
          continue;
        }
        const size = this.#fileSize;
        if (this.#blockingSync(batch)) {
          this.#file.datasyncSync();
        } else {
          await this.#file.datasync();
          this.#lone = this.#queue.bytes === 0 ? this.#lone + 1 : 0;
        }
        this.stats.syncs++;
        this.#syncedSize = size;
        this.#written = this.#durable = batch.last;
        this.#queue.settle();
      }
    } catch (error) {
      await this.#fail(error);
    } finally {
      this.#running = undefined;
    }
  }

  /**
   * The bytes to write for a batch: the batch itself, or, when it is small and runs past the
   * zeros written ahead, the batch followed by new zeros (an eighth of the log, 16 KiB to
   * {@linkcode PREALLOCATE}), written in one call.
   */
  #withZeros(data: Uint8Array): Uint8Array {
    const end = this.#fileSize + data.length;
    // An eighth of the log, 16 to 256 KiB: a small log (and a test's) stays small.
    const ahead = Math.min(PREALLOCATE, Math.max(PREALLOCATE / 16, end >>> 3));
    if (end <= this.#allocated || data.length > ahead / 2) return data;
    const padded = new Uint8Array(data.length + ahead);
    padded.set(data);
    this.#allocated = end + ahead;
    return padded;
  }

  /**
   * Whether to fdatasync this batch on the main thread: always with `syncCall: "blocking"`;
   * with `"async"`, for a batch of at most 64 KiB once the last batches had no company (a lone
   * writer, or writers that all wait for this batch, as 100 puts in flight awaited together:
   * nothing can run meanwhile, so skipping the thread hand-off only shortens each round),
   * except every {@linkcode LONE_PROBE}th, which syncs asynchronously to notice writers that
   * now wait (a blocking sync counts as one more batch without company).
   */
  #blockingSync(batch: TakenBatch): boolean {
    if (this.#syncCall === "blocking") return true;
    if (this.#lone < LONE_STREAK) return false;
    if (batch.data.length > LONE_BLOCKING_MAX_BYTES) return false;
    if (this.#lone % LONE_PROBE === 0) return false;
    this.#lone++;
    return true;
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (!this.#rotating) void this.#syncWritten();
  }

  /**
   * In `"interval"` mode: fdatasyncs what was written, one sync at a time, never during a
   * rewrite (which syncs everything and closes the old file). Never rejects.
   */
  async #syncWritten(): Promise<void> {
    while (this.#syncing !== undefined || this.#rotating) {
      await this.#syncing;
      if (this.#rotating) await this.#rotations;
    }
    if (this.#failure !== undefined || this.#syncedSize === this.#fileSize) return;
    const size = this.#fileSize;
    const upTo = this.#written;
    this.#syncing = this.#file.datasync().then(() => {
      this.stats.syncs++;
      this.#syncedSize = Math.max(this.#syncedSize, size);
      this.#durable = Math.max(this.#durable, upTo);
    }, (error) => this.#fail(error)).finally(() => {
      this.#syncing = undefined;
    });
    await this.#syncing;
  }

  /** Waits until no write, sync or timer sync is in flight. */
  async #idle(): Promise<void> {
    while (this.#running !== undefined || this.#syncing !== undefined) {
      await this.#running;
      await this.#syncing;
    }
  }

  /**
   * Fails the writer: rejects every waiter not yet durable and, best effort, cuts the file back
   * to the end of the last acknowledged record so that no half-written batch stays behind.
   */
  async #fail(error: unknown): Promise<void> {
    if (this.#failure !== undefined) return;
    this.#failure = error instanceof KstoneError ? error : ioError("EIO", this.path, error);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.reject(this.#failure);
    try {
      this.#file.truncate(this.syncMode === "always" ? this.#syncedSize : this.#fileSize);
      await this.#file.datasync();
    } catch {
      // Best effort: the reader treats whatever stays after the last good record as a torn tail.
    }
  }

  async #rotate(lsn: number): Promise<void> {
    if (this.#failure !== undefined) throw this.#failedError();
    if (this.#closed) throw new KstoneError("CLOSED", "Cannot rewrite the WAL: it is closed");
    if (!Number.isSafeInteger(lsn) || lsn > this.nextLsn) {
      throw new RangeError(
        `Cannot drop WAL records before LSN ${lsn}: the next LSN is ${this.nextLsn}`,
      );
    }
    if (lsn - 1 > this.#lastInFile) await this.durable(lsn - 1);
    const first = this.#index.first;
    if (first === undefined || lsn <= first) return;
    this.#rotating = true;
    try {
      await this.#idle();
      if (this.#failure !== undefined) throw this.#failedError();
      const old = this.#file;
      const end = this.#fileSize;
      const { file, size } = await rewriteLog(
        this.#fs,
        this.path,
        old,
        end,
        this.#lastInFile + 1,
        this.#index,
        lsn,
      );
      this.#file = file;
      try {
        old.close();
      } catch {
        // The old log is gone from the directory; a failed close loses nothing.
      }
      this.stats.rewrites++;
      this.stats.bytesWritten += size - WAL_HEADER_SIZE;
      this.#fileSize = this.#syncedSize = this.#allocated = size;
      this.#durable = this.#written;
      try {
        await this.#fs.syncDir(parentDir(this.path));
      } catch (error) {
        await this.#fail(error);
        throw error;
      }
    } finally {
      this.#rotating = false;
      this.#kick();
    }
  }
}
