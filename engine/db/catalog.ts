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
import type { KeyAttribute, KeySchema } from "./key_schema.ts";

/** The keyspace id of the catalog. */
export const CATALOG_TABLE_ID = 0;
/** The keyspace id of the default table (`pk`, optional `sk`). */
export const DEFAULT_TABLE_ID = 1;
/** The first id a created table gets. */
export const FIRST_USER_TABLE_ID = 2;

/** Which attributes an index stores besides the table's and the index's key attributes. */
export interface Projection {
  /** `ALL` (every attribute), `KEYS_ONLY`, or `INCLUDE` (the keys plus `nonKeyAttributes`). */
  readonly type: "ALL" | "KEYS_ONLY" | "INCLUDE";
  /** For `INCLUDE`: the other attributes stored (at most 100 across a table's indexes). */
  readonly nonKeyAttributes?: readonly string[];
}

/** A secondary index of a table. */
export interface IndexDefinition {
  /** The index's own id in the keyspace (allocated like table ids; never reused). */
  readonly id: number;
  /** The index name, unique within its table. */
  readonly name: string;
  /** `LOCAL` (same partition key, defined at creation) or `GLOBAL`. */
  readonly kind: "LOCAL" | "GLOBAL";
  /** The index's key: an LSI's partition key is the table's. */
  readonly keySchema: KeySchema;
  /** What the index stores. */
  readonly projection: Projection;
  /**
   * `CREATING` while a GSI added by UpdateTable is backfilled (writes already maintain it),
   * `ACTIVE`, or `DELETING` once dropped (writes no longer maintain it).
   */
  readonly status: "CREATING" | "ACTIVE" | "DELETING";
  /** Creation time, milliseconds since the epoch. */
  readonly createdAt: number;
}

/** A table's time-to-live setting. */
export interface TtlSetting {
  /** The attribute holding an item's expiry, a number of seconds since the epoch. */
  readonly attributeName: string;
  /** Whether expired items are hidden and swept. */
  readonly enabled: boolean;
}

/** Which images a stream record carries. */
export type StreamViewType = "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";

/** A table's change stream. Disabling keeps it readable; enabling again starts a new one. */
export interface StreamDefinition {
  /** The stream's id in the keyspace, where its records live. */
  readonly id: number;
  /** What each record carries. */
  readonly viewType: StreamViewType;
  /** Whether writes still add records to it. */
  readonly enabled: boolean;
  /** Creation time, milliseconds since the epoch; its ISO form is the stream label. */
  readonly createdAt: number;
}

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
  /** Every key attribute of the table and its indexes, with its type. @default the table's keys */
  readonly attributeDefinitions?: readonly KeyAttribute[];
  /** Local and global secondary indexes, deleting ones included. @default none */
  readonly indexes?: readonly IndexDefinition[];
  /** The time-to-live setting, once one was made. */
  readonly ttl?: TtlSetting;
  /** The table's streams, oldest first; only the last one may be enabled. @default none */
  readonly streams?: readonly StreamDefinition[];
  /**
   * The ids of the indexes deleted from the table: their entries are dropped by compaction,
   * and the ids stay known so they are never reused. @default none
   */
  readonly droppedIndexIds?: readonly number[];
}

/**
 * A stream's label, the ISO time of its creation without the zone, as DynamoDB writes it
 * (`2015-05-11T21:21:33.291`); with the table name it makes the stream ARN.
 *
 * @param stream The stream.
 * @returns The label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamLabel } from "./catalog.ts";
 * const label = streamLabel({ id: 3, viewType: "KEYS_ONLY", enabled: true, createdAt: Date.UTC(2015, 4, 11, 21, 21, 33, 291) });
 * assert.equal(label, "2015-05-11T21:21:33.291");
 * ```
 */
export function streamLabel(stream: StreamDefinition): string {
  return new Date(stream.createdAt).toISOString().slice(0, -1);
}

/**
 * The keyspace ids whose entries are dropped: deleted tables and all of their indexes, and the
 * deleted or deleting indexes of live tables. Streams are never listed: their records outlive
 * their table and are removed by stream retention.
 *
 * @param definitions Every table definition, deleted ones included.
 * @returns The ids.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { droppedKeyspaces } from "./catalog.ts";
 * const keySchema = { partitionKey: { name: "id", type: "S" } } as const;
 * const dropped = droppedKeyspaces([
 *   { id: 2, name: "a", keySchema, createdAt: 0, status: "DELETED" },
 *   { id: 3, name: "b", keySchema, createdAt: 0, status: "ACTIVE", droppedIndexIds: [4] },
 * ]);
 * assert.deepEqual([...dropped].sort(), [2, 4]);
 * ```
 */
export function droppedKeyspaces(definitions: Iterable<TableDefinition>): Set<number> {
  const ids = new Set<number>();
  for (const definition of definitions) {
    const deleted = definition.status === "DELETED";
    if (deleted) ids.add(definition.id);
    for (const index of definition.indexes ?? []) {
      if (deleted || index.status === "DELETING") ids.add(index.id);
    }
    for (const id of definition.droppedIndexIds ?? []) ids.add(id);
  }
  return ids;
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
  const row: AttributeMap = marshallItem(definition as unknown as Record<string, unknown>);
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
