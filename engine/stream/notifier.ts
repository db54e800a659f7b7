/**
 * Wakes readers waiting for a stream's next record, without polling. A write announces its
 * stream when it makes a record; the readers waiting on that stream id are woken in a
 * microtask, after the write's synchronous commit, and read the store again. Stream ids are
 * per database, so a write to another open database with the same stream id wakes a reader for
 * nothing: it finds no new record and waits again.
 *
 * @module
 */

interface Waiter {
  readonly owner: object;
  finish(reason: WakeReason): void;
}

const waiting = new Map<number, Set<Waiter>>();
const scheduled = new Set<number>();
const ended = new WeakSet<object>();

/**
 * Wakes, in a microtask, every reader waiting on a stream.
 *
 * @param streamId The stream's keyspace id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { announce, nextRecord } from "./notifier.ts";
 * const owner = {};
 * const woken = nextRecord(41, owner);
 * announce(41);
 * assert.equal(await woken, "record");
 * ```
 */
export function announce(streamId: number): void {
  if (!waiting.has(streamId) || scheduled.has(streamId)) return;
  scheduled.add(streamId);
  queueMicrotask(() => {
    scheduled.delete(streamId);
    const waiters = waiting.get(streamId);
    waiting.delete(streamId);
    for (const waiter of waiters ?? []) waiter.finish("record");
  });
}

/** Why a wait ended. */
export type WakeReason = "record" | "aborted" | "ended";

/**
 * Waits until a stream is announced, the signal aborts, or the owner ends its waits.
 *
 * @param streamId The stream's keyspace id.
 * @param owner What the wait belongs to (the database's store), for {@linkcode endWaits}.
 * @param signal Ends the wait early.
 * @returns Why the wait ended.
 */
export function nextRecord(
  streamId: number,
  owner: object,
  signal?: AbortSignal,
): Promise<WakeReason> {
  if (ended.has(owner)) return Promise.resolve("ended");
  if (signal?.aborted === true) return Promise.resolve("aborted");
  return new Promise((resolve) => {
    let waiters = waiting.get(streamId);
    if (waiters === undefined) waiting.set(streamId, waiters = new Set());
    const onAbort = () => finish("aborted");
    const waiter: Waiter = { owner, finish };
    function finish(reason: WakeReason): void {
      signal?.removeEventListener("abort", onAbort);
      const set = waiting.get(streamId);
      set?.delete(waiter);
      if (set?.size === 0) waiting.delete(streamId);
      resolve(reason);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    waiters.add(waiter);
  });
}

/**
 * Ends every wait of an owner, present and future (the database is closing).
 *
 * @param owner The owner given to {@linkcode nextRecord}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endWaits, nextRecord } from "./notifier.ts";
 * const owner = {};
 * const wait = nextRecord(42, owner);
 * endWaits(owner);
 * assert.equal(await wait, "ended");
 * ```
 */
export function endWaits(owner: object): void {
  ended.add(owner);
  for (const waiters of [...waiting.values()]) {
    for (const waiter of [...waiters]) {
      if (waiter.owner === owner) waiter.finish("ended");
    }
  }
}
