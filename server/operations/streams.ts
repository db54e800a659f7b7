/**
 * The DynamoDB Streams operations: ListStreams, DescribeStream, GetShardIterator and
 * GetRecords. Each kstone stream has one shard holding all its records in order; the shard is
 * closed (it gets an EndingSequenceNumber, and reading its end gives no NextShardIterator) once
 * the stream is disabled or its table deleted. Records stay readable for the retention period
 * (24 hours by default), after which positions before the oldest kept record are refused with
 * TrimmedDataAccessException.
 *
 * @module
 */
import type { StreamInfo } from "../../engine/db/stream_api.ts";
import { streamLabel } from "../../engine/db/catalog.ts";
import {
  checkNotTrimmed,
  newestSequence,
  oldestSequence,
  readStream,
} from "../../engine/stream/reader.ts";
import type { StreamRecord } from "../../engine/stream/record.ts";
import { isSequenceNumber, MAX_POSITION, sequenceNumber } from "../../engine/stream/sequence.ts";
import {
  decodeShardIterator,
  encodeShardIterator,
  type IteratorPosition,
  parseStreamArn,
  shardId,
  streamArn,
} from "../../engine/stream/shard_iterator.ts";
import { DynamoError, validationError } from "../protocol.ts";
import { s } from "../shapes.ts";
import { mapToWire } from "../wire.ts";
import { defineOperation, type OperationContext } from "./operation.ts";

const ARN_SHAPE = s.string({ minLength: 37, maxLength: 1024 });

/** The ARN and label of a stream. */
function names(ctx: OperationContext, info: StreamInfo): { arn: string; label: string } {
  const label = streamLabel(info.stream);
  return { arn: streamArn(ctx.region, info.tableName, label), label };
}

/** Whether a stream's shard is closed: no record will be added. */
function closed(info: StreamInfo): boolean {
  return !info.stream.enabled || !info.tableActive;
}

function streamNotFound(arn: string): DynamoError {
  return new DynamoError(
    "ResourceNotFoundException",
    `Requested resource not found: Stream: ${arn} not found`,
  );
}

/** The stream an ARN names, among the database's streams. */
function findStream(ctx: OperationContext, arn: string): StreamInfo {
  const parsed = parseStreamArn(arn);
  const found = parsed === undefined
    ? undefined
    : ctx.db.streams().find((info) =>
      info.tableName === parsed.tableName && streamLabel(info.stream) === parsed.label
    );
  if (found === undefined) throw streamNotFound(arn);
  return found;
}

/** ListStreams: the streams, oldest first, optionally of one table, paged by stream ARN. */
export const ListStreams = defineOperation<{
  TableName?: string;
  Limit?: number;
  ExclusiveStartStreamArn?: string;
}>(
  s.struct("ListStreamsInput", {
    TableName: { shape: s.string({ minLength: 3, maxLength: 255 }), tableName: true },
    Limit: s.integer(1, 100),
    ExclusiveStartStreamArn: ARN_SHAPE,
  }),
  (ctx, input) => {
    const limit = input.Limit ?? 100;
    let streams = ctx.db.streams()
      .filter((info) => input.TableName === undefined || info.tableName === input.TableName)
      .map((info) => ({ info, ...names(ctx, info) }));
    if (input.ExclusiveStartStreamArn !== undefined) {
      const at = streams.findIndex((entry) => entry.arn === input.ExclusiveStartStreamArn);
      streams = at < 0 ? [] : streams.slice(at + 1);
    }
    const page = streams.slice(0, limit);
    const output: Record<string, unknown> = {
      Streams: page.map((entry) => ({
        StreamArn: entry.arn,
        TableName: entry.info.tableName,
        StreamLabel: entry.label,
      })),
    };
    if (streams.length > limit) output.LastEvaluatedStreamArn = page.at(-1)!.arn;
    return output;
  },
);

/** DescribeStream: the stream, its key schema and its one shard. */
export const DescribeStream = defineOperation<{
  StreamArn: string;
  Limit?: number;
  ExclusiveStartShardId?: string;
}>(
  s.struct("DescribeStreamInput", {
    StreamArn: { shape: ARN_SHAPE, required: true },
    Limit: s.integer(1, 100),
    ExclusiveStartShardId: s.string({ minLength: 28, maxLength: 65 }),
  }),
  (ctx, input) => {
    const info = findStream(ctx, input.StreamArn);
    const { arn, label } = names(ctx, info);
    const store = ctx.api.store;
    const id = info.stream.id;
    const range: Record<string, string> = {
      StartingSequenceNumber: oldestSequence(store, id) ?? sequenceNumber(store.lastLsn + 1, 0),
    };
    if (closed(info)) {
      range.EndingSequenceNumber = newestSequence(store, id) ?? range.StartingSequenceNumber!;
    }
    const { partitionKey, sortKey } = info.keySchema;
    const keySchema = [{ AttributeName: partitionKey.name, KeyType: "HASH" }];
    if (sortKey !== undefined) keySchema.push({ AttributeName: sortKey.name, KeyType: "RANGE" });
    const shard = shardId(id);
    return {
      StreamDescription: {
        StreamArn: arn,
        StreamLabel: label,
        StreamStatus: closed(info) ? "DISABLED" : "ENABLED",
        StreamViewType: info.stream.viewType,
        CreationRequestDateTime: info.stream.createdAt / 1000,
        TableName: info.tableName,
        KeySchema: keySchema,
        Shards: input.ExclusiveStartShardId === shard
          ? []
          : [{ ShardId: shard, SequenceNumberRange: range }],
      },
    };
  },
);

const ITERATOR_TYPES = ["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"];

/** GetShardIterator: a position in a stream's shard, valid for 15 minutes. */
export const GetShardIterator = defineOperation<{
  StreamArn: string;
  ShardId: string;
  ShardIteratorType: "TRIM_HORIZON" | "LATEST" | "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER";
  SequenceNumber?: string;
}>(
  s.struct("GetShardIteratorInput", {
    StreamArn: { shape: ARN_SHAPE, required: true },
    ShardId: { shape: s.string({ minLength: 28, maxLength: 65 }), required: true },
    ShardIteratorType: { shape: s.string({ enum: ITERATOR_TYPES }), required: true },
    SequenceNumber: s.string({ minLength: 21, maxLength: 40 }),
  }),
  (ctx, input) => {
    const info = findStream(ctx, input.StreamArn);
    if (input.ShardId !== shardId(info.stream.id)) {
      throw new DynamoError(
        "ResourceNotFoundException",
        `Requested resource not found: Shard does not exist`,
      );
    }
    const store = ctx.api.store;
    let position: IteratorPosition;
    const type = input.ShardIteratorType;
    if (type === "TRIM_HORIZON") position = { kind: "TRIM_HORIZON" };
    else if (type === "LATEST") {
      position = { kind: "AFTER", sequence: sequenceNumber(store.lastLsn, MAX_POSITION) };
    } else {
      const sequence = input.SequenceNumber;
      if (sequence === undefined) {
        throw validationError(`Sequence number must be specified for ShardIteratorType ${type}`);
      }
      if (!isSequenceNumber(sequence)) {
        throw validationError(`Invalid SequenceNumber: ${sequence}`);
      }
      position = { kind: type === "AT_SEQUENCE_NUMBER" ? "AT" : "AFTER", sequence };
      checkNotTrimmed(ctx.api.store, info.stream.id, readFrom(position));
    }
    const now = ctx.api.now?.() ?? Date.now();
    const { arn } = names(ctx, info);
    return {
      ShardIterator: encodeShardIterator({
        arn,
        streamId: info.stream.id,
        position,
        issuedAt: now,
      }),
    };
  },
);

/** GetRecords: up to `Limit` (1000) records from an iterator, and the iterator to go on. */
export const GetRecords = defineOperation<{ ShardIterator: string; Limit?: number }>(
  s.struct("GetRecordsInput", {
    ShardIterator: { shape: s.string({ minLength: 1, maxLength: 2048 }), required: true },
    Limit: s.integer(1, 1000),
  }),
  (ctx, input) => {
    const now = ctx.api.now?.() ?? Date.now();
    const iterator = decodeShardIterator(input.ShardIterator, now);
    const info = ctx.db.streams().find((entry) => entry.stream.id === iterator.streamId);
    if (info === undefined) return { Records: [] };
    const { position } = iterator;
    checkNotTrimmed(ctx.api.store, iterator.streamId, readFrom(position));
    const limit = input.Limit ?? 1000;
    const page = readStream(ctx.api.store, iterator.streamId, { ...readFrom(position), limit });
    const output: Record<string, unknown> = {
      Records: page.records.map((record) => recordToWire(ctx, iterator.streamId, record)),
    };
    if (closed(info) && page.records.length < limit) return output;
    const next: IteratorPosition = page.last === undefined
      ? position
      : { kind: "AFTER", sequence: page.last };
    output.NextShardIterator = encodeShardIterator({ ...iterator, position: next, issuedAt: now });
    return output;
  },
);

/**
 * A record as GetRecords returns it.
 *
 * @param ctx The request (its region).
 * @param streamId The stream's keyspace id (for the event id).
 * @param record The record.
 * @returns The wire record.
 */
export function recordToWire(
  ctx: OperationContext,
  streamId: number,
  record: StreamRecord,
): Record<string, unknown> {
  const dynamodb: Record<string, unknown> = {
    ApproximateCreationDateTime: Math.floor(record.createdAtMs / 1000),
    Keys: mapToWire(record.keys),
  };
  if (record.newImage !== undefined) dynamodb.NewImage = mapToWire(record.newImage);
  if (record.oldImage !== undefined) dynamodb.OldImage = mapToWire(record.oldImage);
  dynamodb.SequenceNumber = record.sequenceNumber;
  dynamodb.SizeBytes = record.sizeBytes;
  dynamodb.StreamViewType = record.streamViewType;
  const wire: Record<string, unknown> = {
    eventID: eventId(streamId, record.sequenceNumber),
    eventName: record.eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: ctx.region,
    dynamodb,
  };
  if (record.userIdentity !== undefined) {
    wire.userIdentity = {
      PrincipalId: record.userIdentity.principalId,
      Type: record.userIdentity.type,
    };
  }
  return wire;
}

/** An iterator position as {@linkcode readStream} takes it. */
function readFrom(position: IteratorPosition): { from?: string; after?: string } {
  if (position.kind === "AT") return { from: position.sequence };
  return position.kind === "AFTER" ? { after: position.sequence } : {};
}

/** A record's event id: 32 hex digits, the stream id then the sequence number. */
function eventId(streamId: number, sequence: string): string {
  return streamId.toString(16).padStart(8, "0") + BigInt(sequence).toString(16).padStart(24, "0");
}
