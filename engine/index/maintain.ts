/**
 * PLACEHOLDER — being written by the index engineer.
 *
 * @module
 */
import type { ApiTable } from "../api/context.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import type { Mutation } from "../store/batch_codec.ts";

/**
 * The index mutations that take a table's indexes from `old` to `next`.
 *
 * @param table The table (its `indexes`).
 * @param old The item as stored before the write.
 * @param next The item after it.
 * @returns Deletes of stale entries and puts of new ones.
 */
export function indexMutations(
  table: ApiTable,
  old: AttributeMap | undefined,
  next: AttributeMap | undefined,
): Mutation[] {
  void table, old, next;
  return [];
}

/**
 * Checks the types of an item's index key attributes.
 *
 * @param table The table.
 * @param item The item.
 * @throws {KstoneError} VALIDATION when an index key attribute has the wrong type.
 */
export function checkIndexKeys(table: ApiTable, item: AttributeMap): void {
  void table, item;
}
