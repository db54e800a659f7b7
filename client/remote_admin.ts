/**
 * Table management over the DynamoDB protocol: the embedded `Database`'s createTable,
 * describeTable, updateTable, waitForTable, updateTimeToLive and describeTimeToLive options and
 * results turned into CreateTable, DescribeTable, UpdateTable, UpdateTimeToLive,
 * DescribeTimeToLive (and DescribeStream) calls and back.
 *
 * @module
 */
import type {
  CreateTableOptions,
  GlobalIndexOptions,
  IndexDescription,
  TableDescription,
  TimeToLiveDescription,
  UpdateTableChanges,
} from "../engine/db/admin_options.ts";
import type { Projection, StreamViewType } from "../engine/db/catalog.ts";
import type { KeyAttribute, KeySchema } from "../engine/db/key_schema.ts";
import { KstoneError, validation } from "../engine/errors.ts";
import type { KeyType } from "../engine/model/attribute_value.ts";
import type { Transport } from "./transport.ts";

type Wire = Record<string, unknown>;
type WireKey = { AttributeName: string; KeyType: "HASH" | "RANGE" };
type WireIndex = {
  IndexName: string;
  KeySchema: WireKey[];
  Projection: { ProjectionType: Projection["type"]; NonKeyAttributes?: string[] };
  IndexStatus?: IndexDescription["status"];
  ItemCount?: number;
  IndexSizeBytes?: number;
};

/** How {@linkcode waitForActive} polls. */
export interface WaitOptions {
  /** The longest pause between two DescribeTable calls (they start at 25 ms and double). @default 1000 */
  pollIntervalMs?: number;
  /** How long to wait before failing. @default 600000 (10 minutes) */
  timeoutMs?: number;
}

function keysOf(schema: KeySchema): KeyAttribute[] {
  return schema.sortKey === undefined
    ? [schema.partitionKey]
    : [schema.partitionKey, schema.sortKey];
}

function wireKeySchema(schema: KeySchema): WireKey[] {
  return keysOf(schema).map((key, i) => ({
    AttributeName: key.name,
    KeyType: i === 0 ? "HASH" : "RANGE",
  }));
}

function wireProjection(projection: Projection | undefined): WireIndex["Projection"] {
  const type = projection?.type ?? "ALL";
  return projection?.nonKeyAttributes === undefined
    ? { ProjectionType: type }
    : { ProjectionType: type, NonKeyAttributes: [...projection.nonKeyAttributes] };
}

/** AttributeDefinitions of the given keys, each name once, as the embedded database checks. */
function attributeDefinitions(schemas: readonly KeySchema[]): Wire[] {
  const types = new Map<string, KeyType>();
  for (const key of schemas.flatMap(keysOf)) {
    const known = types.get(key.name);
    if (known !== undefined && known !== key.type) {
      throw validation(
        `One or more parameter values were invalid: Attribute ${key.name} is defined with two types: ${known} and ${key.type}`,
      );
    }
    types.set(key.name, key.type);
  }
  return [...types].map(([name, type]) => ({ AttributeName: name, AttributeType: type }));
}

function globalSchema(index: GlobalIndexOptions): KeySchema {
  return index.sortKey === undefined
    ? { partitionKey: index.partitionKey }
    : { partitionKey: index.partitionKey, sortKey: index.sortKey };
}

function wireGlobalIndex(index: GlobalIndexOptions): Wire {
  return {
    IndexName: index.name,
    KeySchema: wireKeySchema(globalSchema(index)),
    Projection: wireProjection(index.projection),
  };
}

/**
 * The CreateTable input of the embedded `createTable` arguments (on-demand billing).
 *
 * @param name The table's name.
 * @param keySchema The table's key.
 * @param options Indexes and stream (time to live is a separate UpdateTimeToLive call).
 * @returns The input.
 * @throws {KstoneError} VALIDATION when one attribute is given two types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTableInput } from "./remote_admin.ts";
 * const input = createTableInput("users", { partitionKey: { name: "id", type: "S" } }, {
 *   globalIndexes: [{ name: "by_email", partitionKey: { name: "email", type: "S" } }],
 *   stream: { viewType: "NEW_IMAGE" },
 * });
 * assert.deepEqual(input.AttributeDefinitions, [
 *   { AttributeName: "id", AttributeType: "S" },
 *   { AttributeName: "email", AttributeType: "S" },
 * ]);
 * assert.deepEqual(input.StreamSpecification, { StreamEnabled: true, StreamViewType: "NEW_IMAGE" });
 * ```
 */
export function createTableInput(
  name: string,
  keySchema: KeySchema,
  options: CreateTableOptions = {},
): Wire {
  const locals = (options.localIndexes ?? []).map((index) => ({
    name: index.name,
    schema: { partitionKey: keySchema.partitionKey, sortKey: index.sortKey },
    projection: index.projection,
  }));
  const globals = options.globalIndexes ?? [];
  const input: Wire = {
    TableName: name,
    AttributeDefinitions: attributeDefinitions([
      keySchema,
      ...locals.map((index) => index.schema),
      ...globals.map(globalSchema),
    ]),
    KeySchema: wireKeySchema(keySchema),
    BillingMode: "PAY_PER_REQUEST",
  };
  if (locals.length > 0) {
    input.LocalSecondaryIndexes = locals.map((index) => ({
      IndexName: index.name,
      KeySchema: wireKeySchema(index.schema),
      Projection: wireProjection(index.projection),
    }));
  }
  if (globals.length > 0) input.GlobalSecondaryIndexes = globals.map(wireGlobalIndex);
  if (options.stream !== undefined) {
    input.StreamSpecification = { StreamEnabled: true, StreamViewType: options.stream.viewType };
  }
  return input;
}

/**
 * The UpdateTable input of the embedded `updateTable` changes: GlobalSecondaryIndexUpdates (with
 * the AttributeDefinitions of created indexes' keys) and StreamSpecification.
 *
 * @param name The table's name.
 * @param changes The index updates or the stream change.
 * @returns The input.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { updateTableInput } from "./remote_admin.ts";
 * assert.deepEqual(updateTableInput("users", { globalIndexUpdates: [{ delete: "by_email" }] }), {
 *   TableName: "users",
 *   GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "by_email" } }],
 * });
 * ```
 */
export function updateTableInput(name: string, changes: UpdateTableChanges): Wire {
  const input: Wire = { TableName: name };
  const updates = changes.globalIndexUpdates;
  if (updates !== undefined) {
    const created = updates.flatMap((update) => "create" in update ? [update.create] : []);
    if (created.length > 0) {
      input.AttributeDefinitions = attributeDefinitions(created.map(globalSchema));
    }
    input.GlobalSecondaryIndexUpdates = updates.map((update) =>
      "create" in update
        ? { Create: wireGlobalIndex(update.create) }
        : { Delete: { IndexName: update.delete } }
    );
  }
  const stream = changes.stream;
  if (stream !== undefined) {
    input.StreamSpecification = stream.enabled
      ? { StreamEnabled: true, StreamViewType: stream.viewType }
      : { StreamEnabled: false };
  }
  return input;
}

/** Whether a DescribeTable answer shows the table and every index ACTIVE (deleted ones gone). */
function isActive(table: Wire): boolean {
  const indexes = (table.GlobalSecondaryIndexes ?? []) as WireIndex[];
  return table.TableStatus === "ACTIVE" && indexes.every((index) => index.IndexStatus === "ACTIVE");
}

/**
 * Polls DescribeTable until the table and every global secondary index are `ACTIVE` (a deleted
 * index gone from the description), pausing 25 ms, then twice as long each time up to
 * `pollIntervalMs`.
 *
 * @param transport The connection.
 * @param name The table's name.
 * @param options The longest pause and the timeout.
 * @throws {KstoneError} FAILED `Timed out after <ms> ms waiting for table <name> to become
 *   ACTIVE`; RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../mod.ts";
 * import { serve } from "../server/serve.ts";
 * import { Transport } from "./transport.ts";
 * const local = await Database.memory();
 * const server = await serve({ db: local, port: 0, metricsPort: false });
 * const transport = new Transport(server.url);
 * import { waitForActive } from "./remote_admin.ts";
 * await local.createTable("users", { partitionKey: { name: "id", type: "S" } });
 * await waitForActive(transport, "users", { pollIntervalMs: 100 });
 * await assert.rejects(waitForActive(transport, "missing"), { code: "RESOURCE_NOT_FOUND" });
 * await server.shutdown();
 * ```
 */
export async function waitForActive(
  transport: Transport,
  name: string,
  options: WaitOptions = {},
): Promise<void> {
  const { pollIntervalMs = 1000, timeoutMs = 600_000 } = options;
  const deadline = Date.now() + timeoutMs;
  for (let pause = 25;; pause = Math.min(pause * 2, pollIntervalMs)) {
    const { Table } = await transport.call("DescribeTable", { TableName: name });
    if (isActive(Table as Wire)) return;
    if (Date.now() + pause > deadline) {
      throw new KstoneError(
        "FAILED",
        `Timed out after ${timeoutMs} ms waiting for table ${name} to become ACTIVE`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/**
 * DescribeTimeToLive as the embedded `describeTimeToLive` reports it (`ENABLING` counts as
 * `ENABLED`, `DISABLING` as `DISABLED`).
 *
 * @param transport The connection.
 * @param name The table's name.
 * @returns `ENABLED` with the attribute, or `DISABLED`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../mod.ts";
 * import { serve } from "../server/serve.ts";
 * import { Transport } from "./transport.ts";
 * const local = await Database.memory();
 * const server = await serve({ db: local, port: 0, metricsPort: false });
 * const transport = new Transport(server.url);
 * import { describeTimeToLive } from "./remote_admin.ts";
 * assert.deepEqual(await describeTimeToLive(transport, ""), { status: "DISABLED" });
 * await server.shutdown();
 * ```
 */
export async function describeTimeToLive(
  transport: Transport,
  name: string,
): Promise<TimeToLiveDescription> {
  const body = await transport.call("DescribeTimeToLive", { TableName: name });
  const ttl = body.TimeToLiveDescription as { TimeToLiveStatus: string; AttributeName?: string };
  const enabled = ttl.TimeToLiveStatus === "ENABLED" || ttl.TimeToLiveStatus === "ENABLING";
  return enabled && ttl.AttributeName !== undefined
    ? { status: "ENABLED", attributeName: ttl.AttributeName }
    : { status: "DISABLED" };
}

/** kstone's TableId carries the keyspace id in its last 12 hex digits. */
const KSTONE_TABLE_ID = /^00000000-0000-4000-8000-([0-9a-f]{12})$/;
/** kstone's shard id carries the stream's keyspace id in its last 8 hex digits. */
const KSTONE_SHARD_ID = /^shardId-00000000000000000001-([0-9a-f]{8})$/;

function idOf(text: unknown, pattern: RegExp): number {
  const match = typeof text === "string" ? pattern.exec(text) : null;
  return match === null ? -1 : parseInt(match[1]!, 16);
}

function keySchemaOf(keys: readonly WireKey[], types: ReadonlyMap<string, KeyType>): KeySchema {
  const [hash, range] = keys.map((key) => ({
    name: key.AttributeName,
    type: types.get(key.AttributeName) ?? "S",
  }));
  return range === undefined ? { partitionKey: hash! } : { partitionKey: hash!, sortKey: range };
}

function indexOf(index: WireIndex, types: ReadonlyMap<string, KeyType>): IndexDescription {
  const projection: { type: Projection["type"]; nonKeyAttributes?: string[] } = {
    type: index.Projection.ProjectionType,
  };
  if (index.Projection.NonKeyAttributes !== undefined) {
    projection.nonKeyAttributes = index.Projection.NonKeyAttributes;
  }
  return {
    name: index.IndexName,
    keySchema: keySchemaOf(index.KeySchema, types),
    projection,
    status: index.IndexStatus ?? "ACTIVE",
    itemCount: Number(index.ItemCount ?? 0),
    sizeBytes: Number(index.IndexSizeBytes ?? 0),
  };
}

/**
 * DescribeTable (with DescribeTimeToLive, and DescribeStream for the stream's view type) as the
 * embedded `describeTable` reports it. `id` and `stream.id` are kstone's keyspace ids, read from
 * kstone's TableId and shard id; `-1` from other servers. `status` is DynamoDB's TableStatus
 * (`CREATING` or `DELETING` may show against DynamoDB).
 *
 * @param transport The connection.
 * @param streams The DynamoDB Streams connection.
 * @param name The table's name.
 * @returns The description.
 * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
 *
 * @example The same description as the embedded database's
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../mod.ts";
 * import { serve } from "../server/serve.ts";
 * import { Transport } from "./transport.ts";
 * const local = await Database.memory();
 * const server = await serve({ db: local, port: 0, metricsPort: false });
 * const transport = new Transport(server.url);
 * import { describeTable } from "./remote_admin.ts";
 * await local.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
 *   stream: { viewType: "KEYS_ONLY" },
 * });
 * const streams = new Transport(server.url, { target: "DynamoDBStreams_20120810" });
 * assert.deepEqual(await describeTable(transport, streams, "users"), await local.describeTable("users"));
 * await server.shutdown();
 * ```
 */
export async function describeTable(
  transport: Transport,
  streams: Transport,
  name: string,
): Promise<TableDescription> {
  const [body, ttl] = await Promise.all([
    transport.call("DescribeTable", { TableName: name }),
    describeTimeToLive(transport, name),
  ]);
  const table = body.Table as Wire & {
    AttributeDefinitions: { AttributeName: string; AttributeType: KeyType }[];
    KeySchema: WireKey[];
  };
  const types = new Map(table.AttributeDefinitions.map((d) => [d.AttributeName, d.AttributeType]));
  const description: { -readonly [K in keyof TableDescription]: TableDescription[K] } = {
    id: idOf(table.TableId, KSTONE_TABLE_ID),
    name,
    keySchema: keySchemaOf(table.KeySchema, types),
    attributeDefinitions: [...types].map(([name, type]) => ({ name, type })),
    status: table.TableStatus as TableDescription["status"],
    createdAt: Math.round(Number(table.CreationDateTime) * 1000),
    itemCount: Number(table.ItemCount ?? 0),
    sizeBytes: Number(table.TableSizeBytes ?? 0),
    localIndexes: ((table.LocalSecondaryIndexes ?? []) as WireIndex[]).map((i) =>
      indexOf(i, types)
    ),
    globalIndexes: ((table.GlobalSecondaryIndexes ?? []) as WireIndex[]).map((i) =>
      indexOf(i, types)
    ),
    ttl,
  };
  if (typeof table.LatestStreamArn === "string") {
    const { StreamDescription } = await streams.call("DescribeStream", {
      StreamArn: table.LatestStreamArn,
      Limit: 1,
    });
    const stream = StreamDescription as { StreamViewType: StreamViewType; Shards: Wire[] };
    const specification = table.StreamSpecification as { StreamEnabled?: boolean } | undefined;
    description.stream = {
      id: idOf(stream.Shards[0]?.ShardId, KSTONE_SHARD_ID),
      enabled: specification?.StreamEnabled === true,
      viewType: stream.StreamViewType,
      label: String(table.LatestStreamLabel),
    };
  }
  return description;
}
