/**
 * GetItem: read one item by its key.
 *
 * @module
 */
import { applyProjection, type ProjectionNode } from "../expression/mod.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import type { ApiContext } from "./context.ts";
import { locateItem, readVisible } from "./_items.ts";
import { expressionContext, optionalProjection } from "./_request.ts";

/** A GetItem request, in DynamoDB's shape. */
export interface GetItemInput {
  /** The table. */
  readonly TableName: string;
  /** The key attributes, and nothing else. */
  readonly Key: AttributeMap;
  /** The attributes to return. @default every attribute */
  readonly ProjectionExpression?: string | undefined;
  /** `#placeholder` to attribute name, for the projection. */
  readonly ExpressionAttributeNames?: Readonly<Record<string, string>> | undefined;
  /** Accepted and ignored: every read is strongly consistent. @default false */
  readonly ConsistentRead?: boolean | undefined;
}

/** A GetItem response. */
export interface GetItemOutput {
  /** The item (projected), absent when there is none. */
  Item?: AttributeMap;
}

/**
 * Reads an item.
 *
 * @param ctx The database.
 * @param input The request.
 * @returns The item, if any.
 * @throws {KstoneError} VALIDATION for a bad key or projection; RESOURCE_NOT_FOUND for an
 *   unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { getItem } from "./get_item.ts";
 * await using db = await Database.memory();
 * await db.put("a", { n: 1, s: "x" });
 * const output = await getItem(db.apiContext(), {
 *   TableName: "",
 *   Key: { pk: { S: "a" } },
 *   ProjectionExpression: "n",
 * });
 * assert.deepEqual(output.Item, { n: { N: "1" } });
 * ```
 */
// deno-lint-ignore require-await
export async function getItem(ctx: ApiContext, input: GetItemInput): Promise<GetItemOutput> {
  return getItemSync(ctx, input);
}

/**
 * {@linkcode getItem}, synchronously.
 *
 * @param ctx The database.
 * @param input The request.
 * @returns The item, if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { getItemSync } from "./get_item.ts";
 * await using db = await Database.memory();
 * assert.deepEqual(getItemSync(db.apiContext(), { TableName: "", Key: { pk: { S: "none" } } }), {});
 * ```
 */
export function getItemSync(ctx: ApiContext, input: GetItemInput): GetItemOutput {
  const table = ctx.table(input.TableName);
  let projection: ProjectionNode | undefined;
  if (input.ProjectionExpression !== undefined || input.ExpressionAttributeNames !== undefined) {
    const expressions = expressionContext({
      ExpressionAttributeNames: input.ExpressionAttributeNames,
    });
    projection = optionalProjection(input.ProjectionExpression, expressions);
    expressions.assertAllUsed();
  }
  const item = readVisible(ctx, ctx.store, table, locateItem(table, input.Key, true));
  if (ctx.counters !== undefined) ctx.counters.gets++;
  if (item === undefined) return {};
  return { Item: projection === undefined ? item : applyProjection(projection, item) };
}
