/**
 * BatchGetItem: up to 100 items from one or more tables, read in one synchronous step (so
 * they are a consistent view).
 *
 * @module
 */
import { itemSize } from "../codec/item_codec.ts";
import { validation } from "../errors.ts";
import { applyProjection } from "../expression/mod.ts";
import { MAX_BATCH_GET_ITEMS, MAX_BATCH_GET_RESPONSE_SIZE } from "../limits.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import type { ApiContext } from "./context.ts";
import { itemIdentity, locateItem, readVisible } from "./_items.ts";
import { expressionContext, optionalProjection } from "./_request.ts";

/** The keys to read from one table, in DynamoDB's shape. */
export interface KeysAndAttributes {
  /** The keys, each with the key attributes only. */
  readonly Keys: readonly AttributeMap[];
  /** The attributes to return. @default every attribute */
  readonly ProjectionExpression?: string | undefined;
  /** `#placeholder` to attribute name, for the projection. */
  readonly ExpressionAttributeNames?: Readonly<Record<string, string>> | undefined;
  /** Accepted and ignored: every read is strongly consistent. @default false */
  readonly ConsistentRead?: boolean | undefined;
}

/** A BatchGetItem request, in DynamoDB's shape. */
export interface BatchGetItemInput {
  /** Table name to the keys to read from it. */
  readonly RequestItems: Readonly<Record<string, KeysAndAttributes>>;
}

/** A BatchGetItem response. */
export interface BatchGetItemOutput {
  /** Table name to the items found, in the order of the keys (missing items left out). */
  Responses: Record<string, AttributeMap[]>;
  /** Keys left unread because the response reached 16 MB; send them again. */
  UnprocessedKeys: Record<string, KeysAndAttributes>;
}

/**
 * Reads up to 100 items by key. Every key is validated before anything is read. When the
 * items found exceed 16 MB, the rest of the keys come back in `UnprocessedKeys`.
 *
 * @param ctx The database.
 * @param input The request.
 * @returns The items per table.
 * @throws {KstoneError} VALIDATION: `Too many items requested for the BatchGetItem call` over
 *   100 keys, `Provided list of item keys contains duplicates`, a bad key or projection;
 *   RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { batchGetItem } from "./batch_get_item.ts";
 * await using db = await Database.memory();
 * await db.put("a", { n: 1 });
 * const output = await batchGetItem(db.apiContext(), {
 *   RequestItems: { "": { Keys: [{ pk: { S: "a" } }, { pk: { S: "missing" } }] } },
 * });
 * assert.deepEqual(output.Responses[""], [{ pk: { S: "a" }, n: { N: "1" } }]);
 * ```
 */
// deno-lint-ignore require-await
export async function batchGetItem(
  ctx: ApiContext,
  input: BatchGetItemInput,
): Promise<BatchGetItemOutput> {
  const requests = Object.entries(input.RequestItems ?? {});
  if (requests.length === 0) {
    throw validation(
      "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  let total = 0;
  const plans = requests.map(([name, request]) => {
    const table = ctx.table(name);
    const keys = request.Keys ?? [];
    if (keys.length === 0) {
      throw validation(
        `1 validation error detected: Value at 'requestItems.${name}.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1`,
      );
    }
    total += keys.length;
    if (total > MAX_BATCH_GET_ITEMS) {
      throw validation("Too many items requested for the BatchGetItem call");
    }
    const expressions = expressionContext({
      ExpressionAttributeNames: request.ExpressionAttributeNames,
    });
    const projection = optionalProjection(request.ProjectionExpression, expressions);
    expressions.assertAllUsed();
    const seen = new Set<string>();
    const locations = keys.map((key) => {
      const location = locateItem(table, key, true);
      const identity = itemIdentity(location);
      if (seen.has(identity)) throw validation("Provided list of item keys contains duplicates");
      seen.add(identity);
      return location;
    });
    return { name, table, request, keys, locations, projection };
  });
  const output: BatchGetItemOutput = { Responses: {}, UnprocessedKeys: {} };
  let size = 0;
  for (const { name, table, request, keys, locations, projection } of plans) {
    const found: AttributeMap[] = [];
    output.Responses[name] = found;
    const unprocessed: AttributeMap[] = [];
    locations.forEach((location, i) => {
      if (size > MAX_BATCH_GET_RESPONSE_SIZE) {
        unprocessed.push(keys[i]!);
        return;
      }
      const item = readVisible(ctx, ctx.store, table, location);
      if (ctx.counters !== undefined) ctx.counters.gets++;
      if (item === undefined) return;
      size += itemSize(item);
      found.push(projection === undefined ? item : applyProjection(projection, item));
    });
    if (unprocessed.length > 0) output.UnprocessedKeys[name] = { ...request, Keys: unprocessed };
  }
  return output;
}
