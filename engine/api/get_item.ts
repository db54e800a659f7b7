/**
 * GetItem: read one item by its key.
 *
 * @module
 */
import { decodeItem, decodePlainItem } from "../codec/item_codec.ts";
import { applyProjection, type ProjectionNode } from "../expression/mod.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import { unmarshallItem } from "../model/marshall.ts";
import { visibleItem } from "../ttl/expiry.ts";
import type { ApiContext } from "./context.ts";
import { locateItem, locatePlainItem, nowOf, readVisible } from "./_items.ts";
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

/**
 * {@linkcode getItemSync} without a projection, for the JS API: the item comes back as plain JS,
 * decoded straight from its bytes (as `unmarshallItem` of the AttributeMap would give it).
 *
 * @param ctx The database.
 * @param tableName The table.
 * @param key The key attributes as plain JS, and nothing else.
 * @returns The plain item, or `undefined` when there is none (or it has expired).
 * @throws {KstoneError} As {@linkcode getItem}, and as `marshallItem` for a key that cannot be
 *   marshalled.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { getPlainItemSync } from "./get_item.ts";
 * await using db = await Database.memory();
 * await db.put("a", { n: 1 });
 * assert.deepEqual(getPlainItemSync(db.apiContext(), "", { pk: "a" }), { pk: "a", n: 1 });
 * ```
 */
export function getPlainItemSync(
  ctx: ApiContext,
  tableName: string,
  key: Readonly<Record<string, unknown>>,
): Record<string, unknown> | undefined {
  const table = ctx.table(tableName);
  const location = locatePlainItem(table, key, true);
  const bytes = ctx.store.get(location.stripe, location.key);
  let item: Record<string, unknown> | undefined;
  if (bytes !== undefined) {
    const ttl = table.ttlAttribute;
    if (ttl === undefined) item = decodePlainItem(bytes);
    else {
      const visible = visibleItem(decodeItem(bytes), ttl, nowOf(ctx));
      item = visible === undefined ? undefined : unmarshallItem(visible);
    }
  }
  if (ctx.counters !== undefined) ctx.counters.gets++;
  return item;
}
