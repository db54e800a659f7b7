/**
 * ExclusiveStartKey: where a Query or Scan page resumes.
 *
 * @module
 */
import type { ItemLocation } from "../db/key_schema.ts";
import { validation } from "../errors.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import type { ApiTable } from "./context.ts";
import { locateItem } from "./_items.ts";

/**
 * Locates an ExclusiveStartKey, which must be exactly a key of the table.
 *
 * @param table The table.
 * @param key The ExclusiveStartKey.
 * @param message The message when it is not a key of the table.
 * @returns The key's location.
 * @throws {KstoneError} VALIDATION with `message`.
 */
export function locateStartKey(table: ApiTable, key: AttributeMap, message: string): ItemLocation {
  try {
    return locateItem(table, key, true);
  } catch {
    throw validation(message);
  }
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
