/**
 * The stream record of a write, made in the same synchronous step as the write's commit and
 * committed in the same WAL record, so a record exists exactly when its change does, even after
 * a crash. A write that changes nothing (no item before or after, or the same item) makes no
 * record, as in DynamoDB.
 *
 * @module
 */
import type { ItemChange } from "../api/_derived.ts";
import { itemSize } from "../codec/item_codec.ts";
import type { StreamDefinition } from "../db/catalog.ts";
import { valuesEqual } from "../expression/compare.ts";
import type { Mutation } from "../store/batch_codec.ts";
import { announce } from "./notifier.ts";
import { encodeRecord, type StreamRecord, TTL_IDENTITY } from "./record.ts";
import { MAX_POSITION, recordKey, sequenceNumber, streamStripe } from "./sequence.ts";

/** Where a record goes in its stream. */
export interface RecordPosition {
  /** The LSN of the commit that carries the record. */
  readonly lsn: number;
  /** The record's position among the commit's stream records, from 0. */
  readonly position: number;
  /** The time, milliseconds since the epoch. */
  readonly nowMs: number;
}

/**
 * The record of one change, or `undefined` when the item did not change.
 *
 * @param stream The stream.
 * @param change The change.
 * @param at Sequence and time.
 * @returns The record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamRecordOf } from "./capture.ts";
 * const table = { id: 2, name: "t", keySchema: { partitionKey: { name: "id", type: "S" as const } }, sortKeyOptional: false };
 * const stream = { id: 3, viewType: "NEW_IMAGE" as const, enabled: true, createdAt: 0 };
 * const key = { id: { S: "a" } };
 * const item = { id: { S: "a" }, n: { N: "1" } };
 * const record = streamRecordOf(stream, { table, key, old: undefined, next: item }, { lsn: 9, position: 0, nowMs: 5000 });
 * assert.equal(record?.eventName, "INSERT");
 * assert.deepEqual(record?.newImage, item);
 * assert.equal(streamRecordOf(stream, { table, key, old: item, next: { ...item } }, { lsn: 9, position: 0, nowMs: 0 }), undefined);
 * ```
 */
export function streamRecordOf(
  stream: StreamDefinition,
  change: ItemChange,
  at: RecordPosition,
): StreamRecord | undefined {
  const { old, next } = change;
  if (old === undefined && next === undefined) return undefined;
  if (old !== undefined && next !== undefined && valuesEqual({ M: old }, { M: next })) {
    return undefined;
  }
  if (at.position > MAX_POSITION) {
    throw new RangeError(
      `Cannot number stream record: position ${at.position} over ${MAX_POSITION}`,
    );
  }
  const viewType = stream.viewType;
  const keys = change.key;
  const newImage = viewType === "NEW_IMAGE" || viewType === "NEW_AND_OLD_IMAGES" ? next : undefined;
  const oldImage = viewType === "OLD_IMAGE" || viewType === "NEW_AND_OLD_IMAGES" ? old : undefined;
  const record: { -readonly [K in keyof StreamRecord]: StreamRecord[K] } = {
    eventName: old === undefined ? "INSERT" : next === undefined ? "REMOVE" : "MODIFY",
    sequenceNumber: sequenceNumber(at.lsn, at.position),
    createdAtMs: at.nowMs,
    keys,
    sizeBytes: itemSize(keys) + (newImage === undefined ? 0 : itemSize(newImage)) +
      (oldImage === undefined ? 0 : itemSize(oldImage)),
    streamViewType: viewType,
  };
  if (newImage !== undefined) record.newImage = newImage;
  if (oldImage !== undefined) record.oldImage = oldImage;
  if (change.expired === true) record.userIdentity = TTL_IDENTITY;
  return record;
}

/**
 * The stream record of one change, as a mutation to commit with the change; none when the item
 * did not change. Readers waiting on the stream are woken once the commit is made (in a
 * microtask: the caller commits in the same synchronous step).
 *
 * @param stream The table's enabled stream.
 * @param change The change.
 * @param at Sequence and time.
 * @returns The mutation, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamMutation } from "./capture.ts";
 * import { streamStripe } from "./sequence.ts";
 * const table = { id: 2, name: "t", keySchema: { partitionKey: { name: "id", type: "S" as const } }, sortKeyOptional: false };
 * const stream = { id: 3, viewType: "KEYS_ONLY" as const, enabled: true, createdAt: 0 };
 * const key = { id: { S: "a" } };
 * const mutation = streamMutation(stream, { table, key, old: key, next: undefined }, { lsn: 9, position: 0, nowMs: 0 });
 * assert.equal(mutation?.stripe, streamStripe(3));
 * ```
 */
export function streamMutation(
  stream: StreamDefinition,
  change: ItemChange,
  at: RecordPosition,
): Mutation | undefined {
  const record = streamRecordOf(stream, change, at);
  if (record === undefined) return undefined;
  announce(stream.id);
  return {
    stripe: streamStripe(stream.id),
    key: recordKey(stream.id, record.sequenceNumber),
    value: encodeRecord(record),
  };
}
