/**
 * Sequence numbers of stream records and where records live in the keyspace. A record's
 * sequence number is the LSN of the commit that wrote it, zero-padded to 16 digits, followed by
 * the record's position among that commit's stream records, zero-padded to 5: 21 decimal
 * digits, so comparing two sequence numbers as strings orders them as their commits. A record
 * replayed from the WAL keeps its LSN, hence its number. See docs/format/stream_records.md.
 *
 * @module
 */
import { concatBytes } from "../codec/bytes.ts";
import { encodeKey, KEY_TAG_S, prefixEnd, stripeOf, tablePrefix } from "../codec/key_codec.ts";

/** The length of a sequence number, in digits. */
export const SEQUENCE_NUMBER_LENGTH = 21;
/** The digits of the LSN part. */
const LSN_DIGITS = 16;
/** The digits of the position part. */
const POSITION_DIGITS = 5;
/** The largest position within a commit. */
export const MAX_POSITION = 10 ** POSITION_DIGITS - 1;

const SEQUENCE = /^[0-9]{21}$/;

/**
 * The sequence number of a record.
 *
 * @param lsn The LSN of the commit that carries it.
 * @param position Its position among the commit's stream records, from 0.
 * @returns 21 digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sequenceNumber } from "./sequence.ts";
 * assert.equal(sequenceNumber(42, 1), "000000000000004200001");
 * assert.ok(sequenceNumber(42, 1) < sequenceNumber(100, 0));
 * ```
 */
export function sequenceNumber(lsn: number, position: number): string {
  return String(lsn).padStart(LSN_DIGITS, "0") + String(position).padStart(POSITION_DIGITS, "0");
}

/**
 * Whether a string is a sequence number kstone could have made.
 *
 * @param text The string.
 * @returns Whether it is 21 digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSequenceNumber } from "./sequence.ts";
 * assert.ok(isSequenceNumber("000000000000004200001"));
 * assert.ok(!isSequenceNumber("42"));
 * ```
 */
export function isSequenceNumber(text: unknown): text is string {
  return typeof text === "string" && SEQUENCE.test(text);
}

/**
 * The stripe holding every record of a stream: one stripe, so a stream reads in order.
 *
 * @param streamId The stream's keyspace id.
 * @returns The stripe, that of the partition key `N` stream id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamStripe } from "./sequence.ts";
 * assert.equal(streamStripe(7), streamStripe(7));
 * ```
 */
export function streamStripe(streamId: number): number {
  return stripeOf({ N: String(streamId) });
}

/**
 * The key of a record: the stream id, then the sequence number as an `S` component.
 *
 * @param streamId The stream's keyspace id.
 * @param sequence The record's sequence number.
 * @returns The encoded key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordKey } from "./sequence.ts";
 * assert.deepEqual(recordKey(3, "000000000000000000100").subarray(0, 5), new Uint8Array([0, 0, 0, 3, 0x53]));
 * ```
 */
export function recordKey(streamId: number, sequence: string): Uint8Array {
  return encodeKey(streamId, { S: sequence });
}

/**
 * The sequence number in a record's key, as range reads return keys (latin1 strings).
 *
 * @param key The key as a latin1 string.
 * @returns The sequence number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesToLatin1 } from "../codec/bytes.ts";
 * import { recordKey, sequenceOfKey } from "./sequence.ts";
 * const sequence = "000000000000000000100";
 * assert.equal(sequenceOfKey(bytesToLatin1(recordKey(3, sequence))), sequence);
 * ```
 */
export function sequenceOfKey(key: string): string {
  return key.slice(5, 5 + SEQUENCE_NUMBER_LENGTH);
}

/**
 * The key of a stream's trim marker: the `N 0` component, which sorts before every record. It
 * holds the sequence number of the newest record retention removed.
 *
 * @param streamId The stream's keyspace id.
 * @returns The encoded key.
 */
export function trimMarkerKey(streamId: number): Uint8Array {
  return encodeKey(streamId, { N: "0" });
}

/** Bounds of a range read over a stream's records. */
export interface RecordBounds {
  /** The first key to read. */
  readonly start: Uint8Array;
  /** The first key past the stream's records. */
  readonly end: Uint8Array;
}

/**
 * The range of a stream's records at or after `from`, or after `after`, or all of them.
 *
 * @param streamId The stream's keyspace id.
 * @param position Where to start: `{ from }` (inclusive), `{ after }` (exclusive) or `{}`.
 * @returns Range bounds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareBytes } from "../codec/bytes.ts";
 * import { recordBounds, recordKey } from "./sequence.ts";
 * const s = "000000000000000000100";
 * const { start } = recordBounds(3, { after: s });
 * assert.ok(compareBytes(start, recordKey(3, s)) > 0);
 * ```
 */
export function recordBounds(
  streamId: number,
  position: { readonly from?: string | undefined; readonly after?: string | undefined },
): RecordBounds {
  const prefix = concatBytes([tablePrefix(streamId), new Uint8Array([KEY_TAG_S])]);
  const end = prefixEnd(prefix)!;
  if (position.after !== undefined) {
    return { start: concatBytes([recordKey(streamId, position.after), new Uint8Array([0])]), end };
  }
  if (position.from !== undefined) return { start: recordKey(streamId, position.from), end };
  return { start: prefix, end };
}
