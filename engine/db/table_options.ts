/**
 * Options and results of the `Table` methods: DynamoDB's request parameters in
 * camelCase, with plain JS values (marshalled as item values are) where DynamoDB takes
 * AttributeValues.
 *
 * @example Options of a conditional update
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database, type UpdateOptions } from "../../mod.ts";
 * await using db = await Database.memory();
 * const options: UpdateOptions = {
 *   updateExpression: "SET #s = :new",
 *   conditionExpression: "attribute_not_exists(#s) OR #s = :old",
 *   expressionAttributeNames: { "#s": "state" },
 *   expressionAttributeValues: { ":old": "draft", ":new": "sent" },
 *   returnValues: "ALL_NEW",
 * };
 * assert.deepEqual(await db.update("doc#1", options), { pk: "doc#1", state: "sent" });
 * ```
 *
 * @module
 */

/** An item as the JS API takes and returns it: attribute names to plain values. */
export type Item = Record<string, unknown>;

/** Placeholders shared by a request's expressions. */
export interface ExpressionOptions {
  /** `#placeholder` to attribute name, e.g. `{ "#s": "status" }`. @default none */
  expressionAttributeNames?: Readonly<Record<string, string>> | undefined;
  /** `:placeholder` to a plain JS value, e.g. `{ ":one": 1 }`. @default none */
  expressionAttributeValues?: Readonly<Record<string, unknown>> | undefined;
}

/** The condition of a write. */
export interface ConditionOptions extends ExpressionOptions {
  /**
   * Write only when this holds for the item as it is (a missing item reads as empty), e.g.
   * `attribute_not_exists(pk)`. Otherwise the write fails with CONDITIONAL_CHECK_FAILED.
   * @default none: always write
   */
  conditionExpression?: string | undefined;
  /** `"ALL_OLD"` puts the current item on the CONDITIONAL_CHECK_FAILED error. @default "NONE" */
  returnValuesOnConditionCheckFailure?: "NONE" | "ALL_OLD" | undefined;
}

/** Options of `Table.put`. */
export interface PutOptions extends ConditionOptions {
  /** `"ALL_OLD"` returns the replaced item. @default "NONE" */
  returnValues?: "NONE" | "ALL_OLD" | undefined;
}

/** Options of `Table.delete`. */
export interface DeleteOptions extends ConditionOptions {
  /** `"ALL_OLD"` returns the deleted item. @default "NONE" */
  returnValues?: "NONE" | "ALL_OLD" | undefined;
}

/** Options of `Table.update`. */
export interface UpdateOptions extends ConditionOptions {
  /**
   * SET, REMOVE, ADD and DELETE clauses, e.g. `SET n = n + :one REMOVE draft`. Key attributes
   * cannot be written.
   * @default none: only creates the item from its key when it is missing
   */
  updateExpression?: string | undefined;
  /**
   * What to return: the whole item before (`ALL_OLD`) or after (`ALL_NEW`), or only the
   * attributes the update wrote, before (`UPDATED_OLD`) or after (`UPDATED_NEW`).
   * @default "NONE"
   */
  returnValues?: "NONE" | "ALL_OLD" | "UPDATED_OLD" | "ALL_NEW" | "UPDATED_NEW" | undefined;
}

/** Options of `Table.get`. */
export interface GetOptions {
  /** The attributes to return, e.g. `name, address.city`. @default every attribute */
  projectionExpression?: string | undefined;
  /** `#placeholder` to attribute name, for the projection. @default none */
  expressionAttributeNames?: Readonly<Record<string, string>> | undefined;
  /** Accepted for DynamoDB compatibility; every read is strongly consistent. @default false */
  consistentRead?: boolean | undefined;
}

/** What Query and Scan share. */
export interface ReadOptions extends ExpressionOptions {
  /**
   * Read this secondary index of the table instead of the table: a Query's key condition is on
   * the index's keys, pages follow index key order, and `lastEvaluatedKey` holds the table's
   * and the index's key attributes. Items carry the attributes the index projects (a local
   * index fetches others from the table when asked for them). @default the table
   */
  indexName?: string | undefined;
  /** Items read must satisfy this to be returned; they count in `scannedCount` either way. @default none */
  filterExpression?: string | undefined;
  /** The attributes to return. @default every attribute */
  projectionExpression?: string | undefined;
  /** Most items to read for a page (before the filter); a page also stops at 1 MB. @default no limit */
  limit?: number | undefined;
  /** Resume after this key: the `lastEvaluatedKey` of the previous page. @default the start */
  exclusiveStartKey?: Item | undefined;
  /**
   * `"COUNT"` returns only the counts (`items` is empty); `"ALL_PROJECTED_ATTRIBUTES"` (an
   * index's default) what the index projects. @default "ALL_ATTRIBUTES" for a table
   */
  select?:
    | "ALL_ATTRIBUTES"
    | "ALL_PROJECTED_ATTRIBUTES"
    | "SPECIFIC_ATTRIBUTES"
    | "COUNT"
    | undefined;
  /**
   * Accepted for DynamoDB compatibility (every read is strongly consistent); `true` is refused
   * on a global secondary index. @default false
   */
  consistentRead?: boolean | undefined;
}

/** Options of `Table.query`. */
export interface QueryOptions extends ReadOptions {
  /**
   * `pk = :v`, optionally `AND` one condition on the sort key: `=`, `<`, `<=`, `>`, `>=`,
   * `BETWEEN :a AND :b` (both ends included) or `begins_with(sk, :prefix)`.
   */
  keyConditionExpression: string;
  /** Ascending sort key order when true, descending when false. @default true */
  scanIndexForward?: boolean | undefined;
}

/** Options of `Table.scan`. */
export interface ScanOptions extends ReadOptions {
  /** This worker's segment of a parallel scan, 0-based; requires `totalSegments`. @default 0 */
  segment?: number | undefined;
  /**
   * The number of segments, 1 to 256; every item is in exactly one segment (segments split
   * the table by stripe). Requires `segment`. @default 1
   */
  totalSegments?: number | undefined;
}

/** What the paging iterators take besides the read's options. */
export interface IterateOptions {
  /** Stops the iteration (it throws the signal's reason) before the next page. @default none */
  signal?: AbortSignal | undefined;
}

/** One page of a Query or Scan. */
export interface Page {
  /** The items (projected), in key order; empty with `select: "COUNT"`. */
  items: Item[];
  /** Items returned (after the filter). */
  count: number;
  /** Items read (before the filter). */
  scannedCount: number;
  /** Pass as `exclusiveStartKey` for the next page; absent on the last page. */
  lastEvaluatedKey?: Item;
}
