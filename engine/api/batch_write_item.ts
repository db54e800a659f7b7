/**
 * BatchWriteItem: up to 25 puts and deletes over one or more tables, committed as one WAL
 * record (so, unlike DynamoDB's, the batch is atomic) unless the index entries and stream
 * images it brings make that record larger than the WAL allows: then each item is one record
 * with its entries and stream record. At most 25 items of at most 400 KB each cannot reach
 * DynamoDB's 16 MB request limit, so that limit needs no check.
 *
 * @module
 */
import { validation } from "../errors.ts";
import { MAX_BATCH_WRITE_ITEMS } from "../limits.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import { encodedBatchSize, type Mutation } from "../store/batch_codec.ts";
import { WAL_MAX_PAYLOAD } from "../wal/format.ts";
import type { ApiContext } from "./context.ts";
import { itemIdentity } from "./_items.ts";
import { derivedMutations, type ItemChange } from "./_derived.ts";
import {
  applyWrite,
  changesOfWrite,
  findItem,
  planKeyed,
  planPut,
  type WritePlan,
} from "./_write.ts";

/** One write of a batch, in DynamoDB's shape: exactly one of the two members. */
export interface WriteRequest {
  /** Store this item, replacing any item with its key. */
  readonly PutRequest?: { readonly Item: AttributeMap } | undefined;
  /** Delete the item under this key. */
  readonly DeleteRequest?: { readonly Key: AttributeMap } | undefined;
}

/** A BatchWriteItem request, in DynamoDB's shape. */
export interface BatchWriteItemInput {
  /** Table name to the writes on it. */
  readonly RequestItems: Readonly<Record<string, readonly WriteRequest[]>>;
}

/** A BatchWriteItem response. */
export interface BatchWriteItemOutput {
  /** Always empty: kstone writes the whole batch or throws. */
  UnprocessedItems: Record<string, WriteRequest[]>;
}

/**
 * Writes up to 25 puts and deletes in one commit. Everything is validated first; nothing is
 * written when anything is invalid. Resolves once the batch is durable.
 *
 * @param ctx The database.
 * @param input The request.
 * @returns No unprocessed items.
 * @throws {KstoneError} VALIDATION: `Too many items requested for the BatchWriteItem call`
 *   over 25 writes, `Provided list of item keys contains duplicates` when two writes share a
 *   key, a bad key or item; RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { batchWriteItem } from "./batch_write_item.ts";
 * await using db = await Database.memory();
 * await db.put("old");
 * await batchWriteItem(db.apiContext(), {
 *   RequestItems: {
 *     "": [{ PutRequest: { Item: { pk: { S: "new" } } } }, { DeleteRequest: { Key: { pk: { S: "old" } } } }],
 *   },
 * });
 * assert.deepEqual(await db.get("new"), { pk: "new" });
 * assert.equal(await db.get("old"), undefined);
 * ```
 */
export async function batchWriteItem(
  ctx: ApiContext,
  input: BatchWriteItemInput,
): Promise<BatchWriteItemOutput> {
  const requests = Object.entries(input.RequestItems ?? {});
  if (requests.length === 0) {
    throw validation(
      "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  let total = 0;
  const plans: WritePlan[] = [];
  const seen = new Set<string>();
  for (const [name, writes] of requests) {
    const table = ctx.table(name);
    if (writes.length === 0) {
      throw validation(
        `1 validation error detected: Value at 'requestItems.${name}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
      );
    }
    total += writes.length;
    if (total > MAX_BATCH_WRITE_ITEMS) {
      throw validation("Too many items requested for the BatchWriteItem call");
    }
    for (const write of writes) {
      const { PutRequest: put, DeleteRequest: del } = write ?? {};
      if ((put === undefined) === (del === undefined)) {
        throw validation(
          "Invalid WriteRequest: must contain exactly one of PutRequest or DeleteRequest",
        );
      }
      const plan = put !== undefined
        ? planPut(table, put.Item)
        : planKeyed("delete", table, del!.Key);
      const identity = itemIdentity(plan.location);
      if (seen.has(identity)) throw validation("Provided list of item keys contains duplicates");
      seen.add(identity);
      plans.push(plan);
    }
  }
  const writes = plans.map((plan) => itemWriteOf(ctx, plan));
  const durable = commitWrites(ctx, writes);
  if (ctx.counters !== undefined) {
    for (const plan of plans) plan.kind === "put" ? ctx.counters.puts++ : ctx.counters.deletes++;
  }
  await durable;
  return { UnprocessedItems: {} };
}

/** One write of a batch: its item's mutation and the changes its indexes and stream follow. */
/** One unconditional write of a batch: its mutation and the changes derived writes follow. */
export interface ItemWrite {
  /** The item's own mutation. */
  readonly mutation: Mutation;
  /** What it changes, for index entries and stream records. */
  readonly changes: readonly ItemChange[];
}

/**
 * Reads what a put or delete replaces and works out its write, unconditionally.
 *
 * @param ctx The database.
 * @param plan A put or delete plan.
 * @returns The write.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { itemWriteOf } from "./batch_write_item.ts";
 * import { planPut } from "./_write.ts";
 * await using db = await Database.memory();
 * const ctx = db.apiContext();
 * const write = itemWriteOf(ctx, planPut(ctx.table(""), { pk: { S: "a" } }));
 * assert.notEqual(write.mutation.value, null);
 * assert.deepEqual(write.changes, []);
 * ```
 */
export function itemWriteOf(ctx: ApiContext, plan: WritePlan): ItemWrite {
  const found = findItem(ctx, plan, false);
  const outcome = applyWrite(plan, found.visible);
  return { mutation: outcome.mutation!, changes: changesOfWrite(plan, found, outcome) };
}

/**
 * Commits a batch's writes as one WAL record; or, when index entries and stream images make
 * that record larger than the WAL allows, one record per item (a batch is not atomic across
 * items in DynamoDB either). Each item stays one record with its index entries and stream
 * record.
 */
function commitWrites(ctx: ApiContext, writes: readonly ItemWrite[]): Promise<unknown> {
  const all = batchOf(ctx, writes);
  const size = encodedBatchSize(all);
  if (size <= WAL_MAX_PAYLOAD) return ctx.store.commit(all, size);
  return Promise.all(writes.map((write) => ctx.store.commit(batchOf(ctx, [write]))));
}

/**
 * The mutations that commit `writes`: theirs, then their index entries and stream records.
 *
 * @param ctx The database.
 * @param writes The writes.
 * @returns The batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { batchOf, itemWriteOf } from "./batch_write_item.ts";
 * import { planPut } from "./_write.ts";
 * await using db = await Database.memory();
 * const ctx = db.apiContext();
 * const write = itemWriteOf(ctx, planPut(ctx.table(""), { pk: { S: "a" } }));
 * assert.deepEqual(batchOf(ctx, [write]), [write.mutation]);
 * ```
 */
export function batchOf(ctx: ApiContext, writes: readonly ItemWrite[]): Mutation[] {
  const mutations = writes.map((write) => write.mutation);
  const changes = writes.flatMap((write) => write.changes);
  if (changes.length > 0) {
    for (const mutation of derivedMutations(ctx, changes)) mutations.push(mutation);
  }
  return mutations;
}
