/**
 * DynamoDB Streams names and positions for kstone's streams: the stream ARN, the one
 * shard of each stream, and shard iterators. An iterator is an opaque string
 * `<stream ARN>|1|<payload>`; the payload (base64) carries the stream id, where to read, when
 * the iterator was issued and a checksum, so a mangled iterator is refused and an old one
 * expires after 15 minutes, as in DynamoDB Streams.
 *
 * @module
 */
import { crc32 } from "../codec/crc32.ts";
import { KstoneError, validation } from "../errors.ts";
import { isSequenceNumber } from "./sequence.ts";

/** How long a shard iterator stays valid: 15 minutes, in milliseconds. */
export const ITERATOR_LIFETIME_MS = 15 * 60 * 1000;

/** The account id in ARNs. */
const ACCOUNT = "000000000000";

/**
 * A stream's ARN.
 *
 * @param region The region.
 * @param tableName The table's name.
 * @param label The stream's label (`streamLabel` of `engine/db/catalog.ts`).
 * @returns `arn:aws:dynamodb:<region>:000000000000:table/<name>/stream/<label>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamArn } from "./shard_iterator.ts";
 * assert.equal(
 *   streamArn("us-east-1", "orders", "2026-01-02T03:04:05.006"),
 *   "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2026-01-02T03:04:05.006",
 * );
 * ```
 */
export function streamArn(region: string, tableName: string, label: string): string {
  return `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${tableName}/stream/${label}`;
}

/** What a stream ARN names. */
export interface ParsedStreamArn {
  /** The table's name. */
  readonly tableName: string;
  /** The stream's label. */
  readonly label: string;
}

const ARN = /^arn:aws[a-z-]*:dynamodb:[^:]*:[0-9]{12}:table\/([^/]+)\/stream\/(.+)$/;

/**
 * Reads a stream ARN.
 *
 * @param arn The ARN.
 * @returns The table name and label, or `undefined` when it is no stream ARN.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStreamArn } from "./shard_iterator.ts";
 * assert.deepEqual(
 *   parseStreamArn("arn:aws:dynamodb:us-east-1:000000000000:table/t1/stream/2026-01-02T03:04:05.006"),
 *   { tableName: "t1", label: "2026-01-02T03:04:05.006" },
 * );
 * assert.equal(parseStreamArn("nope"), undefined);
 * ```
 */
export function parseStreamArn(arn: string): ParsedStreamArn | undefined {
  const match = ARN.exec(arn);
  return match === null ? undefined : { tableName: match[1]!, label: match[2]! };
}

/**
 * The id of a stream's one shard.
 *
 * @param streamId The stream's keyspace id.
 * @returns `shardId-00000000000000000001-<8 hex digits of the stream id>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardId } from "./shard_iterator.ts";
 * assert.equal(shardId(26), "shardId-00000000000000000001-0000001a");
 * ```
 */
export function shardId(streamId: number): string {
  return `shardId-00000000000000000001-${streamId.toString(16).padStart(8, "0")}`;
}

/** Where an iterator reads: from the oldest record, at a record, or after one. */
export type IteratorPosition =
  | { readonly kind: "TRIM_HORIZON" }
  | { readonly kind: "AT"; readonly sequence: string }
  | { readonly kind: "AFTER"; readonly sequence: string };

/** A decoded shard iterator. */
export interface ShardIterator {
  /** The ARN of the stream it reads. */
  readonly arn: string;
  /** The stream's keyspace id. */
  readonly streamId: number;
  /** Where it reads. */
  readonly position: IteratorPosition;
  /** When it was issued, milliseconds since the epoch. */
  readonly issuedAt: number;
}

/**
 * Encodes a shard iterator.
 *
 * @param iterator The stream, position and issue time.
 * @returns The opaque string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeShardIterator, encodeShardIterator } from "./shard_iterator.ts";
 * const iterator = {
 *   arn: "arn:aws:dynamodb:us-east-1:000000000000:table/t1/stream/2026-01-02T03:04:05.006",
 *   streamId: 3,
 *   position: { kind: "AFTER" as const, sequence: "000000000000000700000" },
 *   issuedAt: 1_000,
 * };
 * assert.deepEqual(decodeShardIterator(encodeShardIterator(iterator), 2_000), iterator);
 * ```
 */
export function encodeShardIterator(iterator: ShardIterator): string {
  const { position } = iterator;
  const where = position.kind === "TRIM_HORIZON"
    ? "T"
    : `${position.kind === "AT" ? "@" : ">"}${position.sequence}`;
  const body = `${iterator.streamId}:${where}:${iterator.issuedAt}:${iterator.arn}`;
  const sum = crc32(new TextEncoder().encode(body)).toString(16).padStart(8, "0");
  return `${iterator.arn}|1|${btoa(`${sum}:${body}`)}`;
}

/**
 * Decodes and checks a shard iterator.
 *
 * @param text The string given by GetShardIterator or GetRecords.
 * @param nowMs The time, milliseconds since the epoch.
 * @returns The iterator.
 * @throws {KstoneError} VALIDATION `Invalid ShardIterator` when it was not made by kstone (or
 *   was altered); EXPIRED_ITERATOR when it is older than 15 minutes.
 */
export function decodeShardIterator(text: string, nowMs: number): ShardIterator {
  const iterator = parseIterator(text);
  if (iterator === undefined) throw validation("Invalid ShardIterator");
  if (nowMs - iterator.issuedAt > ITERATOR_LIFETIME_MS) {
    throw new KstoneError(
      "EXPIRED_ITERATOR",
      `Iterator expired. The iterator was created at time ${
        new Date(iterator.issuedAt).toUTCString()
      } while right now it's ${
        new Date(nowMs).toUTCString()
      } which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`,
    );
  }
  return iterator;
}

function parseIterator(text: string): ShardIterator | undefined {
  if (typeof text !== "string") return undefined;
  const bar = text.lastIndexOf("|1|");
  if (bar < 0) return undefined;
  let payload: string;
  try {
    payload = atob(text.slice(bar + 3));
  } catch {
    return undefined;
  }
  const sum = payload.slice(0, 8);
  const body = payload.slice(9);
  if (crc32(new TextEncoder().encode(body)).toString(16).padStart(8, "0") !== sum) return undefined;
  const [id, where, issued, ...rest] = body.split(":");
  const arn = rest.join(":");
  if (arn !== text.slice(0, bar) || id === undefined || where === undefined) return undefined;
  const streamId = Number(id);
  const issuedAt = Number(issued);
  if (!Number.isSafeInteger(streamId) || !Number.isSafeInteger(issuedAt)) return undefined;
  let position: IteratorPosition;
  const sequence = where.slice(1);
  if (where === "T") position = { kind: "TRIM_HORIZON" };
  else if (where[0] === "@" && isSequenceNumber(sequence)) position = { kind: "AT", sequence };
  else if (where[0] === ">" && isSequenceNumber(sequence)) position = { kind: "AFTER", sequence };
  else return undefined;
  return { arn, streamId, position, issuedAt };
}
