/**
 * The DynamoDB operations, over AttributeValues and in DynamoDB's request and response shapes
 * (PascalCase members such as `TableName`, `ConditionExpression`). `Table` and `Database` wrap
 * them with plain JS values; the server maps DynamoDB JSON requests onto them directly.
 *
 * Every operation takes an {@linkcode ApiContext} (`db.apiContext()`), in which the default
 * table is named `""`. Writes resolve once durable. Reading, checking conditions and
 * committing happen in one synchronous step, so conditional writes and transactions are
 * atomic with respect to every other writer, and every page, batch get and transaction get
 * is a consistent view.
 *
 * @example A conditional put, then a query
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { putItem, query } from "./mod.ts";
 * await using db = await Database.memory();
 * const ctx = db.apiContext();
 * const item = { pk: { S: "user#1" }, sk: { S: "profile" } };
 * await putItem(ctx, { TableName: "", Item: item, ConditionExpression: "attribute_not_exists(pk)" });
 * await assert.rejects(
 *   putItem(ctx, { TableName: "", Item: item, ConditionExpression: "attribute_not_exists(pk)" }),
 *   { code: "CONDITIONAL_CHECK_FAILED" },
 * );
 * const page = await query(ctx, {
 *   TableName: "",
 *   KeyConditionExpression: "pk = :pk",
 *   ExpressionAttributeValues: { ":pk": { S: "user#1" } },
 * });
 * assert.deepEqual(page.Items, [item]);
 * ```
 *
 * @module
 */
export type { ApiContext, ApiCounters, ApiTable } from "./context.ts";
export {
  type CancellationCode,
  type CancellationReason,
  CONDITIONAL_REQUEST_FAILED,
  ConditionalCheckFailedError,
  TransactionCanceledError,
  type WireCancellationReason,
} from "./errors.ts";
export type {
  ExpressionInput,
  ReturnValue,
  ReturnValuesOnConditionCheckFailure,
  Select,
} from "./_request.ts";
export type { PageInput, PageOutput } from "./_page.ts";
export { putItem, type PutItemInput, type PutItemOutput } from "./put_item.ts";
export { getItem, type GetItemInput, type GetItemOutput, getItemSync } from "./get_item.ts";
export { updateItem, type UpdateItemInput, type UpdateItemOutput } from "./update_item.ts";
export { deleteItem, type DeleteItemInput, type DeleteItemOutput } from "./delete_item.ts";
export {
  planQuery,
  query,
  type QueryInput,
  type QueryOutput,
  queryPage,
  type QueryPlan,
} from "./query.ts";
export {
  MAX_SCAN_SEGMENTS,
  planScan,
  scan,
  type ScanInput,
  type ScanOutput,
  scanPage,
  type ScanPlan,
} from "./scan.ts";
export {
  batchGetItem,
  type BatchGetItemInput,
  type BatchGetItemOutput,
  type KeysAndAttributes,
} from "./batch_get_item.ts";
export {
  batchWriteItem,
  type BatchWriteItemInput,
  type BatchWriteItemOutput,
  type WriteRequest,
} from "./batch_write_item.ts";
export {
  type TransactConditionCheckInput,
  type TransactDeleteInput,
  type TransactPutInput,
  type TransactUpdateInput,
  type TransactWriteItem,
  transactWriteItems,
  type TransactWriteItemsInput,
  type TransactWriteItemsOutput,
} from "./transact_write_items.ts";
export {
  type TransactGetItem,
  transactGetItems,
  type TransactGetItemsInput,
  type TransactGetItemsOutput,
} from "./transact_get_items.ts";
