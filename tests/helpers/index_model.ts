/**
 * An independent model of secondary index contents, for tests: what every index of a table must
 * hold given the table's items (recomputed here from the format in
 * docs/format/index_entries.md, not with `engine/index/`), and what the store actually holds.
 * Crash and model tests compare the two after any sequence of writes.
 *
 * @module
 */
import { decodeItem } from "../../engine/codec/item_codec.ts";
import { encodeKey, prefixEnd, stripeOf, tablePrefix } from "../../engine/codec/key_codec.ts";
import type { IndexDefinition } from "../../engine/db/catalog.ts";
import type { KeySchema } from "../../engine/db/key_schema.ts";
import type { AttributeMap, AttributeValue } from "../../engine/model/attribute_value.ts";

/** One index entry, comparable with `assert.deepEqual`. */
export interface IndexEntry {
  /** The index's name. */
  readonly index: string;
  /** The entry's stripe. */
  readonly stripe: number;
  /** The entry's key, hex. */
  readonly key: string;
  /** The projected item stored. */
  readonly item: AttributeMap;
}

/** What the model needs of a table: its id, key schema and indexes. */
export interface IndexedTable {
  readonly id: number;
  readonly keySchema: KeySchema;
  readonly indexes?: readonly IndexDefinition[] | undefined;
}

/** What the model reads the store through. */
export interface RangeReader {
  range(
    stripe: number,
    options: { start: Uint8Array; end: Uint8Array },
  ): Iterable<{ key: string; value: Uint8Array }>;
}

const encoder = new TextEncoder();

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function indexable(value: AttributeValue | undefined, type: string, max: number): boolean {
  if (value === undefined || !(type in value)) return false;
  if ("S" in value) return value.S.length > 0 && encoder.encode(value.S).length <= max;
  if ("B" in value) return value.B.length > 0 && value.B.length <= max;
  return true;
}

function expectedEntry(
  item: AttributeMap,
  table: IndexedTable,
  index: IndexDefinition,
): IndexEntry | undefined {
  const { partitionKey, sortKey } = index.keySchema;
  const pk = item[partitionKey.name];
  const sk = sortKey === undefined ? undefined : item[sortKey.name];
  if (!indexable(pk, partitionKey.type, 2048)) return undefined;
  if (sortKey !== undefined && !indexable(sk, sortKey.type, 1024)) return undefined;
  const tableSk = table.keySchema.sortKey === undefined
    ? undefined
    : item[table.keySchema.sortKey.name];
  const key = hex(encodeKey(index.id, pk!, sk)) +
    hex(encodeKey(table.id, item[table.keySchema.partitionKey.name]!, tableSk).subarray(4));
  const keys = [table.keySchema.partitionKey.name, partitionKey.name];
  if (table.keySchema.sortKey !== undefined) keys.push(table.keySchema.sortKey.name);
  if (sortKey !== undefined) keys.push(sortKey.name);
  let projected: Record<string, AttributeValue> = { ...item };
  if (index.projection.type !== "ALL") {
    const names = [...keys, ...(index.projection.nonKeyAttributes ?? [])];
    projected = {};
    for (const name of names) if (item[name] !== undefined) projected[name] = item[name]!;
  }
  return { index: index.name, stripe: stripeOf(pk!), key, item: projected };
}

function byKey(a: IndexEntry, b: IndexEntry): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * The entries every maintained index of a table must hold, recomputed from its items.
 *
 * @param tableItems The table's items as stored (expired ones included).
 * @param table The table's id, keys and indexes.
 * @param only Just this index. @default every index of the table
 * @returns The entries, sorted by key (so by index id, then index key, then table key).
 */
export function expectedIndexEntries(
  tableItems: Iterable<AttributeMap>,
  table: IndexedTable,
  only?: IndexDefinition,
): IndexEntry[] {
  const entries: IndexEntry[] = [];
  const indexes = only === undefined ? table.indexes ?? [] : [only];
  for (const item of tableItems) {
    for (const index of indexes) {
      const entry = expectedEntry(item, table, index);
      if (entry !== undefined) entries.push(entry);
    }
  }
  return entries.sort(byKey);
}

/**
 * The entries an index holds in the store.
 *
 * @param store The store or a snapshot.
 * @param index The index.
 * @returns The entries, sorted by key.
 */
export function actualIndexEntries(store: RangeReader, index: IndexDefinition): IndexEntry[] {
  const start = tablePrefix(index.id);
  const end = prefixEnd(start)!;
  const entries: IndexEntry[] = [];
  for (let stripe = 0; stripe < 256; stripe++) {
    for (const entry of store.range(stripe, { start, end })) {
      const key = hex(Uint8Array.from(entry.key, (c) => c.charCodeAt(0)));
      entries.push({ index: index.name, stripe, key, item: decodeItem(entry.value) });
    }
  }
  return entries.sort(byKey);
}

/**
 * The entries every maintained index of a table holds.
 *
 * @param store The store or a snapshot.
 * @param table The table.
 * @returns The entries, sorted by key.
 */
export function actualTableIndexEntries(store: RangeReader, table: IndexedTable): IndexEntry[] {
  return (table.indexes ?? []).flatMap((index) => actualIndexEntries(store, index)).sort(byKey);
}

/**
 * Every item of a table as stored (expired ones included).
 *
 * @param store The store or a snapshot.
 * @param tableId The table's id.
 * @returns The items, in stripe then key order.
 */
export function storedItems(store: RangeReader, tableId: number): AttributeMap[] {
  const start = tablePrefix(tableId);
  const end = prefixEnd(start)!;
  const items: AttributeMap[] = [];
  for (let stripe = 0; stripe < 256; stripe++) {
    for (const entry of store.range(stripe, { start, end })) items.push(decodeItem(entry.value));
  }
  return items;
}
