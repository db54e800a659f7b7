/**
 * The catalog of tables. It lives in the keyspace itself as table 0, one row per table keyed by
 * the table's id, so table definitions go through the WAL like any write and survive crashes
 * with the data they describe. Table 1 is the default table and has no row.
 *
 * @module
 */
import { encodeKey, prefixEnd, stripeOf, tablePrefix } from "../codec/key_codec.ts";
import { decodeItem, encodeItem } from "../codec/item_codec.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import { marshallItem, unmarshallItem } from "../model/marshall.ts";
import type { Store } from "../store/store.ts";
import type { KeySchema } from "./key_schema.ts";

/** The keyspace id of the catalog. */
export const CATALOG_TABLE_ID = 0;
/** The keyspace id of the default table (`pk`, optional `sk`). */
export const DEFAULT_TABLE_ID = 1;
/** The first id a created table gets. */
export const FIRST_USER_TABLE_ID = 2;

/** What the catalog stores of a table. */
export interface TableDefinition {
  /** The table's id in the keyspace; never reused. */
  readonly id: number;
  /** The table's name. */
  readonly name: string;
  /** The key schema. */
  readonly keySchema: KeySchema;
  /** Creation time, milliseconds since the epoch. */
  readonly createdAt: number;
  /** `ACTIVE`, or `DELETED` once dropped (the row stays so the id is never reused). */
  readonly status: "ACTIVE" | "DELETED";
}

/** Where a table's catalog row lives. */
export function catalogLocation(id: number): { stripe: number; key: Uint8Array } {
  const pk = { N: String(id) };
  return { stripe: stripeOf(pk), key: encodeKey(CATALOG_TABLE_ID, pk) };
}

/**
 * Encodes a table definition as a catalog row.
 *
 * @param definition The table.
 * @returns The row's encoded item.
 */
export function encodeDefinition(definition: TableDefinition): Uint8Array {
  const row: AttributeMap = marshallItem({
    id: definition.id,
    name: definition.name,
    keySchema: definition.keySchema,
    createdAt: definition.createdAt,
    status: definition.status,
  });
  return encodeItem(row);
}

/**
 * Reads every catalog row.
 *
 * @param store The open store.
 * @returns The definitions, deleted ones included, in no particular order.
 */
export function loadCatalog(store: Store): TableDefinition[] {
  const start = tablePrefix(CATALOG_TABLE_ID);
  const end = prefixEnd(start);
  const definitions: TableDefinition[] = [];
  for (let stripe = 0; stripe < store.stripes.length; stripe++) {
    for (const entry of store.range(stripe, { start, end })) {
      definitions.push(unmarshallItem(decodeItem(entry.value)) as unknown as TableDefinition);
    }
  }
  return definitions;
}
