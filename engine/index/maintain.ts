/**
 * Index maintenance: the entry mutations that keep a table's secondary indexes equal to its
 * items, computed from the item before and after a write and committed with it (see
 * `engine/api/_derived.ts`), and the checks DynamoDB makes on index key attributes before a
 * write.
 *
 * @module
 */
import { compareBytes } from "../codec/bytes.ts";
import { encodeItem } from "../codec/item_codec.ts";
import type { IndexDefinition } from "../db/catalog.ts";
import { validation } from "../errors.ts";
import { MAX_PARTITION_KEY_SIZE, MAX_SORT_KEY_SIZE } from "../limits.ts";
import { type AttributeMap, typeOf } from "../model/attribute_value.ts";
import type { Mutation } from "../store/batch_codec.ts";
import type { ApiTable } from "../api/context.ts";
import { indexEntryKey, indexKeyParts, keyValueSize, tableKeyOf } from "./index_key.ts";
import { projectItem } from "./projection.ts";

/**
 * An item's entry in an index: its location and the projected item, encoded.
 *
 * @param table The table.
 * @param index The index.
 * @param item The item.
 * @returns The put of the entry, or `undefined` when the item is not in the index (sparse).
 */
export function indexEntry(
  table: ApiTable,
  index: IndexDefinition,
  item: AttributeMap,
): Mutation | undefined {
  return entryOf(table, index, item, undefined);
}

/** An item's entry; an `ALL` projection stores the item itself, encoded once per write. */
function entryOf(
  table: ApiTable,
  index: IndexDefinition,
  item: AttributeMap,
  memo: WriteMemo | undefined,
): Mutation | undefined {
  if (memo === undefined) {
    const location = indexEntryKey(table, index, item);
    if (location === undefined) return undefined;
    return { ...location, value: encodeItem(projectItem(table, index, item)) };
  }
  let tableKey = memo.tableKeys.get(item);
  if (tableKey === undefined) memo.tableKeys.set(item, tableKey = tableKeyOf(table, item));
  const location = indexEntryKey(table, index, item, tableKey);
  if (location === undefined) return undefined;
  if (index.projection.type !== "ALL") {
    return { ...location, value: encodeItem(projectItem(table, index, item)) };
  }
  let value = memo.encoded.get(item);
  if (value === undefined) memo.encoded.set(item, value = encodeItem(item));
  return { ...location, value };
}

/** What one write computes once for all of a table's indexes, per item (old and new). */
interface WriteMemo {
  /** The items' table keys. */
  readonly tableKeys: Map<AttributeMap, Uint8Array>;
  /** The items' encodings (what an `ALL` projection stores). */
  readonly encoded: Map<AttributeMap, Uint8Array>;
}

/**
 * The index mutations that take a table's indexes from `old` to `next`: for each index, a
 * delete of the old entry when its key changes or the item leaves the index, and a put of the
 * new entry when the item is in the index and the entry is new or its projection changed.
 *
 * @param table The table (its `indexes`).
 * @param old The item as stored before the write.
 * @param next The item after it.
 * @returns Deletes of stale entries and puts of new ones, index by index.
 *
 * @example Changing an indexed attribute moves the entry
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexMutations } from "./maintain.ts";
 * const table = {
 *   id: 2,
 *   name: "users",
 *   keySchema: { partitionKey: { name: "id", type: "S" as const } },
 *   sortKeyOptional: false,
 *   indexes: [{
 *     id: 3,
 *     name: "byEmail",
 *     kind: "GLOBAL" as const,
 *     keySchema: { partitionKey: { name: "email", type: "S" as const } },
 *     projection: { type: "KEYS_ONLY" as const },
 *     status: "ACTIVE" as const,
 *     createdAt: 0,
 *   }],
 * };
 * const old = { id: { S: "u1" }, email: { S: "a@x" } };
 * const next = { id: { S: "u1" }, email: { S: "b@x" } };
 * const mutations = indexMutations(table, old, next);
 * assert.deepEqual(mutations.map((m) => m.value === null ? "delete" : "put"), ["delete", "put"]);
 * assert.deepEqual(indexMutations(table, next, { id: { S: "u1" } }).length, 1);
 * assert.deepEqual(indexMutations(table, next, next), []);
 * ```
 */
export function indexMutations(
  table: ApiTable,
  old: AttributeMap | undefined,
  next: AttributeMap | undefined,
): Mutation[] {
  const mutations: Mutation[] = [];
  const memo: WriteMemo = { tableKeys: new Map(), encoded: new Map() };
  for (const index of table.indexes ?? []) {
    const before = old === undefined ? undefined : entryOf(table, index, old, memo);
    const after = next === undefined ? undefined : entryOf(table, index, next, memo);
    const moved = before !== undefined &&
      (after === undefined || compareBytes(before.key, after.key) !== 0);
    if (moved) mutations.push({ stripe: before.stripe, key: before.key, value: null });
    const same = before !== undefined && !moved && compareBytes(before.value!, after!.value!) === 0;
    if (after !== undefined && !same) mutations.push(after);
  }
  return mutations;
}

/**
 * Checks an item's index key attributes as DynamoDB does before a write: an attribute that is
 * present must have the index's type, must not be empty, and must fit DynamoDB's key size
 * (2048 bytes for a partition key, 1024 for a sort key). An absent one is fine: the item is
 * then not in that index.
 *
 * @param table The table.
 * @param item The item as it will be stored.
 * @throws {KstoneError} VALIDATION: `One or more parameter values were invalid: Type mismatch
 *   for Index Key <attr> Expected: <T> Actual: <T> IndexName: <name>`, `One or more parameter
 *   values are not valid. A value specified for a secondary index key is not supported. The
 *   AttributeValue for a key attribute cannot contain an empty string value. IndexName: <name>,
 *   IndexKey: <attr>` (`binary` for B), or `One or more parameter values were invalid: Size
 *   limit exceeded for Index Key <attr> Actual Size: <n> bytes Max Size: <max> bytes
 *   IndexName: <name>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkIndexKeys } from "./maintain.ts";
 * const table = {
 *   id: 2,
 *   name: "users",
 *   keySchema: { partitionKey: { name: "id", type: "S" as const } },
 *   sortKeyOptional: false,
 *   indexes: [{
 *     id: 3,
 *     name: "byAge",
 *     kind: "GLOBAL" as const,
 *     keySchema: { partitionKey: { name: "age", type: "N" as const } },
 *     projection: { type: "ALL" as const },
 *     status: "ACTIVE" as const,
 *     createdAt: 0,
 *   }],
 * };
 * checkIndexKeys(table, { id: { S: "u1" } });
 * assert.throws(() => checkIndexKeys(table, { id: { S: "u1" }, age: { S: "old" } }), {
 *   message:
 *     "One or more parameter values were invalid: Type mismatch for Index Key age Expected: N Actual: S IndexName: byAge",
 * });
 * ```
 */
export function checkIndexKeys(table: ApiTable, item: AttributeMap): void {
  for (const index of table.indexes ?? []) {
    for (const { attribute, role } of indexKeyParts(index)) {
      const value = item[attribute.name];
      if (value === undefined) continue;
      const type = typeOf(value);
      if (type !== attribute.type) {
        throw validation(
          `One or more parameter values were invalid: Type mismatch for Index Key ${attribute.name} Expected: ${attribute.type} Actual: ${type} IndexName: ${index.name}`,
        );
      }
      const size = keyValueSize(value);
      if (type !== "N" && size === 0) {
        throw validation(
          `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${
            type === "S" ? "string" : "binary"
          } value. IndexName: ${index.name}, IndexKey: ${attribute.name}`,
        );
      }
      const max = role === "partition" ? MAX_PARTITION_KEY_SIZE : MAX_SORT_KEY_SIZE;
      if (size > max) {
        throw validation(
          `One or more parameter values were invalid: Size limit exceeded for Index Key ${attribute.name} Actual Size: ${size} bytes Max Size: ${max} bytes IndexName: ${index.name}`,
        );
      }
    }
  }
}
