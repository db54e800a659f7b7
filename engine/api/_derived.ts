/**
 * What a write changes besides its item: the entries of the table's secondary indexes and the
 * record of its stream. They are computed from the item as stored before the write and after
 * it, in the same synchronous step, and committed in the same WAL record as the item, so an
 * index or a stream never disagrees with its table, even after a crash.
 *
 * An expired item that a write replaces or deletes leaves as a time-to-live deletion first (its
 * stream record is marked as the service's), then the write's item arrives as a new one.
 *
 * @module
 */
import type { AttributeMap } from "../model/attribute_value.ts";
import { indexMutations } from "../index/maintain.ts";
import type { Mutation } from "../store/batch_codec.ts";
import { streamMutation } from "../stream/capture.ts";
import type { ApiContext, ApiTable } from "./context.ts";
import { nowOf } from "./_items.ts";

/** One item's change, as stored. */
export interface ItemChange {
  /** The table. */
  readonly table: ApiTable;
  /** The item's key attributes. */
  readonly key: AttributeMap;
  /** The item as stored before the write, expired or not. */
  readonly old: AttributeMap | undefined;
  /** The item after the write. */
  readonly next: AttributeMap | undefined;
  /** Whether time to live removed the item (a service deletion, not the caller's). */
  readonly expired?: boolean;
}

/**
 * Whether writes to a table change more than their item, and so must read the stored item.
 *
 * @param table The table.
 * @returns Whether the table has indexes, a stream or time to live.
 */
export function hasDerived(table: ApiTable): boolean {
  return (table.indexes !== undefined && table.indexes.length > 0) ||
    table.stream !== undefined || table.ttlAttribute !== undefined;
}

/**
 * The changes a write makes, given the stored item, the item its condition saw (`undefined`
 * when the stored one has expired) and the item after the write.
 *
 * @param table The table.
 * @param key The item's key attributes.
 * @param stored The item as stored.
 * @param visible The item as reads see it.
 * @param next The item after the write.
 * @returns One change, or two when an expired item is replaced or deleted.
 */
export function changesOf(
  table: ApiTable,
  key: AttributeMap,
  stored: AttributeMap | undefined,
  visible: AttributeMap | undefined,
  next: AttributeMap | undefined,
): ItemChange[] {
  if (stored === undefined || visible !== undefined) return [{ table, key, old: stored, next }];
  const changes: ItemChange[] = [{ table, key, old: stored, next: undefined, expired: true }];
  if (next !== undefined) changes.push({ table, key, old: undefined, next });
  return changes;
}

/**
 * The index and stream mutations of a batch of changes, to commit with the items' own
 * mutations. Call it in the same synchronous step as the commit: stream records take their
 * sequence numbers from the commit's LSN.
 *
 * @param ctx The database (its store and clock).
 * @param changes The changes, in commit order.
 * @returns The mutations, in order.
 * @throws {KstoneError} VALIDATION when an item's index key attribute has the wrong type.
 */
export function derivedMutations(ctx: ApiContext, changes: readonly ItemChange[]): Mutation[] {
  const mutations: Mutation[] = [];
  const lsn = ctx.store.nextLsn;
  let nowMs: number | undefined;
  let position = 0;
  for (const change of changes) {
    const { table } = change;
    if (table.indexes !== undefined && table.indexes.length > 0) {
      for (const mutation of indexMutations(table, change.old, change.next)) {
        mutations.push(mutation);
      }
    }
    if (table.stream !== undefined) {
      nowMs ??= nowOf(ctx);
      const record = streamMutation(table.stream, change, { lsn, position, nowMs });
      if (record !== undefined) {
        mutations.push(record);
        position++;
      }
    }
  }
  return mutations;
}
