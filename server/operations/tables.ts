/**
 * Table operations over the database's catalog: CreateTable, DescribeTable, ListTables,
 * DeleteTable, and the descriptive DescribeTimeToLive, DescribeLimits and DescribeEndpoints.
 *
 * Tables are ACTIVE as soon as CreateTable returns. Every table reports `PAY_PER_REQUEST` and
 * zero provisioned throughput, and `ItemCount`/`TableSizeBytes` of 0 (DynamoDB itself only
 * refreshes them every six hours; kstone does not count). kstone's default table (`pk`, `sk`)
 * is reachable under the empty name `""`.
 *
 * @module
 */
import { decodeItem } from "../../engine/codec/item_codec.ts";
import { catalogLocation, DEFAULT_TABLE_ID } from "../../engine/db/catalog.ts";
import type { KeyAttribute, KeySchema } from "../../engine/db/key_schema.ts";
import type { KeyType } from "../../engine/model/attribute_value.ts";
import { notSupported, validationError } from "../protocol.ts";
import { ENUMS, s } from "../shapes.ts";
import { defineOperation, type OperationContext } from "./operation.ts";

const INVALID = "One or more parameter values were invalid: ";

interface KeySchemaElement {
  AttributeName: string;
  KeyType: "HASH" | "RANGE";
}
interface AttributeDefinition {
  AttributeName: string;
  AttributeType: KeyType;
}

/**
 * DynamoDB's TableDescription of a table.
 *
 * @param ctx The database.
 * @param name The table's name (`""` is the default table).
 * @param status The status to report.
 * @returns The description.
 * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
 */
export function describe(
  ctx: OperationContext,
  name: string,
  status: "ACTIVE" | "DELETING" = "ACTIVE",
): Record<string, unknown> {
  const table = ctx.api.table(name);
  const { partitionKey, sortKey } = table.keySchema;
  const keys: KeyAttribute[] = sortKey === undefined ? [partitionKey] : [partitionKey, sortKey];
  const created = createdAt(ctx, table.id) / 1000;
  return {
    AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
    TableName: name,
    KeySchema: keys.map((key, i) => ({
      AttributeName: key.name,
      KeyType: i === 0 ? "HASH" : "RANGE",
    })),
    TableStatus: status,
    CreationDateTime: created,
    ProvisionedThroughput: {
      NumberOfDecreasesToday: 0,
      ReadCapacityUnits: 0,
      WriteCapacityUnits: 0,
    },
    TableSizeBytes: 0,
    ItemCount: 0,
    TableArn: `arn:aws:dynamodb:${ctx.region}:000000000000:table/${name}`,
    TableId: `00000000-0000-4000-8000-${table.id.toString(16).padStart(12, "0")}`,
    BillingModeSummary: {
      BillingMode: "PAY_PER_REQUEST",
      LastUpdateToPayPerRequestDateTime: created,
    },
    DeletionProtectionEnabled: false,
  };
}

function createdAt(ctx: OperationContext, id: number): number {
  if (id === DEFAULT_TABLE_ID) return 0;
  const { stripe, key } = catalogLocation(id);
  const bytes = ctx.api.store.get(stripe, key);
  const value = bytes === undefined ? undefined : decodeItem(bytes).createdAt;
  return value !== undefined && "N" in value ? Number(value.N) : 0;
}

const KEY_SCHEMA = s.list(
  s.struct("KeySchemaElement", {
    AttributeName: { shape: s.string({ minLength: 1, maxLength: 255 }), notNull: true },
    KeyType: { shape: s.string({ enum: ["HASH", "RANGE"] }), notNull: true },
  }),
  1,
  2,
);
const ATTRIBUTE_DEFINITIONS = s.list(
  s.struct("AttributeDefinition", {
    AttributeName: { shape: s.string({ minLength: 1, maxLength: 255 }), notNull: true },
    AttributeType: { shape: s.string({ enum: ["B", "N", "S"] }), notNull: true },
  }),
);
const THROUGHPUT = s.struct("ProvisionedThroughput", {
  ReadCapacityUnits: { shape: s.integer(1), notNull: true },
  WriteCapacityUnits: { shape: s.integer(1), notNull: true },
});

interface CreateTableInput {
  TableName: string;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  BillingMode?: string;
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  LocalSecondaryIndexes?: unknown[];
  GlobalSecondaryIndexes?: unknown[];
  StreamSpecification?: { StreamEnabled?: boolean };
  SSESpecification?: { Enabled?: boolean };
  Tags?: unknown[];
  DeletionProtectionEnabled?: boolean;
  ResourcePolicy?: string;
}

function rejectUnsupported(input: CreateTableInput): void {
  if ((input.LocalSecondaryIndexes?.length ?? 0) > 0) {
    throw notSupported("LocalSecondaryIndexes", "secondary indexes arrive with issue 4");
  }
  if ((input.GlobalSecondaryIndexes?.length ?? 0) > 0) {
    throw notSupported("GlobalSecondaryIndexes", "secondary indexes arrive with issue 4");
  }
  if (input.StreamSpecification?.StreamEnabled === true) {
    throw notSupported("StreamSpecification", "streams arrive with issue 4");
  }
  if (input.SSESpecification?.Enabled === true) throw notSupported("SSESpecification");
  if ((input.Tags?.length ?? 0) > 0) throw notSupported("Tags");
  if (input.DeletionProtectionEnabled === true) throw notSupported("DeletionProtectionEnabled");
  if (input.ResourcePolicy !== undefined) throw notSupported("ResourcePolicy");
}

/** DynamoDB's checks of a CreateTable request beyond its shape. */
function keySchemaOf(input: CreateTableInput): KeySchema {
  const throughput = input.ProvisionedThroughput;
  if (input.BillingMode === "PAY_PER_REQUEST") {
    if (throughput !== undefined) {
      throw validationError(
        `${INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST`,
      );
    }
  } else if (throughput === undefined) {
    throw validationError(
      `${INVALID}ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED`,
    );
  }
  const definitions = new Map(
    input.AttributeDefinitions.map((d) => [d.AttributeName, d.AttributeType]),
  );
  const names = input.KeySchema.map((key) => key.AttributeName);
  if (names.length > definitions.size) {
    throw validationError("Invalid KeySchema: Some index key attribute have no definition");
  }
  if (names.some((name) => !definitions.has(name))) {
    throw validationError(
      `${INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [${
        names.join(", ")
      }], AttributeDefinitions: [${[...definitions.keys()].join(", ")}]`,
    );
  }
  if (names[0] === names[1]) {
    throw validationError(
      "Both the Hash Key and the Range Key element in the KeySchema have the same name",
    );
  }
  if (input.KeySchema[0]!.KeyType !== "HASH") {
    throw validationError("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  if (input.KeySchema[1] !== undefined && input.KeySchema[1].KeyType !== "RANGE") {
    throw validationError("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  }
  if (names.length !== input.AttributeDefinitions.length) {
    throw validationError(
      `${INVALID}Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions`,
    );
  }
  const attribute = (name: string): KeyAttribute => ({ name, type: definitions.get(name)! });
  return names[1] === undefined
    ? { partitionKey: attribute(names[0]!) }
    : { partitionKey: attribute(names[0]!), sortKey: attribute(names[1]) };
}

/** CreateTable: a table with a partition key and an optional sort key of type S, N or B. */
export const CreateTable = defineOperation<CreateTableInput>(
  s.struct("CreateTableInput", {
    AttributeDefinitions: { shape: ATTRIBUTE_DEFINITIONS, notNull: true },
    TableName: { shape: s.string(), required: true, tableName: true },
    KeySchema: { shape: KEY_SCHEMA, notNull: true },
    LocalSecondaryIndexes: s.list(s.any),
    GlobalSecondaryIndexes: s.list(s.any),
    BillingMode: s.string({ enum: ["PROVISIONED", "PAY_PER_REQUEST"] }),
    ProvisionedThroughput: THROUGHPUT,
    StreamSpecification: s.struct("StreamSpecification", {
      StreamEnabled: { shape: s.boolean, notNull: true },
      StreamViewType: s.string({
        enum: ["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"],
      }),
    }),
    SSESpecification: s.any,
    Tags: s.list(s.any),
    TableClass: s.string({ enum: ["STANDARD", "STANDARD_INFREQUENT_ACCESS"] }),
    DeletionProtectionEnabled: s.boolean,
    ResourcePolicy: s.string(),
    OnDemandThroughput: s.any,
    WarmThroughput: s.any,
  }),
  async (ctx, input) => {
    rejectUnsupported(input);
    await ctx.db.createTable(input.TableName, keySchemaOf(input));
    return { TableDescription: describe(ctx, input.TableName) };
  },
);

/** DescribeTable: the table's key schema, status and creation time. */
export const DescribeTable = defineOperation<{ TableName: string }>(
  s.struct("DescribeTableInput", {
    TableName: { shape: s.string(), required: true, tableName: true },
  }),
  (ctx, input) => ({ Table: describe(ctx, input.TableName) }),
);

/** ListTables: the names of the tables, sorted, in pages of up to 100. */
export const ListTables = defineOperation<{ ExclusiveStartTableName?: string; Limit?: number }>(
  s.struct("ListTablesInput", {
    ExclusiveStartTableName: s.string({ minLength: 3, maxLength: 255, pattern: "[a-zA-Z0-9_.-]+" }),
    Limit: s.integer(1, 100),
  }),
  ({ db }, input) => {
    const start = input.ExclusiveStartTableName;
    const names = db.listTables().filter((name) => start === undefined || name > start);
    const limit = input.Limit ?? 100;
    const page = names.slice(0, limit);
    return names.length > limit
      ? { TableNames: page, LastEvaluatedTableName: page[page.length - 1] }
      : { TableNames: page };
  },
);

/** DeleteTable: drops a table and its items. */
export const DeleteTable = defineOperation<{ TableName: string }>(
  s.struct("DeleteTableInput", {
    TableName: { shape: s.string(), required: true, tableName: true },
  }),
  async (ctx, input) => {
    if (input.TableName === "") throw validationError("The default table cannot be deleted");
    const description = describe(ctx, input.TableName, "DELETING");
    await ctx.db.deleteTable(input.TableName);
    return { TableDescription: description };
  },
);

/** DescribeTimeToLive: TTL is not implemented yet, so it is DISABLED on every table. */
export const DescribeTimeToLive = defineOperation<{ TableName: string }>(
  s.struct("DescribeTimeToLiveInput", { TableName: ENUMS.tableName }),
  (ctx, input) => {
    ctx.api.table(input.TableName);
    return { TimeToLiveDescription: { TimeToLiveStatus: "DISABLED" } };
  },
);

/** DescribeLimits: DynamoDB's default account and table quotas (kstone enforces none). */
export const DescribeLimits = defineOperation<Record<string, never>>(
  s.struct("DescribeLimitsInput", {}),
  () => ({
    AccountMaxReadCapacityUnits: 80000,
    AccountMaxWriteCapacityUnits: 80000,
    TableMaxReadCapacityUnits: 40000,
    TableMaxWriteCapacityUnits: 40000,
  }),
);

/** DescribeEndpoints: this server, for SDKs with endpoint discovery on. */
export const DescribeEndpoints = defineOperation<Record<string, never>>(
  s.struct("DescribeEndpointsRequest", {}),
  (ctx) => ({ Endpoints: [{ Address: ctx.host, CachePeriodInMinutes: 1440 }] }),
);
