/**
 * Backfill: filling a global secondary index added to a table that already holds items.
 *
 * While the index is `CREATING`, every write already maintains it (it is in the table's
 * `indexes`), so only the items written before it was added are missing. The backfill scans
 * the table stripe by stripe in chunks; each chunk is read and its entries committed in one
 * synchronous step, so each entry is derived from the item as it is at that commit and can
 * never undo a concurrent write. Between chunks it yields to the event loop so foreground
 * writes go on. Putting an entry is idempotent, so a backfill interrupted by a crash is simply
 * run again from the start.
 *
 * Flipping the index to `ACTIVE` is the caller's (UpdateTable's) job, once this resolves:
 * re-read the table's current definition, and if the index is still there and `CREATING`,
 * save the definition with its status `ACTIVE`.
 *
 * @module
 */
import { latin1ToBytes } from "../codec/bytes.ts";
import { decodeItem } from "../codec/item_codec.ts";
import { prefixEnd, tablePrefix } from "../codec/key_codec.ts";
import type { IndexDefinition } from "../db/catalog.ts";
import { KstoneError } from "../errors.ts";
import { STRIPE_COUNT } from "../limits.ts";
import type { Mutation } from "../store/batch_codec.ts";
import type { ApiContext, ApiTable } from "../api/context.ts";
import { after } from "../api/_start_key.ts";
import { indexEntry } from "./maintain.ts";

/** Options of {@linkcode backfillIndex}. */
export interface BackfillOptions {
  /** Stops the backfill (it rejects with the signal's reason) before the next chunk. */
  readonly signal?: AbortSignal | undefined;
  /** Most items read per chunk. @default 500 */
  readonly chunk?: number | undefined;
}

/** Most bytes of entries committed per chunk, whatever `chunk` says. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Writes the entries of every item of a table into one of its indexes. Items whose index key
 * attributes are missing, of the wrong type or too large are left out, as writes leave them
 * out (DynamoDB reports them as index key violations). Resolves early, without error, when the
 * table or the index is gone (deleted meanwhile).
 *
 * @param ctx The database.
 * @param tableName The table.
 * @param indexName The index, `CREATING` or `ACTIVE`.
 * @param options An abort signal and the chunk size.
 * @returns Resolves when every item read is indexed and durable.
 * @throws {KstoneError} CLOSED or FAILED when the store cannot commit; the signal's reason
 *   when aborted.
 *
 * @example Index the items a table already holds
 * ```ts
 * import assert from "node:assert/strict";
 * import { createStore } from "../store/open.ts";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { TableRegistry } from "../db/table_registry.ts";
 * import { putItem } from "../api/put_item.ts";
 * import { query } from "../api/query.ts";
 * import { backfillIndex } from "./backfill.ts";
 * const store = await createStore(new MemoryFileSystem(), "/db.keystone", {});
 * const tables = new TableRegistry(store);
 * const ctx = { store, table: (name: string) => tables.api(name) };
 * const definition = {
 *   id: tables.allocateId(),
 *   name: "users",
 *   keySchema: { partitionKey: { name: "id", type: "S" as const } },
 *   createdAt: 0,
 *   status: "ACTIVE" as const,
 * };
 * await tables.save(definition);
 * await putItem(ctx, { TableName: "users", Item: { id: { S: "u1" }, email: { S: "a@x" } } });
 * const index = {
 *   id: tables.allocateId(),
 *   name: "byEmail",
 *   kind: "GLOBAL" as const,
 *   keySchema: { partitionKey: { name: "email", type: "S" as const } },
 *   projection: { type: "ALL" as const },
 *   status: "CREATING" as const,
 *   createdAt: 0,
 * };
 * await tables.save({ ...definition, indexes: [index] });
 * await backfillIndex(ctx, "users", "byEmail");
 * await tables.save({ ...definition, indexes: [{ ...index, status: "ACTIVE" }] });
 * const page = await query(ctx, {
 *   TableName: "users",
 *   IndexName: "byEmail",
 *   KeyConditionExpression: "email = :e",
 *   ExpressionAttributeValues: { ":e": { S: "a@x" } },
 * });
 * assert.equal(page.Count, 1);
 * await store.close();
 * ```
 */
export async function backfillIndex(
  ctx: ApiContext,
  tableName: string,
  indexName: string,
  options: BackfillOptions = {},
): Promise<void> {
  const chunk = options.chunk ?? 500;
  for (let stripe = 0; stripe < STRIPE_COUNT; stripe++) {
    let start: Uint8Array | undefined;
    for (;;) {
      options.signal?.throwIfAborted();
      const target = resolve(ctx, tableName, indexName);
      if (target === undefined) return;
      const step = backfillChunk(ctx, target, stripe, start, chunk);
      await step.durable;
      if (step.next === undefined) break;
      start = step.next;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
}

/** The table and index as they are now, or `undefined` when either is gone. */
function resolve(
  ctx: ApiContext,
  tableName: string,
  indexName: string,
): { table: ApiTable; index: IndexDefinition } | undefined {
  let table: ApiTable;
  try {
    table = ctx.table(tableName);
  } catch (error) {
    if (error instanceof KstoneError && error.code === "RESOURCE_NOT_FOUND") return undefined;
    throw error;
  }
  const index = table.indexes?.find((index) => index.name === indexName);
  return index === undefined ? undefined : { table, index };
}

/**
 * Indexes one chunk of a stripe, reading and committing in one synchronous step.
 *
 * @returns The commit's durability, and where the next chunk starts (none at the stripe's end).
 */
function backfillChunk(
  ctx: ApiContext,
  { table, index }: { table: ApiTable; index: IndexDefinition },
  stripe: number,
  from: Uint8Array | undefined,
  chunk: number,
): { durable: Promise<void>; next: Uint8Array | undefined } {
  const prefix = tablePrefix(table.id);
  const mutations: Mutation[] = [];
  let read = 0;
  let bytes = 0;
  let last: string | undefined;
  let more = false;
  for (const entry of ctx.store.range(stripe, { start: from ?? prefix, end: prefixEnd(prefix) })) {
    if (read >= chunk || bytes >= CHUNK_BYTES) {
      more = true;
      break;
    }
    read++;
    last = entry.key;
    const put = indexEntry(table, index, decodeItem(entry.value));
    if (put === undefined) continue;
    mutations.push(put);
    bytes += put.key.length + put.value!.length;
  }
  const durable = mutations.length === 0 ? Promise.resolve() : ctx.store.commit(mutations);
  return { durable, next: more ? after(latin1ToBytes(last!)) : undefined };
}
