/**
 * Where a secondary index entry lives: its key is the index's id, the index key (partition key,
 * then sort key when the index has one), then the table key (partition key, then sort key when
 * the item has one), each an order-preserving, self-delimiting component of the key encoding;
 * its stripe is the index partition key's. Entries thus sort by index key and then by table
 * key, so GSI keys need not be unique, and a query of one index partition reads one stripe.
 * See docs/format/index_entries.md.
 *
 * @module
 */
import { encodeKey, stripeOf } from "../codec/key_codec.ts";
import { utf8Length } from "../codec/_utf8.ts";
import type { IndexDefinition } from "../db/catalog.ts";
import type { ItemLocation, KeyAttribute } from "../db/key_schema.ts";
import { MAX_PARTITION_KEY_SIZE, MAX_SORT_KEY_SIZE } from "../limits.ts";
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import type { ApiTable } from "../api/context.ts";

/** An index key attribute and its role, in key order. */
export interface IndexKeyPart {
  /** The attribute and its type. */
  readonly attribute: KeyAttribute;
  /** Partition or sort key of the index. */
  readonly role: "partition" | "sort";
}

/**
 * The key attributes of an index, partition key first.
 *
 * @param index The index.
 * @returns One or two parts.
 */
export function indexKeyParts(index: IndexDefinition): IndexKeyPart[] {
  const { partitionKey, sortKey } = index.keySchema;
  const parts: IndexKeyPart[] = [{ attribute: partitionKey, role: "partition" }];
  if (sortKey !== undefined) parts.push({ attribute: sortKey, role: "sort" });
  return parts;
}

/**
 * The size DynamoDB counts for a key value: the UTF-8 bytes of an S, the bytes of a B; an N is
 * never too large (38 digits).
 *
 * @param value An S, N or B value.
 * @returns The size in bytes.
 */
export function keyValueSize(value: AttributeValue): number {
  if ("S" in value) return utf8Length(value.S);
  if ("B" in value) return value.B.length;
  return 0;
}

/**
 * Whether a value can be an index key of the given attribute: the right type, not empty, and
 * within DynamoDB's key size (2048 bytes for a partition key, 1024 for a sort key).
 *
 * @param part The index key attribute.
 * @param value The item's value.
 * @returns Whether the item can be indexed under it.
 */
export function isIndexKeyValue(part: IndexKeyPart, value: AttributeValue): boolean {
  if (!(part.attribute.type in value)) return false;
  if ("N" in value) return true;
  const size = keyValueSize(value);
  return size > 0 &&
    size <= (part.role === "partition" ? MAX_PARTITION_KEY_SIZE : MAX_SORT_KEY_SIZE);
}

/**
 * The location of an item's entry in an index, or `undefined` when the item is not in it (it
 * lacks an index key attribute, or holds one the index cannot take: sparse).
 *
 * @param table The table (its key schema).
 * @param index The index.
 * @param item The item (or, for a start key, the table and index key attributes).
 * @returns The entry's stripe and key.
 *
 * @example An LSI entry: index id, index key, then the table key
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexEntryKey } from "./index_key.ts";
 * import { encodeKey } from "../codec/key_codec.ts";
 * const table = {
 *   id: 2,
 *   name: "orders",
 *   keySchema: { partitionKey: { name: "customer", type: "S" as const }, sortKey: { name: "id", type: "S" as const } },
 *   sortKeyOptional: false,
 * };
 * const index = {
 *   id: 3,
 *   name: "byTotal",
 *   kind: "LOCAL" as const,
 *   keySchema: { partitionKey: { name: "customer", type: "S" as const }, sortKey: { name: "total", type: "N" as const } },
 *   projection: { type: "KEYS_ONLY" as const },
 *   status: "ACTIVE" as const,
 *   createdAt: 0,
 * };
 * const item = { customer: { S: "c1" }, id: { S: "o1" }, total: { N: "5" } };
 * const entry = indexEntryKey(table, index, item)!;
 * const indexKey = encodeKey(3, { S: "c1" }, { N: "5" });
 * const tableKey = encodeKey(2, { S: "c1" }, { S: "o1" }).subarray(4);
 * assert.deepEqual(entry.key, new Uint8Array([...indexKey, ...tableKey]));
 * assert.equal(indexEntryKey(table, index, { customer: { S: "c1" }, id: { S: "o2" } }), undefined);
 * ```
 */
export function indexEntryKey(
  table: ApiTable,
  index: IndexDefinition,
  item: AttributeMap,
  tableKey: Uint8Array = tableKeyOf(table, item),
): ItemLocation | undefined {
  const values: AttributeValue[] = [];
  for (const part of indexKeyParts(index)) {
    const value = item[part.attribute.name];
    if (value === undefined || !isIndexKeyValue(part, value)) return undefined;
    values.push(value);
  }
  const indexKey = encodeKey(index.id, values[0]!, values[1]);
  const key = new Uint8Array(indexKey.length + tableKey.length - 4);
  key.set(indexKey);
  key.set(tableKey.subarray(4), indexKey.length);
  return { stripe: stripeOf(values[0]!), key };
}

/**
 * An item's key in its table, whose components (after the table id) end every entry key of the
 * item; compute it once for all of a table's indexes.
 *
 * @param table The table.
 * @param item The item.
 * @returns The encoded table key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey } from "../codec/key_codec.ts";
 * import { tableKeyOf } from "./index_key.ts";
 * const table = {
 *   id: 2,
 *   name: "orders",
 *   keySchema: { partitionKey: { name: "customer", type: "S" as const } },
 *   sortKeyOptional: false,
 * };
 * assert.deepEqual(tableKeyOf(table, { customer: { S: "c1" }, n: { N: "1" } }), encodeKey(2, { S: "c1" }));
 * ```
 */
export function tableKeyOf(table: ApiTable, item: AttributeMap): Uint8Array {
  const { partitionKey, sortKey } = table.keySchema;
  const sk = sortKey === undefined ? undefined : item[sortKey.name];
  return encodeKey(table.id, item[partitionKey.name]!, sk);
}

/**
 * The attributes that identify an index entry, as LastEvaluatedKey holds them: the table's key
 * attributes, then the index's that are not among them.
 *
 * @param table The table.
 * @param index The index.
 * @returns The attribute names, without duplicates.
 */
export function entryKeyNames(table: ApiTable, index: IndexDefinition): string[] {
  const names = [table.keySchema.partitionKey.name];
  if (table.keySchema.sortKey !== undefined) names.push(table.keySchema.sortKey.name);
  for (const part of indexKeyParts(index)) {
    if (!names.includes(part.attribute.name)) names.push(part.attribute.name);
  }
  return names;
}
