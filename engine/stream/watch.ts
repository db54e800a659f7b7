/**
 * Following a stream as it grows: an async iterator over a stream's records that, once it has
 * read them all, waits for the next commit that adds one (woken by the stream's notifier, no
 * polling). It stops when its signal aborts or the database closes.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { endWaits, nextRecord } from "./notifier.ts";
import { readStream } from "./reader.ts";
import type { StreamRecord } from "./record.ts";
import { MAX_POSITION, sequenceNumber } from "./sequence.ts";

/**
 * Where to start following a stream: its oldest kept record (`TRIM_HORIZON`), the next record
 * written (`LATEST`), at a record or after one.
 */
export type WatchStart =
  | "TRIM_HORIZON"
  | "LATEST"
  | { readonly at: string }
  | { readonly after: string };

/** Options of {@linkcode watchStream}. */
export interface WatchOptions {
  /** Where to start. @default "TRIM_HORIZON" */
  readonly from?: WatchStart | undefined;
  /** Stops the iteration: it throws the signal's reason. @default none */
  readonly signal?: AbortSignal | undefined;
}

/** Records read per step. */
const WATCH_BATCH = 100;

/**
 * Follows a stream: yields its records from `from` on, then each new one as it is committed.
 * The iteration ends when the database closes, and throws the signal's reason when it aborts.
 *
 * @param store The database's store.
 * @param streamId The stream's keyspace id.
 * @param options Where to start and an abort signal.
 * @returns The records, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { watchStream } from "./watch.ts";
 * const db = await Database.memory();
 * const records = watchStream(db.apiContext().store, 99, { from: "LATEST" });
 * const next = records.next();
 * await db.close();
 * assert.deepEqual(await next, { done: true, value: undefined });
 * ```
 */
export async function* watchStream(
  store: Store,
  streamId: number,
  options: WatchOptions = {},
): AsyncGenerator<StreamRecord, void, undefined> {
  const { from = "TRIM_HORIZON", signal } = options;
  signal?.throwIfAborted();
  let position: { from?: string; after?: string };
  if (from === "TRIM_HORIZON") position = {};
  else if (from === "LATEST") position = { after: sequenceNumber(store.lastLsn, MAX_POSITION) };
  else if ("at" in from) position = { from: from.at };
  else position = { after: from.after };
  for (;;) {
    if (store.closed) return;
    const page = readStream(store, streamId, { ...position, limit: WATCH_BATCH });
    if (page.records.length === 0) {
      const reason = await nextRecord(streamId, store, signal);
      if (reason === "ended") return;
      if (reason === "aborted") signal?.throwIfAborted();
      continue;
    }
    position = { after: page.last! };
    for (const record of page.records) {
      yield record;
      signal?.throwIfAborted();
    }
  }
}

/**
 * Ends every {@linkcode watchStream} iteration over a store: call it when the database closes.
 *
 * @param store The closing store.
 */
export function endWatches(store: Store): void {
  endWaits(store);
}
