/**
 * Query: the items of one partition, narrowed by a sort key condition, in sort key order.
 * A partition lives in one stripe, so a page is one range read of that stripe. With
 * `IndexName`, the partition and sort key are the index's and the page reads the index's
 * entries (see docs/format/index_entries.md and `engine/index/read.ts`).
 *
 * @module
 */
import { compareBytes, startsWith } from "../codec/bytes.ts";
import {
  encodeKey,
  partitionPrefix,
  prefixEnd,
  sortKeyPrefix,
  stripeOf,
  validateKeyValue,
} from "../codec/key_codec.ts";
import type { IndexDefinition } from "../db/catalog.ts";
import { validation } from "../errors.ts";
import { IndexView, resolveIndex } from "../index/read.ts";
import { parseKeyCondition, type SortKeyCondition } from "../expression/mod.ts";
import { type AttributeMap, type AttributeValue, typeOf } from "../model/attribute_value.ts";
import type { ApiContext, ApiTable } from "./context.ts";
import { expiryOf, type Reader } from "./_items.ts";
import {
  ATTRIBUTE_MAPS,
  type ItemForm,
  Page,
  type PageInput,
  type PageOptions,
  type PageOutput,
} from "./_page.ts";
import {
  checkInteger,
  checkSelect,
  expressionContext,
  optionalCondition,
  optionalProjection,
} from "./_request.ts";
import { after, locateStartKey } from "./_start_key.ts";

/** A Query request, in DynamoDB's shape. */
export interface QueryInput extends PageInput {
  /** `pk = :v`, optionally `AND` one condition on the sort key. */
  readonly KeyConditionExpression: string;
  /** Ascending sort key order when true, descending when false. @default true */
  readonly ScanIndexForward?: boolean | undefined;
}

/** A Query response: items, counts and where to resume. */
export type QueryOutput = PageOutput;

/** A validated Query: the range to read and what to keep of it. */
export interface QueryPlan {
  /** The table. */
  readonly table: ApiTable;
  /** The index read instead of the table, if any. */
  readonly index?: IndexDefinition | undefined;
  /** The partition's stripe. */
  readonly stripe: number;
  /** The partition's key prefix. */
  readonly prefix: Uint8Array;
  /** First key of the range. */
  readonly start: Uint8Array;
  /** First key after the range. */
  readonly end: Uint8Array;
  /** Descending order. */
  readonly reverse: boolean;
  /** Limit, filter, projection, count only. */
  readonly page: PageOptions;
}

const TYPE_MISMATCH =
  "One or more parameter values were invalid: Condition parameter type does not match schema type";

/**
 * Validates a Query and works out the key range it reads.
 *
 * @param ctx The database.
 * @param input The request (its ExclusiveStartKey is not looked at).
 * @returns The plan.
 * @throws {KstoneError} VALIDATION for a bad expression, parameter or key value type, or an
 *   index that is unknown, still backfilling or read with a Select it cannot serve;
 *   RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example Plan once, read pages from one snapshot
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { planQuery, queryPage } from "./query.ts";
 * await using db = await Database.memory();
 * for (const sk of ["a", "b", "c"]) await db.put({ pk: "p", sk });
 * const ctx = db.apiContext();
 * const plan = planQuery(ctx, {
 *   TableName: "",
 *   KeyConditionExpression: "pk = :p",
 *   ExpressionAttributeValues: { ":p": { S: "p" } },
 *   Limit: 2,
 * });
 * const snapshot = ctx.store.snapshot();
 * try {
 *   const first = queryPage(snapshot, plan);
 *   const second = queryPage(snapshot, plan, first.LastEvaluatedKey);
 *   assert.deepEqual([first.Count, second.Count], [2, 1]);
 * } finally {
 *   snapshot.release();
 * }
 * ```
 */
export function planQuery(ctx: ApiContext, input: QueryInput): QueryPlan {
  const table = ctx.table(input.TableName);
  const index = input.IndexName === undefined
    ? undefined
    : resolveIndex(table, input.IndexName, input.ConsistentRead);
  const id = index?.id ?? table.id;
  const { partitionKey, sortKey } = index?.keySchema ?? table.keySchema;
  const expressions = expressionContext(input);
  const schema = sortKey === undefined
    ? { partitionKey: partitionKey.name }
    : { partitionKey: partitionKey.name, sortKey: sortKey.name };
  const condition = parseKeyCondition(input.KeyConditionExpression, expressions, schema);
  const filter = optionalCondition(input.FilterExpression, expressions, "FilterExpression");
  const projection = optionalProjection(input.ProjectionExpression, expressions);
  expressions.assertAllUsed();
  const expiry = expiryOf(ctx, table);
  const view = index === undefined
    ? undefined
    : IndexView.plan(table, index, { select: input.Select, projection, filter, expiry });
  const countOnly = view?.countOnly ?? checkSelect(input.Select, projection !== undefined);
  const limit = input.Limit === undefined ? Infinity : checkInteger(input.Limit, "limit", 1);
  const pk = condition.partitionValue;
  if (typeOf(pk) !== partitionKey.type) throw validation(TYPE_MISMATCH);
  validateKeyValue(partitionKey.name, pk, "partition");
  const prefix = partitionPrefix(id, pk);
  let start = prefix;
  let end = prefixEnd(prefix)!;
  if (condition.sort !== undefined) {
    for (const value of condition.sort.values) {
      if (typeOf(value) !== sortKey!.type) throw validation(TYPE_MISMATCH);
    }
    [start, end] = sortRange(id, pk, prefix, condition.sort, end);
  }
  return {
    table,
    index,
    stripe: stripeOf(pk),
    prefix,
    start,
    end,
    reverse: input.ScanIndexForward === false,
    page: { limit, filter, projection, countOnly, expiry, view },
  };
}

/**
 * The key range of a sort key condition within a partition. A value's upper bound is past every
 * key that starts with its key: the item's own key in a table, and every entry of that index
 * key (its table keys follow) in an index.
 */
function sortRange(
  tableId: number,
  pk: AttributeValue,
  prefix: Uint8Array,
  sort: SortKeyCondition,
  partitionEnd: Uint8Array,
): [Uint8Array, Uint8Array] {
  const key = (value: AttributeValue | undefined) => encodeKey(tableId, pk, value!);
  const past = (value: AttributeValue | undefined) => prefixEnd(key(value))!;
  // Past the item without a sort key (the default table's), which a sort condition never matches.
  const first = after(prefix);
  const [a, b] = sort.values;
  switch (sort.op) {
    case "=":
      return [key(a), past(a)];
    case "<":
      return [first, key(a)];
    case "<=":
      return [first, past(a)];
    case ">":
      return [past(a), partitionEnd];
    case ">=":
      return [key(a), partitionEnd];
    case "BETWEEN":
      return [key(a), past(b)];
    case "begins_with": {
      const low = sortKeyPrefix(tableId, pk, a!);
      return [low, prefixEnd(low)!];
    }
  }
}

/**
 * Reads one page of a planned Query.
 *
 * @param reader The store or a snapshot.
 * @param plan The plan.
 * @param exclusiveStartKey Where the previous page stopped.
 * @returns The page.
 * @throws {KstoneError} VALIDATION when the start key is not a key of the table and partition
 *   (for an index: the table's and the index's key attributes; `The provided starting key is
 *   invalid`) or lies outside the sort key condition.
 */
export function queryPage(
  reader: Reader,
  plan: QueryPlan,
  exclusiveStartKey?: AttributeMap,
): QueryOutput;
/**
 * Reads one page of a planned Query, its items in another form.
 *
 * @param reader The store or a snapshot.
 * @param plan The plan.
 * @param exclusiveStartKey Where the previous page stopped.
 * @param form The form of the items returned.
 * @returns The page.
 */
export function queryPage<T>(
  reader: Reader,
  plan: QueryPlan,
  exclusiveStartKey: AttributeMap | undefined,
  form: ItemForm<T>,
): PageOutput<T>;
export function queryPage<T>(
  reader: Reader,
  plan: QueryPlan,
  exclusiveStartKey?: AttributeMap,
  form?: ItemForm<T>,
): PageOutput<T | AttributeMap> {
  let { start, end } = plan;
  if (exclusiveStartKey !== undefined) {
    const { key } = locateStartKey(
      plan.table,
      exclusiveStartKey,
      "The provided starting key is invalid",
      plan.index,
    );
    if (!startsWith(key, plan.prefix)) throw validation("The provided starting key is invalid");
    if (compareBytes(key, plan.start) < 0 || compareBytes(key, plan.end) >= 0) {
      throw validation("The provided starting key does not match the range key predicate");
    }
    if (plan.reverse) end = key;
    else start = after(key);
  }
  const page = new Page<T | AttributeMap>(plan.table, plan.page, reader, form ?? ATTRIBUTE_MAPS);
  if (compareBytes(start, end) < 0) {
    page.fill(reader.range(plan.stripe, { start, end, reverse: plan.reverse }));
  }
  return page.output();
}

/**
 * Queries one page of a partition. The page is read in one synchronous step, so it is a
 * consistent view; it holds at most `Limit` items read and stops after the item that takes
 * it to 1 MB. `LastEvaluatedKey` is set only when another item follows.
 *
 * @param ctx The database.
 * @param input The request.
 * @returns The page.
 * @throws {KstoneError} VALIDATION for a bad expression, parameter, key value type or start
 *   key; RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { query } from "./query.ts";
 * await using db = await Database.memory();
 * for (const sk of ["a", "b", "c"]) await db.put({ pk: "p", sk });
 * const page = await query(db.apiContext(), {
 *   TableName: "",
 *   KeyConditionExpression: "pk = :p AND sk > :a",
 *   ExpressionAttributeValues: { ":p": { S: "p" }, ":a": { S: "a" } },
 *   ScanIndexForward: false,
 *   Limit: 1,
 * });
 * assert.deepEqual(page.Items, [{ pk: { S: "p" }, sk: { S: "c" } }]);
 * assert.deepEqual(page.LastEvaluatedKey, { pk: { S: "p" }, sk: { S: "c" } });
 * ```
 */
// deno-lint-ignore require-await
export async function query(ctx: ApiContext, input: QueryInput): Promise<QueryOutput> {
  return queryPage(ctx.store, planQuery(ctx, input), input.ExclusiveStartKey);
}
