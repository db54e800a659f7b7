/**
 * Items and keys for the operations: locating an item in the store, reading it, and taking
 * its key attributes.
 *
 * @module
 */
import { bytesToLatin1 } from "../codec/bytes.ts";
import { decodeItem } from "../codec/item_codec.ts";
import { type ItemLocation, locate, locatePlain } from "../db/key_schema.ts";
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import { marshall, marshallItem } from "../model/marshall.ts";
import type { RangeEntry, RangeOptions } from "../store/stripe.ts";
import { visibleItem } from "../ttl/expiry.ts";
import type { ApiContext, ApiTable } from "./context.ts";

/** What the operations read through: the store itself, or a snapshot of it. */
export interface Reader {
  /** Reads one key. */
  get(stripe: number, key: Uint8Array): Uint8Array | undefined;
  /** Range-reads one stripe. */
  range(stripe: number, options?: RangeOptions): Iterable<RangeEntry>;
}

/**
 * The names of a table's key attributes, partition key first.
 *
 * @param table The table.
 * @returns One or two names.
 */
export function keyNames(table: ApiTable): string[] {
  const { partitionKey, sortKey } = table.keySchema;
  return sortKey === undefined ? [partitionKey.name] : [partitionKey.name, sortKey.name];
}

/**
 * Locates an item or a key, checking the key attributes as DynamoDB does.
 *
 * @param table The table.
 * @param item The item (`exact` false) or the key (`exact` true).
 * @param exact Whether the map must hold nothing but the key.
 * @returns Stripe and encoded key.
 * @throws {KstoneError} VALIDATION with DynamoDB's key messages.
 */
export function locateItem(table: ApiTable, item: AttributeMap, exact: boolean): ItemLocation {
  if (item === null || typeof item !== "object") {
    throw new TypeError(`Cannot locate item: expected an attribute map, got ${String(item)}`);
  }
  return locate(table.id, table.keySchema, item, table.sortKeyOptional, exact);
}

/**
 * {@linkcode locateItem} for a plain JS item or key: straight from its key values when they take
 * the common shapes (`locatePlain`), else from the marshalled key attributes (with `exact`, the
 * whole marshalled key), so the location and errors are those of the marshalled item.
 *
 * @param table The table.
 * @param item The plain item (`exact` false) or key (`exact` true); an item must marshall.
 * @param exact Whether `item` must hold nothing but the key.
 * @returns Stripe and encoded key.
 * @throws {KstoneError} VALIDATION with DynamoDB's key messages, or marshall's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { locateItem, locatePlainItem } from "./_items.ts";
 * const table = { id: 2, name: "t", keySchema: { partitionKey: { name: "pk", type: "S" as const } }, sortKeyOptional: false };
 * assert.deepEqual(locatePlainItem(table, { pk: "a", n: 1 }, false), locateItem(table, { pk: { S: "a" } }, false));
 * assert.throws(() => locatePlainItem(table, { pk: 1 }, true), /Type mismatch/);
 * ```
 */
export function locatePlainItem(
  table: ApiTable,
  item: Readonly<Record<string, unknown>>,
  exact: boolean,
): ItemLocation {
  return locatePlain(table.id, table.keySchema, item, table.sortKeyOptional, exact) ??
    locateItem(table, exact ? marshallItem(item) : keyAttributes(table, item), exact);
}

/** The key attributes of a plain item, marshalled (those it has). */
function keyAttributes(table: ApiTable, item: Readonly<Record<string, unknown>>): AttributeMap {
  const key: Record<string, AttributeValue> = {};
  const { partitionKey, sortKey } = table.keySchema;
  for (const attribute of [partitionKey, sortKey]) {
    const value = attribute === undefined ? undefined : item[attribute.name];
    if (value !== undefined) key[attribute!.name] = marshall(value, attribute!.name);
  }
  return key;
}

/**
 * Reads an item.
 *
 * @param reader The store or a snapshot.
 * @param location Where the item lives.
 * @returns The item, or `undefined`.
 */
export function readItem(reader: Reader, location: ItemLocation): AttributeMap | undefined {
  const bytes = reader.get(location.stripe, location.key);
  return bytes === undefined ? undefined : decodeItem(bytes);
}

/**
 * The time by the database's clock.
 *
 * @param ctx The database.
 * @returns Milliseconds since the epoch.
 */
export function nowOf(ctx: ApiContext): number {
  return ctx.now === undefined ? Date.now() : ctx.now();
}

/** What decides expiry when a table has time to live enabled. */
export interface Expiry {
  /** The TTL attribute. */
  readonly attribute: string;
  /** The time, in milliseconds since the epoch. */
  readonly nowMs: number;
}

/**
 * The expiry rule for reads of a table, now.
 *
 * @param ctx The database.
 * @param table The table.
 * @returns The rule, or `undefined` when time to live is off.
 */
export function expiryOf(ctx: ApiContext, table: ApiTable): Expiry | undefined {
  const attribute = table.ttlAttribute;
  return attribute === undefined ? undefined : { attribute, nowMs: nowOf(ctx) };
}

/**
 * Reads an item as reads see it: an expired item reads as missing.
 *
 * @param ctx The database (its clock).
 * @param reader The store or a snapshot.
 * @param table The table.
 * @param location Where the item lives.
 * @returns The item, or `undefined` when it is missing or expired.
 */
export function readVisible(
  ctx: ApiContext,
  reader: Reader,
  table: ApiTable,
  location: ItemLocation,
): AttributeMap | undefined {
  const item = readItem(reader, location);
  if (item === undefined || table.ttlAttribute === undefined) return item;
  return visibleItem(item, table.ttlAttribute, nowOf(ctx));
}

/**
 * The key attributes of an item (the sort key only when the item has it).
 *
 * @param table The table.
 * @param item The item.
 * @returns The key.
 */
export function keyOf(table: ApiTable, item: AttributeMap): AttributeMap {
  const { partitionKey, sortKey } = table.keySchema;
  const key: Record<string, AttributeMap[string]> = {
    [partitionKey.name]: item[partitionKey.name]!,
  };
  if (sortKey !== undefined && item[sortKey.name] !== undefined) {
    key[sortKey.name] = item[sortKey.name]!;
  }
  return key;
}

/**
 * A string unique to an item across tables (its encoded key holds the table id), to detect two
 * requests on one item.
 *
 * @param location The item's location.
 * @returns The key as a latin1 string.
 */
export function itemIdentity(location: ItemLocation): string {
  return bytesToLatin1(location.key);
}
