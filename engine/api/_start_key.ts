/**
 * ExclusiveStartKey: where a Query or Scan page resumes.
 *
 * @module
 */
import type { IndexDefinition } from "../db/catalog.ts";
import type { ItemLocation } from "../db/key_schema.ts";
import { validation } from "../errors.ts";
import { entryKeyNames, indexEntryKey } from "../index/index_key.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import type { ApiTable } from "./context.ts";
import { locateItem } from "./_items.ts";

/**
 * Locates an ExclusiveStartKey, which must be exactly a key of the table, or for a read of an
 * index exactly the table's and the index's key attributes (as LastEvaluatedKey gives them).
 *
 * @param table The table.
 * @param key The ExclusiveStartKey.
 * @param message The message when it is not such a key.
 * @param index The index read, if any.
 * @returns The location of the key (of its index entry, for an index).
 * @throws {KstoneError} VALIDATION with `message`.
 */
export function locateStartKey(
  table: ApiTable,
  key: AttributeMap,
  message: string,
  index?: IndexDefinition,
): ItemLocation {
  let location: ItemLocation | undefined;
  try {
    if (index === undefined) return locateItem(table, key, true);
    const names = entryKeyNames(table, index);
    if (Object.keys(key).every((name) => names.includes(name))) {
      locateItem(table, key, false);
      location = indexEntryKey(table, index, key);
    }
  } catch {
    throw validation(message);
  }
  if (location === undefined) throw validation(message);
  return location;
}

/**
 * The smallest key after `key`: the exclusive bound that follows it.
 *
 * @param key An encoded key.
 * @returns `key` followed by a zero byte.
 */
export function after(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}
