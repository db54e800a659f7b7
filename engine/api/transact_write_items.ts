/**
 * TransactWriteItems: up to 100 puts, updates, deletes and condition checks on distinct items,
 * all or nothing. Every condition is checked against the items as they are and the writes are
 * committed in the same synchronous step, as one WAL record, so a crash never leaves half a
 * transaction and no other writer comes in between.
 *
 * @module
 */
import { itemSize } from "../codec/item_codec.ts";
import { KstoneError, validation } from "../errors.ts";
import { parseUpdate } from "../expression/mod.ts";
import { MAX_TRANSACT_WRITE_ITEMS, MAX_TRANSACTION_SIZE } from "../limits.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import { encodedBatchSize, type Mutation } from "../store/batch_codec.ts";
import { WAL_MAX_PAYLOAD } from "../wal/format.ts";
import type { ApiContext } from "./context.ts";
import {
  CONDITIONAL_REQUEST_FAILED,
  TransactionCanceledError,
  type WireCancellationReason,
} from "./errors.ts";
import { itemIdentity } from "./_items.ts";
import {
  checkOnFailure,
  expressionContext,
  type ExpressionInput,
  optionalCondition,
  type ReturnValuesOnConditionCheckFailure,
  transactCountError,
} from "./_request.ts";
import { derivedMutations, type ItemChange } from "./_derived.ts";
import {
  applyWrite,
  changesOfWrite,
  conditionHolds,
  findItem,
  planKeyed,
  planPut,
  type WritePlan,
} from "./_write.ts";

/** What every action of a transaction may carry. */
export interface TransactActionInput extends ExpressionInput {
  /** The table. */
  readonly TableName: string;
  /** The action happens only when this holds; otherwise the whole transaction is cancelled. */
  readonly ConditionExpression?: string | undefined;
  /** `ALL_OLD` puts the item on this action's cancellation reason when its condition fails. @default "NONE" */
  readonly ReturnValuesOnConditionCheckFailure?: string | undefined;
}

/** A transaction's put. */
export interface TransactPutInput extends TransactActionInput {
  /** The whole item. */
  readonly Item: AttributeMap;
}

/** A transaction's update (it creates a missing item). */
export interface TransactUpdateInput extends TransactActionInput {
  /** The key attributes. */
  readonly Key: AttributeMap;
  /** SET, REMOVE, ADD and DELETE clauses. */
  readonly UpdateExpression: string;
}

/** A transaction's delete. */
export interface TransactDeleteInput extends TransactActionInput {
  /** The key attributes. */
  readonly Key: AttributeMap;
}

/** A transaction's condition check: writes nothing, but cancels the transaction when false. */
export interface TransactConditionCheckInput extends TransactActionInput {
  /** The key attributes. */
  readonly Key: AttributeMap;
  /** The condition. */
  readonly ConditionExpression: string;
}

/** One action: exactly one of the four members. */
export interface TransactWriteItem {
  /** Store an item. */
  readonly Put?: TransactPutInput | undefined;
  /** Update an item. */
  readonly Update?: TransactUpdateInput | undefined;
  /** Delete an item. */
  readonly Delete?: TransactDeleteInput | undefined;
  /** Check a condition on an item. */
  readonly ConditionCheck?: TransactConditionCheckInput | undefined;
}

/** A TransactWriteItems request, in DynamoDB's shape. */
export interface TransactWriteItemsInput {
  /** 1 to 100 actions on distinct items. */
  readonly TransactItems: readonly TransactWriteItem[];
  /** Accepted and ignored (no idempotency window). */
  readonly ClientRequestToken?: string | undefined;
}

/** A TransactWriteItems response (empty). */
export type TransactWriteItemsOutput = Record<string, never>;

interface Action {
  readonly plan: WritePlan;
  readonly onFailure: ReturnValuesOnConditionCheckFailure;
}

function planAction(ctx: ApiContext, item: TransactWriteItem, index: number): Action {
  const members = (["Put", "Update", "Delete", "ConditionCheck"] as const).filter((m) =>
    item?.[m] !== undefined
  );
  if (members.length !== 1) {
    throw validation("TransactItems can only contain one of Check, Put, Update or Delete");
  }
  const member = members[0]!;
  const input = item[member]!;
  const required = (value: unknown, name: string) => {
    if (value === undefined) {
      const path = `transactItems.${index + 1}.member.${member[0]!.toLowerCase()}${
        member.slice(1)
      }.${name}`;
      throw validation(
        `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`,
      );
    }
  };
  const table = ctx.table(input.TableName);
  const onFailure = checkOnFailure(input.ReturnValuesOnConditionCheckFailure);
  const expressions = expressionContext(input);
  let plan: WritePlan;
  if (member === "Update") {
    const update = input as TransactUpdateInput;
    required(update.UpdateExpression, "updateExpression");
    const tree = parseUpdate(update.UpdateExpression, expressions);
    const condition = optionalCondition(
      input.ConditionExpression,
      expressions,
      "ConditionExpression",
    );
    plan = planKeyed("update", table, update.Key, condition, tree);
  } else {
    if (member === "ConditionCheck") required(input.ConditionExpression, "conditionExpression");
    const condition = optionalCondition(
      input.ConditionExpression,
      expressions,
      "ConditionExpression",
    );
    plan = member === "Put"
      ? planPut(table, (input as TransactPutInput).Item, condition)
      : planKeyed(
        member === "Delete" ? "delete" : "check",
        table,
        (input as TransactDeleteInput).Key,
        condition,
      );
  }
  expressions.assertAllUsed();
  return { plan, onFailure };
}

/**
 * Runs a transaction. Every action is validated first (a bad one fails the request with
 * VALIDATION and nothing happens); then every condition is evaluated and every write applied
 * against the items as they are, and the writes are committed together as one WAL record.
 * Resolves once the transaction is durable.
 *
 * @param ctx The database.
 * @param input The request.
 * @returns Nothing.
 * @throws {TransactionCanceledError} TRANSACTION_CANCELED when a condition fails or an update
 *   cannot apply; `reasons[i]` says what action `i` did.
 * @throws {KstoneError} VALIDATION: no actions or more than 100, `Transaction request cannot
 *   include multiple operations on one item`, a bad key, item or expression;
 *   RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database, KstoneError } from "../../mod.ts";
 * import { transactWriteItems } from "./transact_write_items.ts";
 * await using db = await Database.memory();
 * await db.put("alice", { balance: 10 });
 * const transfer = (amount: number) =>
 *   transactWriteItems(db.apiContext(), {
 *     TransactItems: [
 *       {
 *         Update: {
 *           TableName: "",
 *           Key: { pk: { S: "alice" } },
 *           UpdateExpression: "SET balance = balance - :a",
 *           ConditionExpression: "balance >= :a",
 *           ExpressionAttributeValues: { ":a": { N: String(amount) } },
 *         },
 *       },
 *       {
 *         Update: {
 *           TableName: "",
 *           Key: { pk: { S: "bob" } },
 *           UpdateExpression: "ADD balance :a",
 *           ExpressionAttributeValues: { ":a": { N: String(amount) } },
 *         },
 *       },
 *     ],
 *   });
 * await transfer(7);
 * await assert.rejects(transfer(7), (error: KstoneError) => error.code === "TRANSACTION_CANCELED");
 * assert.equal((await db.get("alice"))?.balance, 3);
 * assert.equal((await db.get("bob"))?.balance, 7);
 * ```
 */
export async function transactWriteItems(
  ctx: ApiContext,
  input: TransactWriteItemsInput,
): Promise<TransactWriteItemsOutput> {
  const items = input.TransactItems ?? [];
  const countError = transactCountError(items.length, MAX_TRANSACT_WRITE_ITEMS);
  if (countError !== undefined) throw countError;
  const actions = items.map((item, index) => planAction(ctx, item, index));
  const seen = new Set<string>();
  for (const { plan } of actions) {
    const identity = itemIdentity(plan.location);
    if (seen.has(identity)) {
      throw validation("Transaction request cannot include multiple operations on one item");
    }
    seen.add(identity);
  }
  // From here to the commit nothing awaits: the reads, checks and writes are one atomic step.
  const reasons: WireCancellationReason[] = [];
  const mutations: Mutation[] = [];
  let cancelled = false;
  let size = 0;
  const changes: ItemChange[] = [];
  for (const { plan, onFailure } of actions) {
    const found = findItem(ctx, plan, true);
    const old = found.visible;
    if (!conditionHolds(plan, old)) {
      cancelled = true;
      reasons.push(
        onFailure === "ALL_OLD" && old !== undefined
          ? { Code: "ConditionalCheckFailed", Message: CONDITIONAL_REQUEST_FAILED, Item: old }
          : { Code: "ConditionalCheckFailed", Message: CONDITIONAL_REQUEST_FAILED },
      );
      continue;
    }
    try {
      const outcome = applyWrite(plan, old);
      if (outcome.mutation !== undefined) mutations.push(outcome.mutation);
      for (const change of changesOfWrite(plan, found, outcome)) changes.push(change);
      if (outcome.next !== undefined) size += itemSize(outcome.next);
      reasons.push({ Code: "None" });
    } catch (error) {
      if (!(error instanceof KstoneError) || error.code !== "VALIDATION") throw error;
      cancelled = true;
      reasons.push({ Code: "ValidationError", Message: error.message });
    }
  }
  if (cancelled) throw new TransactionCanceledError(reasons);
  if (size > MAX_TRANSACTION_SIZE) {
    throw validation(
      `Transaction size has exceeded the maximum allowed size: limit ${MAX_TRANSACTION_SIZE} bytes (4 MB), actual ${size} bytes`,
    );
  }
  if (mutations.length === 0) return {};
  if (changes.length > 0) {
    for (const mutation of derivedMutations(ctx, changes)) mutations.push(mutation);
  }
  const bytes = encodedBatchSize(mutations);
  if (bytes > WAL_MAX_PAYLOAD) {
    throw validation(
      `Transaction is too large to commit atomically: its items, index entries and stream records take ${bytes} bytes, over the WAL record limit of ${WAL_MAX_PAYLOAD} bytes`,
    );
  }
  const durable = ctx.store.commit(mutations, bytes);
  if (ctx.counters !== undefined) {
    for (const { plan } of actions) {
      if (plan.kind === "put" || plan.kind === "update") ctx.counters.puts++;
      else if (plan.kind === "delete") ctx.counters.deletes++;
    }
  }
  await durable;
  return {};
}
