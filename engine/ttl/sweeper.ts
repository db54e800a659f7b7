/**
 * The time-to-live sweeper: it walks a table's items in chunks and deletes the expired ones.
 * Each deletion is a real delete committed with its derived mutations (index entries removed,
 * a stream REMOVE record marked as the service's), and the expiry is checked in the same
 * synchronous step as the commit, so an item rewritten meanwhile is never removed. Compaction
 * later drops the tombstones, which reclaims the space.
 *
 * @module
 */
import { derivedMutations, type ItemChange } from "../api/_derived.ts";
import { keyOf, nowOf } from "../api/_items.ts";
import type { ApiContext, ApiTable } from "../api/context.ts";
import { latin1ToBytes } from "../codec/bytes.ts";
import { decodeItem } from "../codec/item_codec.ts";
import { prefixEnd, tablePrefix } from "../codec/key_codec.ts";
import type { Mutation } from "../store/batch_codec.ts";
import { isExpired } from "./expiry.ts";

/** Items examined per synchronous step. */
const SWEEP_CHUNK = 256;

/** Options of {@linkcode sweepTable}. */
export interface SweepOptions {
  /** Checked between chunks: stop early (the database is closing). @default never */
  readonly stopped?: () => boolean;
}

/**
 * Deletes the expired items of one table. Chunks of items are read and their expired ones
 * deleted in one synchronous step and one commit; between chunks other work runs. The sweep
 * stops when the table is deleted, replaced or has time to live turned off.
 *
 * @param ctx The database (store, tables, clock).
 * @param name The table's name (`""` for the default table).
 * @param options A stop check.
 * @returns How many items were deleted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { sweepTable } from "./sweeper.ts";
 * await using db = await Database.memory();
 * await db.put("a", { n: 1 });
 * assert.equal(await sweepTable(db.apiContext(), ""), 0); // time to live is off
 * ```
 */
export async function sweepTable(
  ctx: ApiContext,
  name: string,
  options: SweepOptions = {},
): Promise<number> {
  const first = ctx.table(name);
  const prefix = tablePrefix(first.id);
  const end = prefixEnd(prefix);
  let removed = 0;
  let scanned = 0;
  for (let stripe = 0; stripe < ctx.store.stripes.length; stripe++) {
    let start = prefix;
    for (;;) {
      if (ctx.store.closed || options.stopped?.() === true) return removed;
      const table = currentTable(ctx, name, first.id);
      if (table?.ttlAttribute === undefined) return removed;
      const step = sweepChunk(ctx, table, stripe, start, end);
      removed += step.removed;
      scanned += step.scanned;
      if (step.durable !== undefined) {
        await step.durable;
        scanned = 0;
      } else if (scanned >= SWEEP_CHUNK) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        scanned = 0;
      }
      if (step.next === undefined) break;
      start = step.next;
    }
  }
  return removed;
}

interface ChunkResult {
  readonly removed: number;
  readonly scanned: number;
  readonly durable: Promise<void> | undefined;
  readonly next: Uint8Array | undefined;
}

function sweepChunk(
  ctx: ApiContext,
  table: ApiTable,
  stripe: number,
  start: Uint8Array,
  end: Uint8Array | undefined,
): ChunkResult {
  const attribute = table.ttlAttribute!;
  const nowMs = nowOf(ctx);
  const deletes: Mutation[] = [];
  const changes: ItemChange[] = [];
  let scanned = 0;
  let next: Uint8Array | undefined;
  for (const entry of ctx.store.range(stripe, { start, end })) {
    if (scanned === SWEEP_CHUNK) {
      next = latin1ToBytes(entry.key);
      break;
    }
    scanned++;
    const item = decodeItem(entry.value);
    if (!isExpired(item, attribute, nowMs)) continue;
    deletes.push({ stripe, key: latin1ToBytes(entry.key), value: null });
    changes.push({ table, key: keyOf(table, item), old: item, next: undefined, expired: true });
  }
  if (deletes.length === 0) return { removed: 0, scanned, durable: undefined, next };
  const durable = ctx.store.commit([...deletes, ...derivedMutations(ctx, changes)]);
  return { removed: deletes.length, scanned, durable, next };
}

function currentTable(ctx: ApiContext, name: string, id: number): ApiTable | undefined {
  try {
    const table = ctx.table(name);
    return table.id === id ? table : undefined;
  } catch {
    return undefined;
  }
}
