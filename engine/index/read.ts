/**
 * Reading a secondary index with Query or Scan (`IndexName`): which index, which `Select` it
 * allows, and how each entry becomes the item a page filters and returns. As in DynamoDB, a
 * read returns the projected attributes by default (`ALL_PROJECTED_ATTRIBUTES`); a local index
 * fetches the item from the table when the request needs attributes it does not project
 * (`Select: ALL_ATTRIBUTES`, or a projection or filter naming them), while a global index
 * simply lacks them. With time to live, an expired item is hidden whether or not the index
 * projects the TTL attribute (when it does not, the item is read from the table to decide).
 *
 * @module
 */
import type { IndexDefinition } from "../db/catalog.ts";
import { validation } from "../errors.ts";
import type { ConditionNode, ProjectionNode } from "../expression/mod.ts";
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import { isExpired } from "../ttl/expiry.ts";
import type { ApiTable } from "../api/context.ts";
import { type Expiry, locateItem, type Reader, readItem } from "../api/_items.ts";
import type { EntryView } from "../api/_page.ts";
import { checkSelect } from "../api/_request.ts";
import { entryKeyNames } from "./index_key.ts";
import { projectedNames } from "./projection.ts";

/**
 * Finds the index a Query or Scan names.
 *
 * @param table The table.
 * @param name The IndexName.
 * @param consistentRead The request's ConsistentRead.
 * @returns The index.
 * @throws {KstoneError} VALIDATION: `The table does not have the specified index: <name>`,
 *   `Consistent reads are not supported on global secondary indexes`, or
 *   `Cannot read from backfilling global secondary index: <name>` while it is `CREATING`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveIndex } from "./read.ts";
 * const table = {
 *   id: 2,
 *   name: "users",
 *   keySchema: { partitionKey: { name: "id", type: "S" as const } },
 *   sortKeyOptional: false,
 * };
 * assert.throws(() => resolveIndex(table, "byEmail", undefined), {
 *   message: "The table does not have the specified index: byEmail",
 * });
 * ```
 */
export function resolveIndex(
  table: ApiTable,
  name: string,
  consistentRead: boolean | undefined,
): IndexDefinition {
  const index = table.indexes?.find((index) => index.name === name);
  if (index === undefined) {
    throw validation(`The table does not have the specified index: ${String(name)}`);
  }
  if (index.kind === "GLOBAL" && consistentRead === true) {
    throw validation("Consistent reads are not supported on global secondary indexes");
  }
  if (index.status === "CREATING") {
    throw validation(`Cannot read from backfilling global secondary index: ${name}`);
  }
  return index;
}

/** What a read of an index asks for besides its key range. */
export interface IndexReadRequest {
  /** The request's `Select`. */
  readonly select: string | undefined;
  /** The ProjectionExpression, if any. */
  readonly projection: ProjectionNode | undefined;
  /** The FilterExpression, if any. */
  readonly filter: ConditionNode | undefined;
  /** The time-to-live rule, when enabled. */
  readonly expiry: Expiry | undefined;
}

/**
 * How the entries of one index read become items.
 *
 * @example A KEYS_ONLY local index fetches the item for `Select: ALL_ATTRIBUTES`
 * ```ts
 * import assert from "node:assert/strict";
 * import { IndexView } from "./read.ts";
 * const table = {
 *   id: 2,
 *   name: "orders",
 *   keySchema: { partitionKey: { name: "c", type: "S" as const }, sortKey: { name: "id", type: "S" as const } },
 *   sortKeyOptional: false,
 * };
 * const index = {
 *   id: 3,
 *   name: "byTotal",
 *   kind: "LOCAL" as const,
 *   keySchema: { partitionKey: { name: "c", type: "S" as const }, sortKey: { name: "total", type: "N" as const } },
 *   projection: { type: "KEYS_ONLY" as const },
 *   status: "ACTIVE" as const,
 *   createdAt: 0,
 * };
 * const view = IndexView.plan(table, index, {
 *   select: "ALL_ATTRIBUTES",
 *   projection: undefined,
 *   filter: undefined,
 *   expiry: undefined,
 * });
 * assert.equal(view.countOnly, false);
 * assert.equal(view.fetches, true);
 * ```
 */
export class IndexView implements EntryView {
  readonly #table: ApiTable;
  readonly #keyNames: readonly string[];
  readonly #fetch: boolean;
  readonly #selectAll: boolean;
  readonly #expiry: Expiry | undefined;
  readonly #expiryOnTable: boolean;
  /** Whether the read returns only counts (`Select: COUNT`). */
  readonly countOnly: boolean;

  private constructor(
    table: ApiTable,
    index: IndexDefinition,
    request: IndexReadRequest,
    select: { countOnly: boolean; selectAll: boolean },
  ) {
    this.#table = table;
    this.#keyNames = entryKeyNames(table, index);
    this.countOnly = select.countOnly;
    this.#selectAll = select.selectAll;
    this.#expiry = request.expiry;
    const names = projectedNames(table, index);
    const unprojected = (node: unknown) =>
      names !== undefined && [...attributeNames(node, new Set())].some((name) => !names.has(name));
    this.#fetch = index.kind === "LOCAL" && names !== undefined &&
      (select.selectAll || unprojected(request.projection) || unprojected(request.filter));
    this.#expiryOnTable = request.expiry !== undefined && names !== undefined &&
      !names.has(request.expiry.attribute);
  }

  /**
   * Checks a read's `Select` against the index and plans how to read it.
   *
   * @param table The table.
   * @param index The index read.
   * @param request Select, projection, filter and expiry.
   * @returns The view.
   * @throws {KstoneError} VALIDATION: `Cannot specify the ProjectionExpression when choosing to
   *   get ALL_PROJECTED_ATTRIBUTES`, `One or more parameter values were invalid: Select type
   *   ALL_ATTRIBUTES is not supported for global secondary index <name> because its projection
   *   type is not ALL`, and the other messages of `Select`.
   */
  static plan(table: ApiTable, index: IndexDefinition, request: IndexReadRequest): IndexView {
    const { select } = request;
    const projection = request.projection !== undefined;
    if (select === "ALL_PROJECTED_ATTRIBUTES") {
      if (projection) {
        throw validation(
          "Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES",
        );
      }
      return new IndexView(table, index, request, { countOnly: false, selectAll: false });
    }
    const countOnly = checkSelect(select, projection);
    const selectAll = select === "ALL_ATTRIBUTES";
    if (selectAll && index.kind === "GLOBAL" && index.projection.type !== "ALL") {
      throw validation(
        `One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${index.name} because its projection type is not ALL`,
      );
    }
    return new IndexView(table, index, request, { countOnly, selectAll });
  }

  /** Whether the read fetches items from the table (a local index missing attributes). */
  get fetches(): boolean {
    return this.#fetch;
  }

  /**
   * The LastEvaluatedKey of an entry: the table's and the index's key attributes.
   *
   * @param entry The entry's item.
   * @returns The key.
   */
  keyOf(entry: AttributeMap): AttributeMap {
    const key: Record<string, AttributeValue> = {};
    for (const name of this.#keyNames) {
      const value = entry[name];
      if (value !== undefined) key[name] = value;
    }
    return key;
  }

  /**
   * The item an entry stands for.
   *
   * @param reader The store or snapshot the entry was read from.
   * @param entry The entry's (projected) item.
   * @returns The item to filter and project, and the item to return when there is no
   *   ProjectionExpression; `undefined` when the item has expired.
   */
  resolve(
    reader: Reader,
    entry: AttributeMap,
  ): { item: AttributeMap; returned: AttributeMap } | undefined {
    let stored: AttributeMap | undefined;
    if (this.#fetch || this.#expiryOnTable) {
      stored = readItem(reader, locateItem(this.#table, entry, false));
      if (stored === undefined) return undefined;
    }
    const expiry = this.#expiry;
    if (expiry !== undefined && isExpired(stored ?? entry, expiry.attribute, expiry.nowMs)) {
      return undefined;
    }
    if (!this.#fetch) return { item: entry, returned: entry };
    return { item: stored!, returned: this.#selectAll ? stored! : entry };
  }
}

/** The top-level attribute names an expression tree reads. */
function attributeNames(node: unknown, out: Set<string>): Set<string> {
  if (node === null || typeof node !== "object") return out;
  if (Array.isArray(node)) {
    for (const child of node) attributeNames(child, out);
    return out;
  }
  const kind = (node as { kind?: unknown }).kind;
  if (kind === "value") return out;
  if (kind === "path") {
    out.add(String((node as { elements: readonly unknown[] }).elements[0]));
    return out;
  }
  for (const child of Object.values(node)) attributeNames(child, out);
  return out;
}
