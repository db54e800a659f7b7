/**
 * Bulk puts: any number of items of one table, unconditionally, as one atomic commit (one WAL
 * record). The embedded counterpart of a write batch; BatchWriteItem keeps DynamoDB's limit of
 * 25.
 *
 * @module
 */
import { encodePlainItem } from "../codec/item_codec.ts";
import { validation } from "../errors.ts";
import { marshallItem } from "../model/marshall.ts";
import { encodedBatchSize, type Mutation } from "../store/batch_codec.ts";
import { WAL_MAX_PAYLOAD } from "../wal/format.ts";
import { batchOf, itemWriteOf } from "./batch_write_item.ts";
import type { ApiContext } from "./context.ts";
import { hasDerived } from "./_derived.ts";
import { itemIdentity, locatePlainItem } from "./_items.ts";
import { planPut, type WritePlan } from "./_write.ts";

/**
 * Puts every item into one table, replacing any item with the same key, and commits them all
 * (with their index entries and stream records) as one WAL record: after a crash either every
 * item is there or none is. The writes are applied before this returns; the promise resolves
 * once they are durable.
 *
 * Each item is checked as a put checks it. Of items with the same key the last one wins: it
 * alone is written (a stream records one change for the key). A batch whose record would pass the WAL's limit of 64 MiB
 * is refused (split such a load into several calls).
 *
 * @param ctx The database.
 * @param tableName The table (`""` for the default table).
 * @param items Plain JS items, each with its key attributes.
 * @returns Resolves once the batch is durable.
 * @throws {KstoneError} VALIDATION for a bad item (nothing is written) or a batch over the WAL
 *   record limit; RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { putMany } from "./put_many.ts";
 * await using db = await Database.memory();
 * await putMany(db.apiContext(), "", [{ pk: "a", n: 1 }, { pk: "b", n: 2 }]);
 * assert.deepEqual(await db.get("b"), { pk: "b", n: 2 });
 * ```
 */
export function putMany(
  ctx: ApiContext,
  tableName: string,
  items: Iterable<Readonly<Record<string, unknown>>>,
): Promise<void> {
  const table = ctx.table(tableName);
  let count = 0;
  let mutations: Mutation[];
  if (hasDerived(table)) {
    // Index entries and stream records follow from the item each write replaces, read before
    // the commit: so only the last write of each key goes in.
    const plans = new Map<string, WritePlan>();
    for (const item of items) {
      const plan = planPut(table, marshallItem(item));
      const identity = itemIdentity(plan.location);
      plans.delete(identity);
      plans.set(identity, plan);
      count++;
    }
    mutations = batchOf(ctx, [...plans.values()].map((plan) => itemWriteOf(ctx, plan)));
  } else {
    mutations = [];
    for (const item of items) {
      // Items the single-pass encoder declines take the general path, for its value or error.
      let value = encodePlainItem(item as Record<string, unknown>);
      let location;
      if (value === undefined) {
        const plan = planPut(table, marshallItem(item));
        location = plan.location;
        value = plan.put!.value;
      } else location = locatePlainItem(table, item, false);
      // A later mutation of a key in the same batch wins, in the memtable and in WAL replay.
      mutations.push({ stripe: location.stripe, key: location.key, value });
      count++;
    }
  }
  if (mutations.length === 0) return Promise.resolve();
  const bytes = encodedBatchSize(mutations);
  if (bytes > WAL_MAX_PAYLOAD) {
    throw validation(
      `The items are too many to commit atomically: with their index entries and stream records they take ${bytes} bytes, over the WAL record limit of ${WAL_MAX_PAYLOAD} bytes`,
    );
  }
  const durable = ctx.store.commit(mutations, bytes);
  if (ctx.counters !== undefined) ctx.counters.puts += count;
  return durable;
}
