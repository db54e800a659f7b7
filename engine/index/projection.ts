/**
 * What an index entry stores of its item, by the index's projection: `ALL` the whole item,
 * `KEYS_ONLY` the table's and the index's key attributes, `INCLUDE` those and the listed
 * non-key attributes the item has.
 *
 * @module
 */
import type { IndexDefinition } from "../db/catalog.ts";
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import type { ApiTable } from "../api/context.ts";
import { entryKeyNames } from "./index_key.ts";

/** The projected names of each index definition (an index belongs to one table). */
const cache = new WeakMap<IndexDefinition, Set<string>>();

/**
 * The top-level attributes an index stores, or `undefined` when it stores every attribute.
 *
 * @param table The table.
 * @param index The index.
 * @returns The names, keys first.
 */
export function projectedNames(
  table: ApiTable,
  index: IndexDefinition,
): ReadonlySet<string> | undefined {
  const { type, nonKeyAttributes } = index.projection;
  if (type === "ALL") return undefined;
  let names = cache.get(index);
  if (names === undefined) {
    names = new Set(entryKeyNames(table, index));
    if (type === "INCLUDE") { for (const name of nonKeyAttributes ?? []) names.add(name); }
    cache.set(index, names);
  }
  return names;
}

/**
 * The part of an item an index entry stores.
 *
 * @param table The table.
 * @param index The index.
 * @param item The whole item.
 * @returns The projected item (the item itself for `ALL`).
 *
 * @example INCLUDE keeps the keys and the listed attributes
 * ```ts
 * import assert from "node:assert/strict";
 * import { projectItem } from "./projection.ts";
 * const table = {
 *   id: 2,
 *   name: "users",
 *   keySchema: { partitionKey: { name: "id", type: "S" as const } },
 *   sortKeyOptional: false,
 * };
 * const index = {
 *   id: 3,
 *   name: "byEmail",
 *   kind: "GLOBAL" as const,
 *   keySchema: { partitionKey: { name: "email", type: "S" as const } },
 *   projection: { type: "INCLUDE" as const, nonKeyAttributes: ["name"] },
 *   status: "ACTIVE" as const,
 *   createdAt: 0,
 * };
 * const item = { id: { S: "u1" }, email: { S: "a@b" }, name: { S: "Ada" }, age: { N: "36" } };
 * assert.deepEqual(projectItem(table, index, item), {
 *   id: { S: "u1" },
 *   email: { S: "a@b" },
 *   name: { S: "Ada" },
 * });
 * ```
 */
export function projectItem(
  table: ApiTable,
  index: IndexDefinition,
  item: AttributeMap,
): AttributeMap {
  const names = projectedNames(table, index);
  if (names === undefined) return item;
  const projected: Record<string, AttributeValue> = {};
  for (const name of names) {
    const value = item[name];
    if (value !== undefined) projected[name] = value;
  }
  return projected;
}
