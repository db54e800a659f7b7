/**
 * A stream record as stored and as read: an item (docs/format/item_encoding.md) whose attribute
 * names are fixed. See docs/format/stream_records.md.
 *
 * @module
 */
import { decodeItem, encodeItem } from "../codec/item_codec.ts";
import type { StreamViewType } from "../db/catalog.ts";
import type { AttributeMap } from "../model/attribute_value.ts";

/** What happened to the item. */
export type StreamEventName = "INSERT" | "MODIFY" | "REMOVE";

/** Who made a change other than a caller: DynamoDB's time-to-live service. */
export interface ServiceIdentity {
  /** Always `Service`. */
  readonly type: "Service";
  /** Always `dynamodb.amazonaws.com`. */
  readonly principalId: "dynamodb.amazonaws.com";
}

/** The identity of time-to-live deletions in their records. */
export const TTL_IDENTITY: ServiceIdentity = Object.freeze({
  type: "Service",
  principalId: "dynamodb.amazonaws.com",
});

/** One change of one item, as its stream recorded it. */
export interface StreamRecord {
  /** INSERT (no old item), MODIFY (both), REMOVE (no new item). */
  readonly eventName: StreamEventName;
  /** 21 digits; increasing along the stream. */
  readonly sequenceNumber: string;
  /** When the change was made, milliseconds since the epoch (the database's clock). */
  readonly createdAtMs: number;
  /** The item's key attributes. */
  readonly keys: AttributeMap;
  /** The item after the change (NEW_IMAGE and NEW_AND_OLD_IMAGES streams). */
  readonly newImage?: AttributeMap;
  /** The item before the change (OLD_IMAGE and NEW_AND_OLD_IMAGES streams). */
  readonly oldImage?: AttributeMap;
  /** The size of the keys and images by DynamoDB's item size rules. */
  readonly sizeBytes: number;
  /** The stream's view type when the record was written. */
  readonly streamViewType: StreamViewType;
  /** Set on time-to-live deletions. */
  readonly userIdentity?: ServiceIdentity;
}

/**
 * Encodes a record as the value stored under its key (the sequence number is the key's).
 *
 * @param record The record.
 * @returns The encoded item.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRecord, encodeRecord } from "./record.ts";
 * const record = {
 *   eventName: "INSERT" as const,
 *   sequenceNumber: "000000000000000700000",
 *   createdAtMs: 1_700_000_000_000,
 *   keys: { id: { S: "a" } },
 *   sizeBytes: 3,
 *   streamViewType: "KEYS_ONLY" as const,
 * };
 * assert.deepEqual(decodeRecord(encodeRecord(record), record.sequenceNumber), record);
 * ```
 */
export function encodeRecord(record: StreamRecord): Uint8Array {
  const row: Record<string, AttributeMap[string]> = {
    eventName: { S: record.eventName },
    createdAt: { N: String(record.createdAtMs) },
    keys: { M: record.keys },
    sizeBytes: { N: String(record.sizeBytes) },
    viewType: { S: record.streamViewType },
  };
  if (record.newImage !== undefined) row.newImage = { M: record.newImage };
  if (record.oldImage !== undefined) row.oldImage = { M: record.oldImage };
  if (record.userIdentity !== undefined) row.service = { BOOL: true };
  return encodeItem(row);
}

/**
 * Decodes a stored record.
 *
 * @param bytes The stored value.
 * @param sequenceNumber The sequence number in its key.
 * @returns The record.
 */
export function decodeRecord(bytes: Uint8Array, sequenceNumber: string): StreamRecord {
  const row = decodeItem(bytes);
  const record: { -readonly [K in keyof StreamRecord]: StreamRecord[K] } = {
    eventName: stringOf(row.eventName) as StreamEventName,
    sequenceNumber,
    createdAtMs: Number(numberOf(row.createdAt)),
    keys: mapOf(row.keys) ?? {},
    sizeBytes: Number(numberOf(row.sizeBytes)),
    streamViewType: stringOf(row.viewType) as StreamViewType,
  };
  const newImage = mapOf(row.newImage);
  const oldImage = mapOf(row.oldImage);
  if (newImage !== undefined) record.newImage = newImage;
  if (oldImage !== undefined) record.oldImage = oldImage;
  if (row.service !== undefined) record.userIdentity = TTL_IDENTITY;
  return record;
}

/**
 * The creation time of a stored record, without decoding its images.
 *
 * @param bytes The stored value.
 * @returns Milliseconds since the epoch.
 */
export function recordCreatedAt(bytes: Uint8Array): number {
  return Number(numberOf(decodeItem(bytes).createdAt));
}

function stringOf(value: AttributeMap[string] | undefined): string {
  return value !== undefined && "S" in value ? value.S : "";
}

function numberOf(value: AttributeMap[string] | undefined): string {
  return value !== undefined && "N" in value ? value.N : "0";
}

function mapOf(value: AttributeMap[string] | undefined): AttributeMap | undefined {
  return value !== undefined && "M" in value ? value.M : undefined;
}
