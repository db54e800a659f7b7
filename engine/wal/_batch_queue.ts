/**
 * The queue of the WAL writer, private to `engine/wal`: records encoded but not yet written, the
 * LSN counter, and the waiters of the batch being written and of the queued one. All waiters of a
 * batch share one promise, so a thousand commits cost one promise, not a thousand.
 *
 * @module
 */

import { WAL_MAX_LSN, WAL_MAX_PAYLOAD, WAL_RECORD_HEADER_SIZE } from "./format.ts";
import { sealWalRecord } from "./record.ts";

const INITIAL_BUFFER = 64 * 1024;

function writePayload(payload: Uint8Array, target: Uint8Array, at: number): void {
  target.set(payload, at);
}

/** A batch taken from the queue for writing. */
export interface TakenBatch {
  /** The encoded records, a view valid until the next `append`. */
  data: Uint8Array;
  /** The LSN of its first record. */
  first: number;
  /** The LSN of its last record. */
  last: number;
}

/**
 * Encoded records waiting to be written, with their waiters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BatchQueue } from "./_batch_queue.ts";
 * const queue = new BatchQueue(1, 0);
 * assert.equal(queue.append(new Uint8Array([7]), 0), 1);
 * const waiting = queue.waiter(1)!;
 * const batch = queue.take();
 * assert.deepEqual([batch.first, batch.last, batch.data.length], [1, 1, 25]);
 * queue.settle();
 * await waiting;
 * ```
 */
export class BatchQueue {
  #buffer = new Uint8Array(INITIAL_BUFFER);
  // A word view of #buffer, so that record checksums read whole words.
  #words = new Int32Array(this.#buffer.buffer);
  #used = 0;
  #first = 0;
  #nextLsn: number;
  #last: number;
  #queued: PromiseWithResolvers<void> | undefined;
  #taken: PromiseWithResolvers<void> | undefined;
  #takenLast = 0;

  /**
   * @param nextLsn The LSN of the first record appended.
   * @param last The LSN the first record follows (its `skipped` field is the gap).
   */
  constructor(nextLsn: number, last: number) {
    this.#nextLsn = nextLsn;
    this.#last = last;
  }

  /** The LSN the next append gets. */
  get nextLsn(): number {
    return this.#nextLsn;
  }

  /** The bytes queued. */
  get bytes(): number {
    return this.#used;
  }

  /**
   * Encodes a record at the end of the queue.
   *
   * @param payload The payload, copied.
   * @param unsyncedBefore The bytes between the end of the synced part of the file and the end
   *   of what was written to it.
   * @returns The record's LSN.
   * @throws {RangeError} for a payload over 64 MiB or when LSNs are exhausted.
   */
  append(payload: Uint8Array, unsyncedBefore: number): number {
    return this.appendEncoded(payload.length, writePayload, unsyncedBefore, payload);
  }

  /**
   * Encodes a record at the end of the queue, its payload written in place by `write`: no
   * transient copy of it.
   *
   * @param length The payload's length.
   * @param write Writes exactly `length` bytes of payload into `target` from `at`.
   * @param unsyncedBefore The bytes between the end of the synced part of the file and the end
   *   of what was written to it.
   * @param source Passed to `write`, so that the caller need not make a closure.
   * @returns The record's LSN.
   * @throws {RangeError} for a payload over 64 MiB or when LSNs are exhausted.
   */
  appendEncoded<T>(
    length: number,
    write: (source: T, target: Uint8Array, at: number) => void,
    unsyncedBefore: number,
    source: T,
  ): number {
    if (length > WAL_MAX_PAYLOAD) {
      throw new RangeError(
        `Cannot append a WAL record of ${length} bytes: the limit is ${WAL_MAX_PAYLOAD}`,
      );
    }
    const lsn = this.#nextLsn;
    if (lsn > WAL_MAX_LSN) throw new RangeError("Cannot append to the WAL: LSNs are exhausted");
    const needed = this.#used + WAL_RECORD_HEADER_SIZE + length;
    if (needed > this.#buffer.length) {
      const larger = new Uint8Array(Math.max(needed, this.#buffer.length * 2));
      larger.set(this.#buffer.subarray(0, this.#used));
      this.#setBuffer(larger);
    }
    write(source, this.#buffer, this.#used + WAL_RECORD_HEADER_SIZE);
    if (this.#used === 0) this.#first = lsn;
    const skipped = lsn - this.#last - 1;
    this.#used += sealWalRecord(
      this.#buffer,
      this.#used,
      lsn,
      length,
      skipped,
      unsyncedBefore + this.#used,
      this.#words,
    );
    this.#last = lsn;
    this.#nextLsn = lsn + 1;
    return lsn;
  }

  /**
   * The promise of the batch holding `lsn`: the taken batch, or else the queued one.
   *
   * @param lsn An appended LSN not yet acknowledged.
   * @returns Its batch's promise.
   */
  waiter(lsn: number): Promise<void> {
    if (this.#taken !== undefined && lsn <= this.#takenLast) return this.#taken.promise;
    this.#queued ??= Promise.withResolvers<void>();
    return this.#queued.promise;
  }

  /**
   * Takes every queued record as one batch; its waiters move to the taken batch.
   *
   * @returns The batch.
   */
  take(): TakenBatch {
    const batch = {
      data: this.#buffer.subarray(0, this.#used),
      first: this.#first,
      last: this.#last,
    };
    this.#taken = this.#queued;
    this.#takenLast = this.#last;
    this.#queued = undefined;
    this.#used = 0;
    return batch;
  }

  /** Resolves the waiters of the taken batch, and gives back memory after a big batch. */
  settle(): void {
    const taken = this.#taken;
    this.#taken = undefined;
    taken?.resolve();
    if (this.#used === 0 && this.#buffer.length > 16 * INITIAL_BUFFER) {
      this.#setBuffer(new Uint8Array(INITIAL_BUFFER));
    }
  }

  #setBuffer(buffer: Uint8Array<ArrayBuffer>): void {
    this.#buffer = buffer;
    this.#words = new Int32Array(buffer.buffer, 0, buffer.buffer.byteLength >>> 2);
  }

  /**
   * Rejects every waiter, taken and queued.
   *
   * @param error The reason.
   */
  reject(error: unknown): void {
    this.#taken?.reject(error);
    this.#queued?.reject(error);
    this.#taken = this.#queued = undefined;
  }
}
