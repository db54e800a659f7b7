/**
 * Stream retention: records older than the retention period (24 hours by default, as in
 * DynamoDB) are deleted, oldest first, in chunks committed through the store, each with the
 * stream's trim marker (the newest sequence number removed) so readers can tell a position
 * that was trimmed away. Streams of deleted tables and disabled streams are trimmed the same
 * way: they stay readable until their records age out.
 *
 * @module
 */
import { encodeItem } from "../codec/item_codec.ts";
import type { Mutation } from "../store/batch_codec.ts";
import type { Store } from "../store/store.ts";
import { recordCreatedAt } from "./record.ts";
import { recordBounds, sequenceOfKey, streamStripe, trimMarkerKey } from "./sequence.ts";
import { latin1ToBytes } from "../codec/bytes.ts";

/** How long stream records are kept by default: 24 hours, in milliseconds. */
export const DEFAULT_STREAM_RETENTION_MS = 24 * 3600 * 1000;

/** Records deleted per commit. */
const TRIM_CHUNK = 256;

/** Options of {@linkcode trimStream}. */
export interface TrimOptions {
  /** The time, milliseconds since the epoch. */
  readonly nowMs: number;
  /** How long records are kept, in milliseconds. */
  readonly retentionMs: number;
  /** Checked between chunks: stop early (the database is closing). @default never */
  readonly stopped?: () => boolean;
}

/**
 * Deletes a stream's records older than the retention period. Between chunks it waits for the
 * chunk to be durable, which lets other work run.
 *
 * @param store The open store.
 * @param streamId The stream's keyspace id.
 * @param options The time, the retention period and a stop check.
 * @returns How many records were deleted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { trimStream } from "./retention.ts";
 * await using db = await Database.memory();
 * const store = db.apiContext().store;
 * assert.equal(await trimStream(store, 99, { nowMs: Date.now(), retentionMs: 1000 }), 0);
 * ```
 */
export async function trimStream(
  store: Store,
  streamId: number,
  options: TrimOptions,
): Promise<number> {
  const stripe = streamStripe(streamId);
  const cutoff = options.nowMs - options.retentionMs;
  let removed = 0;
  for (;;) {
    if (store.closed || options.stopped?.() === true) return removed;
    const mutations: Mutation[] = [];
    let last: string | undefined;
    let more = false;
    for (const entry of store.range(stripe, recordBounds(streamId, {}))) {
      if (recordCreatedAt(entry.value) >= cutoff) break;
      if (mutations.length === TRIM_CHUNK) {
        more = true;
        break;
      }
      mutations.push({ stripe, key: latin1ToBytes(entry.key), value: null });
      last = sequenceOfKey(entry.key);
    }
    if (last === undefined) return removed;
    mutations.push({
      stripe,
      key: trimMarkerKey(streamId),
      value: encodeItem({ through: { S: last } }),
    });
    removed += mutations.length - 1;
    await store.commit(mutations);
    if (!more) return removed;
  }
}
