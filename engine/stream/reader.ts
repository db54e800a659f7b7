/**
 * Reading a stream: its records in sequence order from a position, its trim horizon (the
 * oldest record kept) and its newest record. A stream's records live in one stripe, so a read
 * is one range read.
 *
 * @module
 */
import type { Reader } from "../api/_items.ts";
import { decodeItem } from "../codec/item_codec.ts";
import { KstoneError } from "../errors.ts";
import { decodeRecord, type StreamRecord } from "./record.ts";
import { recordBounds, sequenceOfKey, streamStripe, trimMarkerKey } from "./sequence.ts";

/** Where {@linkcode readStream} starts. */
export interface ReadStreamOptions {
  /** Start after this sequence number. */
  readonly after?: string | undefined;
  /** Start at this sequence number (or the first after it). */
  readonly from?: string | undefined;
  /** At most this many records. @default 1000 */
  readonly limit?: number | undefined;
}

/** What {@linkcode readStream} returns. */
export interface StreamPage {
  /** The records, oldest first. */
  readonly records: StreamRecord[];
  /** The sequence number of the last record returned, to read on `after` it. */
  readonly last: string | undefined;
}

/** The default and largest number of records a read returns, as GetRecords. */
export const MAX_READ_RECORDS = 1000;

/**
 * Reads a stream's records in order. Consume the result before any await: it reads the store
 * as of now.
 *
 * @param reader The store or a snapshot.
 * @param streamId The stream's keyspace id.
 * @param options Where to start and how many.
 * @returns The records and the position to read on from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { readStream } from "./reader.ts";
 * await using db = await Database.memory();
 * const store = db.apiContext().store;
 * assert.deepEqual(readStream(store, 99, {}), { records: [], last: undefined });
 * ```
 */
export function readStream(
  reader: Reader,
  streamId: number,
  options: ReadStreamOptions,
): StreamPage {
  const limit = options.limit ?? MAX_READ_RECORDS;
  const records: StreamRecord[] = [];
  if (limit <= 0) return { records, last: undefined };
  const bounds = recordBounds(streamId, options);
  for (const entry of reader.range(streamStripe(streamId), bounds)) {
    records.push(decodeRecord(entry.value, sequenceOfKey(entry.key)));
    if (records.length >= limit) break;
  }
  return { records, last: records.at(-1)?.sequenceNumber };
}

/**
 * The sequence number of a stream's oldest kept record: its trim horizon.
 *
 * @param reader The store or a snapshot.
 * @param streamId The stream's keyspace id.
 * @returns The sequence number, or `undefined` when the stream holds no record.
 */
export function oldestSequence(reader: Reader, streamId: number): string | undefined {
  for (const entry of reader.range(streamStripe(streamId), recordBounds(streamId, {}))) {
    return sequenceOfKey(entry.key);
  }
  return undefined;
}

/**
 * The sequence number of a stream's newest record.
 *
 * @param reader The store or a snapshot.
 * @param streamId The stream's keyspace id.
 * @returns The sequence number, or `undefined` when the stream holds no record.
 */
export function newestSequence(reader: Reader, streamId: number): string | undefined {
  const range = reader.range(streamStripe(streamId), {
    ...recordBounds(streamId, {}),
    reverse: true,
  });
  for (const entry of range) return sequenceOfKey(entry.key);
  return undefined;
}

/**
 * The sequence number of the newest record retention removed from a stream.
 *
 * @param reader The store or a snapshot.
 * @param streamId The stream's keyspace id.
 * @returns The sequence number, or `undefined` when retention never removed one.
 */
export function trimmedThrough(reader: Reader, streamId: number): string | undefined {
  const bytes = reader.get(streamStripe(streamId), trimMarkerKey(streamId));
  if (bytes === undefined) return undefined;
  const value = decodeItem(bytes).through;
  return value !== undefined && "S" in value ? value.S : undefined;
}

/**
 * Refuses a read position that lies before the oldest record retention kept: reading on from it
 * would silently skip records.
 *
 * @param reader The store or a snapshot.
 * @param streamId The stream's keyspace id.
 * @param position At (`from`) or after a sequence number; `{}` (the trim horizon) always passes.
 * @throws {KstoneError} TRIMMED_DATA_ACCESS when retention removed records at or after it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { checkNotTrimmed } from "./reader.ts";
 * await using db = await Database.memory();
 * checkNotTrimmed(db.apiContext().store, 99, { after: "000000000000000000000" }); // nothing trimmed
 * assert.ok(true);
 * ```
 */
export function checkNotTrimmed(
  reader: Reader,
  streamId: number,
  position: { readonly from?: string | undefined; readonly after?: string | undefined },
): void {
  const trimmed = trimmedThrough(reader, streamId);
  if (trimmed === undefined) return;
  const lost = (position.from !== undefined && position.from <= trimmed) ||
    (position.after !== undefined && position.after < trimmed);
  if (lost) {
    throw new KstoneError(
      "TRIMMED_DATA_ACCESS",
      "The operation attempted to read past the oldest stream record in a shard.",
    );
  }
}
