/**
 * DynamoDB's TableDescription of a kstone table: keys, status, item count and size, secondary
 * indexes with their ARNs, status, counts and projections, and the latest stream.
 *
 * Every table reports `PAY_PER_REQUEST` and zero provisioned throughput. kstone's default table
 * (`pk`, `sk`) is reachable under the empty name `""`.
 *
 * @module
 */
import type { IndexDescription } from "../../engine/db/admin_options.ts";
import type { Projection } from "../../engine/db/catalog.ts";
import type { KeyAttribute, KeySchema } from "../../engine/db/key_schema.ts";
import { streamArn } from "../../engine/stream/shard_iterator.ts";
import type { OperationContext } from "./operation.ts";

const ZERO_THROUGHPUT = {
  NumberOfDecreasesToday: 0,
  ReadCapacityUnits: 0,
  WriteCapacityUnits: 0,
};

/**
 * The ARN of a table.
 *
 * @param region The region reported.
 * @param name The table's name.
 * @returns `arn:aws:dynamodb:<region>:000000000000:table/<name>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tableArn } from "./_table_description.ts";
 * assert.equal(tableArn("us-east-1", "users"), "arn:aws:dynamodb:us-east-1:000000000000:table/users");
 * ```
 */
export function tableArn(region: string, name: string): string {
  return `arn:aws:dynamodb:${region}:000000000000:table/${name}`;
}

/**
 * A key schema on the wire.
 *
 * @param schema The key.
 * @returns `[{ AttributeName, KeyType: "HASH" }, { AttributeName, KeyType: "RANGE" }?]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wireKeySchema } from "./_table_description.ts";
 * assert.deepEqual(wireKeySchema({ partitionKey: { name: "id", type: "S" } }), [
 *   { AttributeName: "id", KeyType: "HASH" },
 * ]);
 * ```
 */
export function wireKeySchema(schema: KeySchema): { AttributeName: string; KeyType: string }[] {
  const keys: KeyAttribute[] = schema.sortKey === undefined
    ? [schema.partitionKey]
    : [schema.partitionKey, schema.sortKey];
  return keys.map((key, i) => ({ AttributeName: key.name, KeyType: i === 0 ? "HASH" : "RANGE" }));
}

function wireProjection(projection: Projection): Record<string, unknown> {
  return projection.nonKeyAttributes === undefined
    ? { ProjectionType: projection.type }
    : { ProjectionType: projection.type, NonKeyAttributes: [...projection.nonKeyAttributes] };
}

function wireIndex(
  arn: string,
  index: IndexDescription,
  global: boolean,
): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    IndexName: index.name,
    KeySchema: wireKeySchema(index.keySchema),
    Projection: wireProjection(index.projection),
  };
  if (global) {
    wire.IndexStatus = index.status;
    if (index.status === "CREATING") wire.Backfilling = true;
    wire.ProvisionedThroughput = ZERO_THROUGHPUT;
  }
  wire.IndexSizeBytes = index.sizeBytes;
  wire.ItemCount = index.itemCount;
  wire.IndexArn = `${arn}/index/${index.name}`;
  return wire;
}

/**
 * DynamoDB's TableDescription of a table.
 *
 * @param ctx The database.
 * @param name The table's name (`""` is the default table).
 * @param status The status to report instead of the table's (`DELETING`, `UPDATING`).
 * @returns The description.
 * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
 */
export async function describe(
  ctx: OperationContext,
  name: string,
  status?: "DELETING" | "UPDATING",
): Promise<Record<string, unknown>> {
  const table = await ctx.db.describeTable(name);
  const created = table.createdAt / 1000;
  const arn = tableArn(ctx.region, name);
  const description: Record<string, unknown> = {
    AttributeDefinitions: table.attributeDefinitions.map((key) => ({
      AttributeName: key.name,
      AttributeType: key.type,
    })),
    TableName: name,
    KeySchema: wireKeySchema(table.keySchema),
    TableStatus: status ?? table.status,
    CreationDateTime: created,
    ProvisionedThroughput: ZERO_THROUGHPUT,
    TableSizeBytes: table.sizeBytes,
    ItemCount: table.itemCount,
    TableArn: arn,
    TableId: `00000000-0000-4000-8000-${table.id.toString(16).padStart(12, "0")}`,
    BillingModeSummary: {
      BillingMode: "PAY_PER_REQUEST",
      LastUpdateToPayPerRequestDateTime: created,
    },
  };
  if (table.localIndexes.length > 0) {
    description.LocalSecondaryIndexes = table.localIndexes.map((i) => wireIndex(arn, i, false));
  }
  if (table.globalIndexes.length > 0) {
    description.GlobalSecondaryIndexes = table.globalIndexes.map((i) => wireIndex(arn, i, true));
  }
  const stream = table.stream;
  if (stream !== undefined) {
    if (stream.enabled) {
      description.StreamSpecification = { StreamEnabled: true, StreamViewType: stream.viewType };
    }
    description.LatestStreamLabel = stream.label;
    description.LatestStreamArn = streamArn(ctx.region, name, stream.label);
  }
  description.DeletionProtectionEnabled = false;
  return description;
}
