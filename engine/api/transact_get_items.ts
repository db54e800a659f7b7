/**
 * TransactGetItems: up to 100 items on distinct keys, read as one consistent snapshot (in one
 * synchronous step, so no write lands between two of the reads).
 *
 * @module
 */
import { validation } from "../errors.ts";
import { applyProjection } from "../expression/mod.ts";
import { MAX_TRANSACT_GET_ITEMS } from "../limits.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import type { ApiContext } from "./context.ts";
import { itemIdentity, locateItem, readVisible } from "./_items.ts";
import { expressionContext, optionalProjection, transactCountError } from "./_request.ts";

/** One read of a transaction, in DynamoDB's shape. */
export interface TransactGetItem {
  /** The read. */
  readonly Get: {
    /** The table. */
    readonly TableName: string;
    /** The key attributes, and nothing else. */
    readonly Key: AttributeMap;
    /** The attributes to return. @default every attribute */
    readonly ProjectionExpression?: string | undefined;
    /** `#placeholder` to attribute name, for the projection. */
    readonly ExpressionAttributeNames?: Readonly<Record<string, string>> | undefined;
  };
}

/** A TransactGetItems request, in DynamoDB's shape. */
export interface TransactGetItemsInput {
  /** 1 to 100 reads of distinct items. */
  readonly TransactItems: readonly TransactGetItem[];
}

/** A TransactGetItems response: one entry per read, in order; `Item` absent when missing. */
export interface TransactGetItemsOutput {
  /** The items. */
  Responses: { Item?: AttributeMap }[];
}

/**
 * Reads up to 100 items as of one moment.
 *
 * @param ctx The database.
 * @param input The request.
 * @returns One response per read, in order.
 * @throws {KstoneError} VALIDATION: no reads or more than 100, `Transaction request cannot
 *   include multiple operations on one item`, a bad key or projection; RESOURCE_NOT_FOUND for
 *   an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { transactGetItems } from "./transact_get_items.ts";
 * await using db = await Database.memory();
 * await db.put("a", { n: 1 });
 * const output = await transactGetItems(db.apiContext(), {
 *   TransactItems: [
 *     { Get: { TableName: "", Key: { pk: { S: "a" } } } },
 *     { Get: { TableName: "", Key: { pk: { S: "b" } } } },
 *   ],
 * });
 * assert.deepEqual(output.Responses, [{ Item: { pk: { S: "a" }, n: { N: "1" } } }, {}]);
 * ```
 */
// deno-lint-ignore require-await
export async function transactGetItems(
  ctx: ApiContext,
  input: TransactGetItemsInput,
): Promise<TransactGetItemsOutput> {
  const items = input.TransactItems ?? [];
  const countError = transactCountError(items.length, MAX_TRANSACT_GET_ITEMS);
  if (countError !== undefined) throw countError;
  const seen = new Set<string>();
  const reads = items.map((item) => {
    const get = item?.Get;
    if (get === undefined) throw validation("TransactItems can only contain Get");
    const table = ctx.table(get.TableName);
    const expressions = expressionContext({
      ExpressionAttributeNames: get.ExpressionAttributeNames,
    });
    const projection = optionalProjection(get.ProjectionExpression, expressions);
    expressions.assertAllUsed();
    const location = locateItem(table, get.Key, true);
    const identity = itemIdentity(location);
    if (seen.has(identity)) {
      throw validation("Transaction request cannot include multiple operations on one item");
    }
    seen.add(identity);
    return { table, location, projection };
  });
  const responses = reads.map(({ table, location, projection }) => {
    const item = readVisible(ctx, ctx.store, table, location);
    if (ctx.counters !== undefined) ctx.counters.gets++;
    if (item === undefined) return {};
    return { Item: projection === undefined ? item : applyProjection(projection, item) };
  });
  return { Responses: responses };
}
