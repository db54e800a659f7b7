/**
 * Table operations over the database's catalog: CreateTable (with local and global secondary
 * indexes and a stream), DescribeTable, ListTables, UpdateTable (a global secondary index
 * created or deleted, the stream enabled or disabled), DeleteTable, UpdateTimeToLive,
 * DescribeTimeToLive, and the descriptive DescribeLimits and DescribeEndpoints.
 *
 * Tables are ACTIVE as soon as CreateTable returns; a global secondary index added by
 * UpdateTable is CREATING (the table UPDATING) while the items already there are indexed.
 * `ItemCount`, `TableSizeBytes` and their index counterparts are exact (DynamoDB refreshes
 * them every six hours). kstone's default table (`pk`, `sk`) is reachable under the name `""`.
 *
 * @module
 */
import type { CreateTableOptions, GlobalIndexUpdate } from "../../engine/db/admin_options.ts";
import type { KeySchema } from "../../engine/db/key_schema.ts";
import { notSupported, validationError } from "../protocol.ts";
import { ENUMS, s } from "../shapes.ts";
import { defineOperation } from "./operation.ts";
import { describe } from "./_table_description.ts";
import {
  ATTRIBUTE_DEFINITIONS,
  type AttributeDefinition,
  checkAllUsed,
  definedTypes,
  globalIndexOf,
  INDEX,
  KEY_SCHEMA,
  type KeySchemaElement,
  keySchemaOf,
  localIndexOf,
  STREAM_SPECIFICATION,
  type StreamSpecification,
  THROUGHPUT,
  type WireIndex,
} from "./_table_input.ts";

const INVALID = "One or more parameter values were invalid: ";

interface CreateTableInput {
  TableName: string;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  BillingMode?: string;
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  LocalSecondaryIndexes?: WireIndex[];
  GlobalSecondaryIndexes?: WireIndex[];
  StreamSpecification?: StreamSpecification;
  SSESpecification?: { Enabled?: boolean };
  Tags?: unknown[];
  DeletionProtectionEnabled?: boolean;
  ResourcePolicy?: string;
}

function rejectUnsupported(input: CreateTableInput): void {
  if (input.SSESpecification?.Enabled === true) throw notSupported("SSESpecification");
  if ((input.Tags?.length ?? 0) > 0) throw notSupported("Tags");
  if (input.DeletionProtectionEnabled === true) throw notSupported("DeletionProtectionEnabled");
  if (input.ResourcePolicy !== undefined) throw notSupported("ResourcePolicy");
}

function checkBilling(input: CreateTableInput): void {
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
}

/** DynamoDB's checks of a CreateTable request beyond its shape, and the engine's arguments. */
function createArguments(input: CreateTableInput): [KeySchema, CreateTableOptions] {
  checkBilling(input);
  const types = definedTypes(input.AttributeDefinitions);
  if (input.KeySchema.length > types.size) {
    throw validationError("Invalid KeySchema: Some index key attribute have no definition");
  }
  const keySchema = keySchemaOf(input.KeySchema, types);
  const locals = input.LocalSecondaryIndexes;
  const globals = input.GlobalSecondaryIndexes;
  for (const [list, name] of [[locals, "Local"], [globals, "Global"]] as const) {
    if (list !== undefined && list.length === 0) {
      throw validationError(`${INVALID}List of ${name}SecondaryIndexes is empty`);
    }
  }
  const options: {
    -readonly [K in keyof CreateTableOptions]: CreateTableOptions[K];
  } = {};
  if (locals !== undefined) {
    options.localIndexes = locals.map((index) => localIndexOf(index, keySchema, types));
  }
  if (globals !== undefined) {
    options.globalIndexes = globals.map((index) => globalIndexOf(index, types));
  }
  const used = [
    ...input.KeySchema,
    ...[...locals ?? [], ...globals ?? []].flatMap((index) => index.KeySchema),
  ]
    .map((key) => key.AttributeName);
  if (locals === undefined && globals === undefined) {
    if (input.KeySchema.length !== input.AttributeDefinitions.length) {
      throw validationError(
        `${INVALID}Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions`,
      );
    }
  } else checkAllUsed(types, used);
  const stream = input.StreamSpecification;
  if (stream !== undefined) {
    if (stream.StreamEnabled && stream.StreamViewType === undefined) {
      throw validationError(
        `${INVALID}Table is being created with a stream enabled, UpdateViewType is required`,
      );
    }
    if (!stream.StreamEnabled && stream.StreamViewType !== undefined) {
      throw validationError(
        `${INVALID}Table is being created with a stream disabled, UpdateViewType should not be specified`,
      );
    }
    if (stream.StreamViewType !== undefined) options.stream = { viewType: stream.StreamViewType };
  }
  return [keySchema, options];
}

/** CreateTable: a table with a partition key and an optional sort key of type S, N or B. */
export const CreateTable = defineOperation<CreateTableInput>(
  s.struct("CreateTableInput", {
    AttributeDefinitions: { shape: ATTRIBUTE_DEFINITIONS, notNull: true },
    TableName: { shape: s.string(), required: true, tableName: true },
    KeySchema: { shape: KEY_SCHEMA, notNull: true },
    LocalSecondaryIndexes: s.list(INDEX),
    GlobalSecondaryIndexes: s.list(INDEX),
    BillingMode: s.string({ enum: ["PROVISIONED", "PAY_PER_REQUEST"] }),
    ProvisionedThroughput: THROUGHPUT,
    StreamSpecification: STREAM_SPECIFICATION,
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
    const [keySchema, options] = createArguments(input);
    await ctx.db.createTable(input.TableName, keySchema, options);
    return { TableDescription: await describe(ctx, input.TableName) };
  },
);

/** DescribeTable: keys, status, counts, indexes and the latest stream. */
export const DescribeTable = defineOperation<{ TableName: string }>(
  s.struct("DescribeTableInput", {
    TableName: { shape: s.string(), required: true, tableName: true },
  }),
  async (ctx, input) => ({ Table: await describe(ctx, input.TableName) }),
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

interface UpdateTableInput {
  TableName: string;
  AttributeDefinitions?: AttributeDefinition[];
  GlobalSecondaryIndexUpdates?: {
    Create?: WireIndex;
    Delete?: { IndexName: string };
    Update?: { IndexName: string };
  }[];
  StreamSpecification?: StreamSpecification;
  BillingMode?: string;
  ProvisionedThroughput?: unknown;
  [other: string]: unknown;
}

const UPDATE_MEMBERS = [
  "ProvisionedThroughput",
  "BillingMode",
  "StreamSpecification",
  "GlobalSecondaryIndexUpdates",
  "SSESpecification",
  "ReplicaUpdates",
  "DeletionProtectionEnabled",
  "OnDemandThroughput",
  "WarmThroughput",
  "TableClass",
  "MultiRegionConsistency",
];

/** The GlobalSecondaryIndexUpdates of an UpdateTable, as the engine takes them. */
function indexUpdates(input: UpdateTableInput): GlobalIndexUpdate[] {
  const types = definedTypes(input.AttributeDefinitions ?? []);
  const updates: GlobalIndexUpdate[] = [];
  for (const update of input.GlobalSecondaryIndexUpdates!) {
    const actions = [update.Create, update.Delete, update.Update].filter((a) => a !== undefined);
    if (actions.length === 0) {
      throw validationError(
        `${INVALID}One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null`,
      );
    }
    if (actions.length > 1) {
      throw validationError(
        `${INVALID}Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object`,
      );
    }
    if (update.Update !== undefined) throw notSupported("GlobalSecondaryIndexUpdates Update");
    if (update.Delete !== undefined) updates.push({ delete: update.Delete.IndexName });
    if (update.Create !== undefined) {
      if (input.AttributeDefinitions === undefined) {
        throw validationError(
          `${INVALID}AttributeDefinitions is not specified for index: ${update.Create.IndexName}`,
        );
      }
      updates.push({ create: globalIndexOf(update.Create, types) });
    }
  }
  return updates;
}

/**
 * UpdateTable: creates (backfilled online) or deletes a global secondary index, or enables or
 * disables the stream. Throughput and billing changes are accepted and change nothing.
 */
export const UpdateTable = defineOperation<UpdateTableInput>(
  s.struct("UpdateTableInput", {
    TableName: { shape: s.string(), required: true, tableName: true },
    AttributeDefinitions: ATTRIBUTE_DEFINITIONS,
    GlobalSecondaryIndexUpdates: s.list(
      s.struct("GlobalSecondaryIndexUpdate", {
        Create: INDEX,
        Delete: s.struct("DeleteGlobalSecondaryIndexAction", {
          IndexName: { shape: s.string({ minLength: 3, maxLength: 255 }), notNull: true },
        }),
        Update: s.any,
      }),
    ),
    StreamSpecification: STREAM_SPECIFICATION,
    BillingMode: s.string({ enum: ["PROVISIONED", "PAY_PER_REQUEST"] }),
    ProvisionedThroughput: THROUGHPUT,
    SSESpecification: s.any,
    ReplicaUpdates: s.any,
    DeletionProtectionEnabled: s.boolean,
    OnDemandThroughput: s.any,
    WarmThroughput: s.any,
    TableClass: s.string({ enum: ["STANDARD", "STANDARD_INFREQUENT_ACCESS"] }),
    MultiRegionConsistency: s.any,
  }),
  async (ctx, input) => {
    if (UPDATE_MEMBERS.every((member) => input[member] === undefined)) {
      throw validationError(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required",
      );
    }
    if (input.SSESpecification !== undefined) throw notSupported("SSESpecification");
    if (input.ReplicaUpdates !== undefined) throw notSupported("ReplicaUpdates");
    if (input.DeletionProtectionEnabled === true) throw notSupported("DeletionProtectionEnabled");
    const stream = input.StreamSpecification;
    const updates = input.GlobalSecondaryIndexUpdates;
    if (updates !== undefined && updates.length === 0) {
      throw validationError(`${INVALID}List of GlobalSecondaryIndexUpdates is empty`);
    }
    if (updates !== undefined && stream !== undefined) {
      throw validationError(
        `${INVALID}You cannot create or delete index while changing stream status`,
      );
    }
    if (stream !== undefined) {
      if (stream.StreamEnabled && stream.StreamViewType === undefined) {
        throw validationError(
          `${INVALID}If stream is being enabled then UpdateViewType is required`,
        );
      }
      if (!stream.StreamEnabled && stream.StreamViewType !== undefined) {
        throw validationError(
          `${INVALID}If stream is being disabled, then UpdateViewType must not be specified`,
        );
      }
      await ctx.db.updateTable(input.TableName, {
        stream: stream.StreamEnabled
          ? { enabled: true, viewType: stream.StreamViewType! }
          : { enabled: false },
      });
    } else if (updates !== undefined) {
      await ctx.db.updateTable(input.TableName, { globalIndexUpdates: indexUpdates(input) });
    } else {
      return { TableDescription: await describe(ctx, input.TableName) };
    }
    return { TableDescription: await describe(ctx, input.TableName, "UPDATING") };
  },
);

/** DeleteTable: drops a table and its items. */
export const DeleteTable = defineOperation<{ TableName: string }>(
  s.struct("DeleteTableInput", {
    TableName: { shape: s.string(), required: true, tableName: true },
  }),
  async (ctx, input) => {
    if (input.TableName === "") throw validationError("The default table cannot be deleted");
    const description = await describe(ctx, input.TableName, "DELETING");
    await ctx.db.deleteTable(input.TableName);
    return { TableDescription: description };
  },
);

/** DescribeTimeToLive: the table's TTL status and attribute. */
export const DescribeTimeToLive = defineOperation<{ TableName: string }>(
  s.struct("DescribeTimeToLiveInput", { TableName: ENUMS.tableName }),
  ({ db }, input) => {
    const ttl = db.describeTimeToLive(input.TableName);
    return {
      TimeToLiveDescription: ttl.attributeName === undefined
        ? { TimeToLiveStatus: ttl.status }
        : { TimeToLiveStatus: ttl.status, AttributeName: ttl.attributeName },
    };
  },
);

/** UpdateTimeToLive: enables or disables expiry on an attribute. */
export const UpdateTimeToLive = defineOperation<{
  TableName: string;
  TimeToLiveSpecification: { Enabled: boolean; AttributeName: string };
}>(
  s.struct("UpdateTimeToLiveInput", {
    TableName: ENUMS.tableName,
    TimeToLiveSpecification: {
      shape: s.struct("TimeToLiveSpecification", {
        Enabled: { shape: s.boolean, notNull: true },
        AttributeName: { shape: s.string({ minLength: 1, maxLength: 255 }), notNull: true },
      }),
      notNull: true,
    },
  }),
  async ({ db }, input) => {
    const { Enabled, AttributeName } = input.TimeToLiveSpecification;
    await db.updateTimeToLive(input.TableName, { attributeName: AttributeName, enabled: Enabled });
    return { TimeToLiveSpecification: { Enabled, AttributeName } };
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
