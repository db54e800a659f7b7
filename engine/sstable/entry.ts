/**
 * The record an SST stores: a key, the sequence number of the write, and a value or a tombstone.
 *
 * @module
 */
import { KstoneError } from "../errors.ts";

/**
 * One version of one key, as the store hands it to the SST writer and gets it back from the
 * reader.
 *
 * Entries a {@linkcode TableReader} returns may share memory with its cached blocks: treat their
 * `key` and `value` as read-only, and copy them (`slice()`) to keep them past the reader's life.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SstEntry } from "./entry.ts";
 * const put: SstEntry = { key: new Uint8Array([1]), seq: 7, value: new Uint8Array([2]) };
 * const tombstone: SstEntry = { key: new Uint8Array([3]), seq: 8, value: null };
 * assert.equal(put.seq < tombstone.seq, true);
 * ```
 */
export interface SstEntry {
  /** The key bytes; a table holds each key once, in {@linkcode compareBytes} order. */
  key: Uint8Array;
  /** The sequence number (the LSN of the WAL record), an integer in `[1, 2^53)`. */
  seq: number;
  /** The value bytes (possibly empty), or `null` for a tombstone (a delete). */
  value: Uint8Array | null;
}

/**
 * Checks that `seq` is a valid sequence number.
 *
 * @param seq The candidate.
 * @throws {KstoneError} `INVALID_ARGUMENT` when `seq` is not an integer in `[1, 2^53)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSeq } from "./entry.ts";
 * checkSeq(1);
 * assert.throws(() => checkSeq(0), { code: "INVALID_ARGUMENT" });
 * ```
 */
export function checkSeq(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new KstoneError(
      "INVALID_ARGUMENT",
      `Cannot add SST entry: seq must be an integer in [1, 2^53), got ${seq}`,
    );
  }
}
