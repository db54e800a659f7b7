/**
 * When an item has expired. With time to live enabled on a table, an item whose TTL attribute
 * is a number of epoch seconds at or before now is expired: reads no longer see it, and the
 * sweeper deletes it. As in DynamoDB, a value that is not a number, or more than five years in
 * the past (most likely milliseconds written by mistake), never expires the item.
 *
 * @module
 */
import type { AttributeMap } from "../model/attribute_value.ts";

/** How far in the past an expiry may lie and still count: five years, in seconds. */
export const MAX_EXPIRY_AGE_SECONDS = 5 * 365 * 24 * 3600;

/**
 * Whether an item has expired.
 *
 * @param item The item.
 * @param attributeName The table's TTL attribute.
 * @param nowMs The time, in milliseconds since the epoch.
 * @returns Whether the item's expiry has passed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isExpired } from "./expiry.ts";
 * const now = Date.UTC(2026, 0, 1);
 * assert.equal(isExpired({ exp: { N: String(now / 1000 - 1) } }, "exp", now), true);
 * assert.equal(isExpired({ exp: { N: String(now / 1000 + 60) } }, "exp", now), false);
 * assert.equal(isExpired({ exp: { S: "yesterday" } }, "exp", now), false);
 * assert.equal(isExpired({}, "exp", now), false);
 * ```
 */
export function isExpired(item: AttributeMap, attributeName: string, nowMs: number): boolean {
  const value = item[attributeName];
  if (value === undefined || !("N" in value)) return false;
  const expiry = Number(value.N);
  const now = nowMs / 1000;
  return expiry <= now && expiry >= now - MAX_EXPIRY_AGE_SECONDS;
}

/**
 * An item as reads see it: `undefined` once it has expired.
 *
 * @param item The stored item, if any.
 * @param ttlAttribute The table's TTL attribute when time to live is enabled.
 * @param nowMs The time, in milliseconds since the epoch.
 * @returns The item, or `undefined` when it is missing or expired.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { visibleItem } from "./expiry.ts";
 * const item = { id: { S: "a" }, exp: { N: "1" } };
 * assert.equal(visibleItem(item, "exp", Date.UTC(2000, 0, 1)), item);
 * assert.equal(visibleItem(item, "exp", Date.UTC(1970, 0, 2)), undefined);
 * assert.equal(visibleItem(item, undefined, Date.UTC(1970, 0, 2)), item);
 * ```
 */
export function visibleItem(
  item: AttributeMap | undefined,
  ttlAttribute: string | undefined,
  nowMs: number,
): AttributeMap | undefined {
  if (item === undefined || ttlAttribute === undefined) return item;
  return isExpired(item, ttlAttribute, nowMs) ? undefined : item;
}
