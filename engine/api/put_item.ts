/**
 * PutItem: store a whole item, optionally only when a condition holds.
 *
 * @module
 */
import type { AttributeMap } from "../model/attribute_value.ts";
import { encodePlainItem, encodePlainItemUnderKey } from "../codec/item_codec.ts";
import { locatePlainKey } from "../db/key_schema.ts";
import type { ApiContext } from "./context.ts";
import { hasDerived } from "./_derived.ts";
import { locatePlainItem } from "./_items.ts";
import { executeWrite, planPut } from "./_write.ts";
import {
  checkOnFailure,
  checkReturnValues,
  expressionContext,
  type ExpressionInput,
  optionalCondition,
} from "./_request.ts";

/** A PutItem request, in DynamoDB's shape. */
export interface PutItemInput extends ExpressionInput {
  /** The table. */
  readonly TableName: string;
  /** The item, key attributes included. */
  readonly Item: AttributeMap;
  /** Write only when this holds for the item as it is (a missing item reads as empty). */
  readonly ConditionExpression?: string | undefined;
  /** `NONE` or `ALL_OLD` (the replaced item). @default "NONE" */
  readonly ReturnValues?: string | undefined;
  /** `ALL_OLD` puts the current item on the ConditionalCheckFailedError. @default "NONE" */
  readonly ReturnValuesOnConditionCheckFailure?: string | undefined;
}

/** A PutItem response. */
export interface PutItemOutput {
  /** The replaced item, with `ReturnValues: ALL_OLD` when there was one. */
  Attributes?: AttributeMap;
}

/**
 * Stores an item, replacing any item with the same key. Reading the old item, checking the
 * condition and committing happen in one synchronous step, so the condition is atomic with
 * respect to every other writer. Resolves once the write is durable.
 *
 * @param ctx The database.
 * @param input The request.
 * @returns The old item when asked for.
 * @throws {ConditionalCheckFailedError} CONDITIONAL_CHECK_FAILED when the condition is false.
 * @throws {KstoneError} VALIDATION for a bad key, item, expression or parameter;
 *   RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { putItem } from "./put_item.ts";
 * await using db = await Database.memory();
 * const ctx = db.apiContext();
 * await putItem(ctx, { TableName: "", Item: { pk: { S: "a" }, n: { N: "1" } } });
 * const output = await putItem(ctx, {
 *   TableName: "",
 *   Item: { pk: { S: "a" }, n: { N: "2" } },
 *   ConditionExpression: "n = :one",
 *   ExpressionAttributeValues: { ":one": { N: "1" } },
 *   ReturnValues: "ALL_OLD",
 * });
 * assert.deepEqual(output.Attributes, { pk: { S: "a" }, n: { N: "1" } });
 * ```
 */
export async function putItem(ctx: ApiContext, input: PutItemInput): Promise<PutItemOutput> {
  const table = ctx.table(input.TableName);
  const returnValues = checkReturnValues(input.ReturnValues, false);
  const onFailure = checkOnFailure(input.ReturnValuesOnConditionCheckFailure);
  const expressions = expressionContext(input);
  const condition = optionalCondition(
    input.ConditionExpression,
    expressions,
    "ConditionExpression",
  );
  expressions.assertAllUsed();
  const plan = planPut(table, input.Item, condition);
  const done = executeWrite(ctx, plan, returnValues === "ALL_OLD", onFailure);
  if (ctx.counters !== undefined) ctx.counters.puts++;
  await done.durable;
  return returnValues === "ALL_OLD" && done.old !== undefined ? { Attributes: done.old } : {};
}

/**
 * A PutItem with nothing but the item, straight from plain JS: for a table without indexes,
 * stream or time to live (whose writes need the stored item), the item is encoded in one pass
 * (`encodePlainItem`) and committed. Such a put reads nothing, so this is what
 * {@linkcode putItem} does for it, without the item's AttributeMap.
 *
 * @param ctx The database.
 * @param tableName The table.
 * @param item The item as plain JS.
 * @returns Resolves once the write is durable; `undefined`, writing nothing, when the table has
 *   indexes, a stream or time to live, or the item holds a value only the AttributeMap path
 *   checks (it then takes {@linkcode putItem}, which gives the error).
 * @throws {KstoneError} VALIDATION for a bad key; RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { putPlainItem } from "./put_item.ts";
 * await using db = await Database.memory();
 * await putPlainItem(db.apiContext(), "", { pk: "a", n: 1 });
 * assert.deepEqual(await db.get("a"), { pk: "a", n: 1 });
 * ```
 */
export function putPlainItem(
  ctx: ApiContext,
  tableName: string,
  item: Readonly<Record<string, unknown>>,
): Promise<void> | undefined {
  const table = ctx.table(tableName);
  if (hasDerived(table)) return undefined;
  const value = encodePlainItem(item);
  if (value === undefined) return undefined;
  const { stripe, key } = locatePlainItem(table, item, false);
  const durable = ctx.store.commit([{ stripe, key, value }]);
  if (ctx.counters !== undefined) ctx.counters.puts++;
  return durable;
}

/**
 * {@linkcode putPlainItem} of `{ [partition key]: pk, [sort key]: sk, ...item }` without making
 * that object (see `encodePlainItemUnderKey`): `db.put(key, item)` on the default table.
 *
 * @param ctx The database.
 * @param tableName The table.
 * @param pk The partition key value.
 * @param sk The sort key value, or `undefined` for none.
 * @param item The other attributes; it may repeat the key's.
 * @returns Resolves once the write is durable; `undefined`, writing nothing, whenever
 *   {@linkcode putPlainItem} of the merged item could do otherwise than store it (a table with
 *   indexes, a stream or time to live, a key or value of another shape, `item` holding another
 *   key value): put the merged item then.
 * @throws {KstoneError} RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { putPlainItemUnderKey } from "./put_item.ts";
 * await using db = await Database.memory();
 * await putPlainItemUnderKey(db.apiContext(), "", "a", "b", { n: 1 });
 * assert.deepEqual(await db.get({ pk: "a", sk: "b" }), { pk: "a", sk: "b", n: 1 });
 * assert.equal(putPlainItemUnderKey(db.apiContext(), "", "a", undefined, { sk: "c" }), undefined);
 * ```
 */
export function putPlainItemUnderKey(
  ctx: ApiContext,
  tableName: string,
  pk: string,
  sk: string | undefined,
  item: Readonly<Record<string, unknown>>,
): Promise<void> | undefined {
  const table = ctx.table(tableName);
  const { partitionKey, sortKey } = table.keySchema;
  if (hasDerived(table) || sortKey === undefined) return undefined;
  const value = encodePlainItemUnderKey(partitionKey.name, pk, sortKey.name, sk, item);
  if (value === undefined) return undefined;
  const location = locatePlainKey(table.id, table.keySchema, pk, sk, table.sortKeyOptional);
  if (location === undefined) return undefined;
  const durable = ctx.store.commit([{ stripe: location.stripe, key: location.key, value }]);
  if (ctx.counters !== undefined) ctx.counters.puts++;
  return durable;
}
