/**
 * Counting a keyspace (a table's items or an index's entries) for DescribeTable: it reads every
 * stripe from one snapshot and yields to the event loop as it goes, so counting a large table
 * never holds up other work.
 *
 * @module
 */
import { encodedItemSize } from "../api/_encoded_size.ts";
import { decodeItem } from "../codec/item_codec.ts";
import { prefixEnd, tablePrefix } from "../codec/key_codec.ts";
import type { Store } from "../store/store.ts";
import { isExpired } from "../ttl/expiry.ts";

/** Entries read between two yields to the event loop. */
const YIELD_EVERY = 4096;

/** How many entries a keyspace holds and their size. */
export interface KeyspaceSize {
  /** The number of entries (items). */
  readonly count: number;
  /** Their size, DynamoDB's item size rules. */
  readonly bytes: number;
}

/**
 * Counts the entries of a keyspace and sums their sizes.
 *
 * @param store The open store.
 * @param id The keyspace id (a table's or an index's).
 * @param expiry The TTL attribute and the time, to leave expired items out.
 * @returns The count and size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measureKeyspace } from "./keyspace_size.ts";
 * import { createStore } from "../store/open.ts";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { encodeKey, stripeOf } from "../codec/key_codec.ts";
 * import { encodeItem } from "../codec/item_codec.ts";
 * const store = await createStore(new MemoryFileSystem(), "/db.keystone", {});
 * const pk = { S: "a" };
 * await store.commit([{ stripe: stripeOf(pk), key: encodeKey(5, pk), value: encodeItem({ id: pk }) }]);
 * assert.deepEqual(await measureKeyspace(store, 5), { count: 1, bytes: 3 });
 * assert.deepEqual(await measureKeyspace(store, 6), { count: 0, bytes: 0 });
 * await store.close();
 * ```
 */
export async function measureKeyspace(
  store: Store,
  id: number,
  expiry?: { readonly attributeName: string; readonly nowMs: number },
): Promise<KeyspaceSize> {
  const start = tablePrefix(id);
  const end = prefixEnd(start);
  const snapshot = store.snapshot();
  let count = 0;
  let bytes = 0;
  let sinceYield = 0;
  try {
    for (let stripe = 0; stripe < store.stripes.length; stripe++) {
      for (const entry of snapshot.range(stripe, { start, end })) {
        if (
          expiry === undefined ||
          !isExpired(decodeItem(entry.value), expiry.attributeName, expiry.nowMs)
        ) {
          count++;
          bytes += encodedItemSize(entry.value);
        }
        if (++sinceYield === YIELD_EVERY) {
          sinceYield = 0;
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      }
    }
  } finally {
    snapshot.release();
  }
  return { count, bytes };
}
