/**
 * Requests and results of the multi-item operations of `Database`: `batchGet`,
 * `batchWrite`, `transactWrite` and `transactGet`, with plain JS values. Tables are named as
 * in `Database.table`; the default table (keys `pk`, optional `sk`) is named `""`, and its keys
 * may be given as a partition key string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BatchWriteRequest, Database } from "../../mod.ts";
 * await using db = await Database.memory();
 * const writes: BatchWriteRequest = { "": [{ put: { pk: "a" } }, { put: { pk: "b" } }] };
 * await db.batchWrite(writes);
 * assert.deepEqual(await db.batchGet({ "": ["a", "b"] }), { "": [{ pk: "a" }, { pk: "b" }] });
 * ```
 *
 * @module
 */
import type { ConditionOptions, Item } from "./table_options.ts";

/** A key: the key attributes, or (for the default table only) a partition key string. */
export type ItemKey = Item | string;

/** What to read from one table in `Database.batchGet`. */
export interface BatchGetTableRequest {
  /** The keys, distinct. */
  keys: readonly ItemKey[];
  /** The attributes to return. @default every attribute */
  projectionExpression?: string | undefined;
  /** `#placeholder` to attribute name, for the projection. @default none */
  expressionAttributeNames?: Readonly<Record<string, string>> | undefined;
  /** Accepted for DynamoDB compatibility; every read is strongly consistent. @default false */
  consistentRead?: boolean | undefined;
}

/** Table name (`""` for the default table) to its keys, or to keys and a projection. */
export type BatchGetRequest = Readonly<Record<string, readonly ItemKey[] | BatchGetTableRequest>>;

/** Table name to the items found, in the order of the keys; missing items are left out. */
export type BatchGetResult = Record<string, Item[]>;

/** One write of `Database.batchWrite`: a put or a delete. */
export type BatchWrite =
  | { readonly put: Item; readonly delete?: undefined }
  | { readonly delete: ItemKey; readonly put?: undefined };

/** Table name (`""` for the default table) to its writes. */
export type BatchWriteRequest = Readonly<Record<string, readonly BatchWrite[]>>;

/** Which table an action of a transaction is on. */
export interface TransactTarget {
  /** The table. @default "" (the default table) */
  tableName?: string | undefined;
}

/** A put in a transaction. */
export interface TransactPut extends TransactTarget, ConditionOptions {
  /** The whole item. */
  item: Item;
}

/** An update in a transaction; it creates a missing item. */
export interface TransactUpdate extends TransactTarget, ConditionOptions {
  /** The key. */
  key: ItemKey;
  /** SET, REMOVE, ADD and DELETE clauses. */
  updateExpression: string;
}

/** A delete in a transaction. */
export interface TransactDelete extends TransactTarget, ConditionOptions {
  /** The key. */
  key: ItemKey;
}

/** A condition check in a transaction: writes nothing, cancels the transaction when false. */
export interface TransactConditionCheck extends TransactTarget, ConditionOptions {
  /** The key. */
  key: ItemKey;
  /** The condition. */
  conditionExpression: string;
}

/** One action of `Database.transactWrite`. */
export type TransactWriteAction =
  | { readonly put: TransactPut }
  | { readonly update: TransactUpdate }
  | { readonly delete: TransactDelete }
  | { readonly conditionCheck: TransactConditionCheck };

/** One read of `Database.transactGet`. */
export interface TransactGet extends TransactTarget {
  /** The key. */
  key: ItemKey;
  /** The attributes to return. @default every attribute */
  projectionExpression?: string | undefined;
  /** `#placeholder` to attribute name, for the projection. @default none */
  expressionAttributeNames?: Readonly<Record<string, string>> | undefined;
}
