/**
 * A remote table's stream over the DynamoDB Streams API: DescribeTable gives the latest stream's
 * ARN, DescribeStream its shards, GetShardIterator and GetRecords their records, turned into the
 * embedded API's plain `StreamChange`s. Shards are read in lineage order (a parent before its
 * children; kstone has one shard per stream).
 *
 * @module
 */
import type {
  ReadStreamOptions,
  StreamChange,
  StreamChangePage,
  StreamRecordsOptions,
} from "../engine/db/stream_api.ts";
import { KstoneError } from "../engine/errors.ts";
import { unmarshallItem } from "../engine/model/marshall.ts";
import type { ServiceIdentity } from "../engine/stream/record.ts";
import type { WatchStart } from "../engine/stream/watch.ts";
import { mapFromWire } from "../server/wire.ts";
import type { Transport } from "./transport.ts";

type Wire = Record<string, unknown>;

/** A shard as DescribeStream lists it. */
interface Shard {
  ShardId: string;
  ParentShardId?: string;
  SequenceNumberRange?: { StartingSequenceNumber?: string; EndingSequenceNumber?: string };
}

/** Where GetShardIterator starts in one shard. */
type ShardStart =
  | { type: "TRIM_HORIZON" | "LATEST" }
  | { type: "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER"; sequence: string };

/** The calls a remote stream makes: DynamoDB (DescribeTable) and DynamoDB Streams. */
export interface StreamTransports {
  /** The DynamoDB connection. */
  readonly api: Transport;
  /** The DynamoDB Streams connection. */
  readonly streams: Transport;
}

/** The longest pause between two empty GetRecords rounds of {@linkcode followRemoteStream}. */
const MAX_PAUSE_MS = 1000;
/** The first pause after an empty round. */
const FIRST_PAUSE_MS = 100;

/**
 * A GetRecords record as the embedded API's plain change. `createdAtMs` comes from
 * `ApproximateCreationDateTime`, which DynamoDB and kstone give in whole seconds.
 *
 * @param record The wire record.
 * @returns The change.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { changeFromWire } from "./remote_stream.ts";
 * const change = changeFromWire({
 *   eventName: "REMOVE",
 *   userIdentity: { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" },
 *   dynamodb: {
 *     ApproximateCreationDateTime: 1700000000,
 *     Keys: { id: { S: "u1" } },
 *     SequenceNumber: "000000000000000000042",
 *     SizeBytes: 4,
 *     StreamViewType: "KEYS_ONLY",
 *   },
 * });
 * assert.deepEqual(change, {
 *   eventName: "REMOVE",
 *   sequenceNumber: "000000000000000000042",
 *   createdAtMs: 1700000000000,
 *   keys: { id: "u1" },
 *   sizeBytes: 4,
 *   streamViewType: "KEYS_ONLY",
 *   userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" },
 * });
 * ```
 */
export function changeFromWire(record: Wire): StreamChange {
  const d = record.dynamodb as Wire;
  const change: StreamChange = {
    eventName: record.eventName as StreamChange["eventName"],
    sequenceNumber: String(d.SequenceNumber),
    createdAtMs: Math.round(Number(d.ApproximateCreationDateTime) * 1000),
    keys: unmarshallItem(mapFromWire(d.Keys)),
    sizeBytes: Number(d.SizeBytes ?? 0),
    streamViewType: d.StreamViewType as StreamChange["streamViewType"],
  };
  if (d.NewImage !== undefined) change.newImage = unmarshallItem(mapFromWire(d.NewImage));
  if (d.OldImage !== undefined) change.oldImage = unmarshallItem(mapFromWire(d.OldImage));
  const identity = record.userIdentity as { Type?: string; PrincipalId?: string } | undefined;
  if (identity !== undefined) {
    change.userIdentity = {
      type: identity.Type,
      principalId: identity.PrincipalId,
    } as ServiceIdentity;
  }
  return change;
}

/** The ARN of a table's latest stream (enabled or not). */
async function latestStreamArn(api: Transport, tableName: string): Promise<string> {
  const { Table } = await api.call("DescribeTable", { TableName: tableName });
  const arn = (Table as Wire).LatestStreamArn;
  if (typeof arn !== "string") {
    throw new KstoneError(
      "RESOURCE_NOT_FOUND",
      `Requested resource not found: Table: ${tableName} has no stream`,
    );
  }
  return arn;
}

function compare(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Every shard of a stream (all DescribeStream pages), parents before children. */
async function describeShards(streams: Transport, arn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let start: string | undefined;
  do {
    const { StreamDescription } = await streams.call("DescribeStream", {
      StreamArn: arn,
      ExclusiveStartShardId: start,
    });
    const page = StreamDescription as { Shards?: Shard[]; LastEvaluatedShardId?: string };
    shards.push(...page.Shards ?? []);
    start = page.LastEvaluatedShardId;
  } while (start !== undefined);
  const startOf = (shard: Shard) => shard.SequenceNumberRange?.StartingSequenceNumber ?? "0";
  shards.sort((a, b) => compare(startOf(a), startOf(b)));
  const byId = new Map(shards.map((shard) => [shard.ShardId, shard]));
  const ordered: Shard[] = [];
  const placed = new Set<string>();
  const place = (shard: Shard) => {
    if (placed.has(shard.ShardId)) return;
    placed.add(shard.ShardId);
    const parent = shard.ParentShardId === undefined ? undefined : byId.get(shard.ParentShardId);
    if (parent !== undefined) place(parent);
    ordered.push(shard);
  };
  shards.forEach(place);
  return ordered;
}

/**
 * Where each shard is read from for a start position; shards left out hold nothing after it.
 * A sequence number positions the shards whose range holds it; shards starting after it are
 * read from their start.
 */
function startsOf(shards: readonly Shard[], from: WatchStart): Map<string, ShardStart> {
  const starts = new Map<string, ShardStart>();
  for (const shard of shards) {
    const range = shard.SequenceNumberRange ?? {};
    if (from === "TRIM_HORIZON") starts.set(shard.ShardId, { type: "TRIM_HORIZON" });
    else if (from === "LATEST") {
      if (range.EndingSequenceNumber === undefined) starts.set(shard.ShardId, { type: "LATEST" });
    } else {
      const at = "at" in from;
      const sequence = at ? from.at : from.after;
      const end = range.EndingSequenceNumber;
      if (end !== undefined && compare(end, sequence) < (at ? 0 : 1)) continue;
      const begin = range.StartingSequenceNumber;
      starts.set(
        shard.ShardId,
        begin !== undefined && compare(begin, sequence) > 0
          ? { type: "TRIM_HORIZON" }
          : { type: at ? "AT_SEQUENCE_NUMBER" : "AFTER_SEQUENCE_NUMBER", sequence },
      );
    }
  }
  return starts;
}

async function shardIterator(
  streams: Transport,
  arn: string,
  shardId: string,
  start: ShardStart,
): Promise<string> {
  const body = await streams.call("GetShardIterator", {
    StreamArn: arn,
    ShardId: shardId,
    ShardIteratorType: start.type,
    SequenceNumber: "sequence" in start ? start.sequence : undefined,
  });
  return String(body.ShardIterator);
}

/**
 * Reads one page of a remote table's latest stream: the first shard, in lineage order from
 * `after`, that has records gives up to `limit` of them.
 *
 * @param transports The DynamoDB and DynamoDB Streams connections.
 * @param tableName The table's name.
 * @param options Where to start (`after` the `last` of the previous page) and how many.
 * @returns The records and the position to go on from.
 * @throws {KstoneError} RESOURCE_NOT_FOUND `Requested resource not found: Table: <name> has no
 *   stream` when the table never had one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../mod.ts";
 * import { serve } from "../server/serve.ts";
 * import { Transport } from "./transport.ts";
 * const local = await Database.memory();
 * const server = await serve({ db: local, port: 0, metricsPort: false });
 * const api = new Transport(server.url);
 * const streams = new Transport(server.url, { target: "DynamoDBStreams_20120810" });
 * const users = await local.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
 *   stream: { viewType: "NEW_IMAGE" },
 * });
 * await users.put({ id: "u1" });
 * import { readRemoteStream } from "./remote_stream.ts";
 * const page = await readRemoteStream({ api, streams }, "users");
 * assert.deepEqual(page.records.map((r) => r.newImage), [{ id: "u1" }]);
 * await server.shutdown();
 * ```
 */
export async function readRemoteStream(
  transports: StreamTransports,
  tableName: string,
  options: ReadStreamOptions = {},
): Promise<StreamChangePage> {
  const { api, streams } = transports;
  const limit = Math.min(Math.max(options.limit ?? 1000, 1), 1000);
  const arn = await latestStreamArn(api, tableName);
  const shards = await describeShards(streams, arn);
  const from = options.after === undefined ? "TRIM_HORIZON" : { after: options.after };
  for (const [shardId, start] of startsOf(shards, from)) {
    const iterator = await shardIterator(streams, arn, shardId, start);
    const body = await streams.call("GetRecords", { ShardIterator: iterator, Limit: limit });
    const records = (body.Records as Wire[]).map(changeFromWire);
    if (records.length > 0) return { records, last: records.at(-1)!.sequenceNumber };
  }
  return { records: [], last: undefined };
}

/** The reading state of one shard. */
interface Cursor {
  /** Where to start, until a record is read. */
  readonly start: ShardStart;
  /** The sequence number of the last record read. */
  last?: string;
  /** The iterator to go on with. */
  iterator?: string | undefined;
  /** Whether the shard is read to its end (closed) or skipped. */
  done: boolean;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/** One GetRecords call on a shard; a lapsed iterator (15 minutes) is renewed next time. */
async function readShard(
  streams: Transport,
  arn: string,
  shardId: string,
  cursor: Cursor,
): Promise<StreamChange[]> {
  cursor.iterator ??= await shardIterator(
    streams,
    arn,
    shardId,
    cursor.last === undefined
      ? cursor.start
      : { type: "AFTER_SEQUENCE_NUMBER", sequence: cursor.last },
  );
  let body: Wire;
  try {
    body = await streams.call("GetRecords", { ShardIterator: cursor.iterator, Limit: 1000 });
  } catch (error) {
    if (!(error instanceof KstoneError) || error.code !== "EXPIRED_ITERATOR") throw error;
    cursor.iterator = undefined;
    return [];
  }
  const records = (body.Records as Wire[]).map(changeFromWire);
  if (records.length > 0) cursor.last = records.at(-1)!.sequenceNumber;
  cursor.iterator = body.NextShardIterator as string | undefined;
  if (cursor.iterator === undefined) cursor.done = true;
  return records;
}

/**
 * Follows a remote table's latest stream: polls GetRecords on every shard whose parent is read
 * to its end, yields the records, and pauses when a round finds none (100 ms, doubling up to
 * 1 s). A shard read to its end makes it look for new shards (their children); the iteration
 * ends when every shard is closed and read (the stream was disabled or its table deleted).
 *
 * @param transports The DynamoDB and DynamoDB Streams connections.
 * @param tableName The table's name.
 * @param options Where to start and an abort signal (the iteration then throws its reason).
 * @returns The changes, in order within each shard.
 * @throws {KstoneError} RESOURCE_NOT_FOUND when the table never had a stream.
 *
 * @example Read until the stream is disabled
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../mod.ts";
 * import { serve } from "../server/serve.ts";
 * import { Transport } from "./transport.ts";
 * const local = await Database.memory();
 * const server = await serve({ db: local, port: 0, metricsPort: false });
 * const api = new Transport(server.url);
 * const streams = new Transport(server.url, { target: "DynamoDBStreams_20120810" });
 * const users = await local.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
 *   stream: { viewType: "NEW_IMAGE" },
 * });
 * await users.put({ id: "u1" });
 * import { followRemoteStream } from "./remote_stream.ts";
 * await local.updateTable("users", { stream: { enabled: false } });
 * const ids = [];
 * for await (const change of followRemoteStream({ api, streams }, "users")) ids.push(change.keys.id);
 * assert.deepEqual(ids, ["u1"]);
 * await server.shutdown();
 * ```
 */
export async function* followRemoteStream(
  transports: StreamTransports,
  tableName: string,
  options: StreamRecordsOptions = {},
): AsyncGenerator<StreamChange, void, undefined> {
  const { api, streams } = transports;
  const { from = "TRIM_HORIZON", signal } = options;
  signal?.throwIfAborted();
  const arn = await latestStreamArn(api, tableName);
  let shards = await describeShards(streams, arn);
  const starts = startsOf(shards, from);
  const cursors = new Map<string, Cursor>(
    shards.map((shard) => {
      const start = starts.get(shard.ShardId);
      return [shard.ShardId, { start: start ?? { type: "TRIM_HORIZON" }, done: !start }];
    }),
  );
  for (let wait = 0;;) {
    signal?.throwIfAborted();
    if ([...cursors.values()].every((cursor) => cursor.done)) return;
    let found = 0;
    let ended = false;
    for (const shard of shards) {
      const cursor = cursors.get(shard.ShardId)!;
      const parent = shard.ParentShardId === undefined
        ? undefined
        : cursors.get(shard.ParentShardId);
      if (cursor.done || parent?.done === false) continue;
      const changes = await readShard(streams, arn, shard.ShardId, cursor);
      for (const change of changes) {
        yield change;
        signal?.throwIfAborted();
      }
      found += changes.length;
      ended ||= cursor.done;
    }
    if (ended) {
      shards = await describeShards(streams, arn);
      for (const shard of shards) {
        if (!cursors.has(shard.ShardId)) {
          cursors.set(shard.ShardId, { start: { type: "TRIM_HORIZON" }, done: false });
        }
      }
    }
    if (found > 0 || ended) wait = 0;
    else {
      wait = wait === 0 ? FIRST_PAUSE_MS : Math.min(wait * 2, MAX_PAUSE_MS);
      await pause(wait, signal);
    }
  }
}
