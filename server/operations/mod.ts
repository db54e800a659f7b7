/**
 * The operation table: every operation of DynamoDB (API 2012-08-10) and of DynamoDB Streams by
 * name, mapped to its implementation, or to `undefined` while kstone lacks it. The handler
 * answers a name missing from both lists with UnknownOperationException, and a listed name
 * without an implementation with a ValidationException saying kstone does not support it yet.
 * Secondary indexes, TTL, streams and PartiQL plug in here as they land.
 *
 * @module
 */
import { BatchGetItem, BatchWriteItem } from "./batch.ts";
import { DeleteItem, GetItem, PutItem, UpdateItem } from "./items.ts";
import type { Operation } from "./operation.ts";
import { Query, Scan } from "./reads.ts";
import { DescribeStream, GetRecords, GetShardIterator, ListStreams } from "./streams.ts";
import {
  CreateTable,
  DeleteTable,
  DescribeEndpoints,
  DescribeLimits,
  DescribeTable,
  DescribeTimeToLive,
  ListTables,
  UpdateTable,
  UpdateTimeToLive,
} from "./tables.ts";
import { TransactGetItems, TransactWriteItems } from "./transactions.ts";

export type { Operation, OperationContext } from "./operation.ts";

/** The operations of DynamoDB, API version 2012-08-10. */
export const DYNAMODB_OPERATION_NAMES = [
  "BatchExecuteStatement",
  "BatchGetItem",
  "BatchWriteItem",
  "CreateBackup",
  "CreateGlobalTable",
  "CreateTable",
  "DeleteBackup",
  "DeleteItem",
  "DeleteResourcePolicy",
  "DeleteTable",
  "DescribeBackup",
  "DescribeContinuousBackups",
  "DescribeContributorInsights",
  "DescribeEndpoints",
  "DescribeExport",
  "DescribeGlobalTable",
  "DescribeGlobalTableSettings",
  "DescribeImport",
  "DescribeKinesisStreamingDestination",
  "DescribeLimits",
  "DescribeTable",
  "DescribeTableReplicaAutoScaling",
  "DescribeTimeToLive",
  "DisableKinesisStreamingDestination",
  "EnableKinesisStreamingDestination",
  "ExecuteStatement",
  "ExecuteTransaction",
  "ExportTableToPointInTime",
  "GetItem",
  "GetResourcePolicy",
  "ImportTable",
  "ListBackups",
  "ListContributorInsights",
  "ListExports",
  "ListGlobalTables",
  "ListImports",
  "ListTables",
  "ListTagsOfResource",
  "PutItem",
  "PutResourcePolicy",
  "Query",
  "RestoreTableFromBackup",
  "RestoreTableToPointInTime",
  "Scan",
  "TagResource",
  "TransactGetItems",
  "TransactWriteItems",
  "UntagResource",
  "UpdateContinuousBackups",
  "UpdateContributorInsights",
  "UpdateGlobalTable",
  "UpdateGlobalTableSettings",
  "UpdateItem",
  "UpdateKinesisStreamingDestination",
  "UpdateTable",
  "UpdateTableReplicaAutoScaling",
  "UpdateTimeToLive",
] as const;

/** The operations of DynamoDB Streams, API version 2012-08-10. */
export const STREAMS_OPERATION_NAMES = [
  "DescribeStream",
  "GetRecords",
  "GetShardIterator",
  "ListStreams",
] as const;

/** A DynamoDB operation name. */
export type DynamoDbOperationName = (typeof DYNAMODB_OPERATION_NAMES)[number];
/** A DynamoDB Streams operation name. */
export type StreamsOperationName = (typeof STREAMS_OPERATION_NAMES)[number];

const IMPLEMENTED: Partial<Record<DynamoDbOperationName, Operation>> = {
  BatchGetItem,
  BatchWriteItem,
  CreateTable,
  DeleteItem,
  DeleteTable,
  DescribeEndpoints,
  DescribeLimits,
  DescribeTable,
  DescribeTimeToLive,
  GetItem,
  ListTables,
  PutItem,
  Query,
  Scan,
  TransactGetItems,
  TransactWriteItems,
  UpdateItem,
  UpdateTable,
  UpdateTimeToLive,
};

/**
 * Every DynamoDB operation, with its implementation or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DYNAMODB_OPERATIONS } from "./mod.ts";
 * assert.notEqual(DYNAMODB_OPERATIONS.PutItem, undefined);
 * assert.equal(DYNAMODB_OPERATIONS.CreateBackup, undefined);
 * ```
 */
export const DYNAMODB_OPERATIONS: Readonly<Record<DynamoDbOperationName, Operation | undefined>> =
  Object.fromEntries(DYNAMODB_OPERATION_NAMES.map((name) => [name, IMPLEMENTED[name]])) as Record<
    DynamoDbOperationName,
    Operation | undefined
  >;

/** Every DynamoDB Streams operation. */
export const STREAMS_OPERATIONS: Readonly<Record<StreamsOperationName, Operation | undefined>> = {
  DescribeStream,
  GetRecords,
  GetShardIterator,
  ListStreams,
};
