/**
 * The write path shared by PutItem, UpdateItem, DeleteItem, BatchWriteItem and
 * TransactWriteItems: a request is first planned (parsed and validated, before anything is
 * read), then executed against the item as it is, in one synchronous step with the commit.
 *
 * @module
 */
import { encodeValidItem } from "../codec/item_codec.ts";
import type { ItemLocation } from "../db/key_schema.ts";
import {
  applyUpdate,
  assertKeyUnchanged,
  type ConditionNode,
  type DocumentPath,
  evaluateCondition,
  type UpdateNode,
} from "../expression/mod.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import type { Mutation } from "../store/batch_codec.ts";
import { checkIndexKeys } from "../index/maintain.ts";
import { visibleItem } from "../ttl/expiry.ts";
import type { ApiContext, ApiTable } from "./context.ts";
import { ConditionalCheckFailedError } from "./errors.ts";
import { changesOf, derivedMutations, hasDerived, type ItemChange } from "./_derived.ts";
import { keyNames, keyOf, locateItem, nowOf, readItem } from "./_items.ts";
import type { ReturnValuesOnConditionCheckFailure } from "./_request.ts";

/** What a write does to its item. `check` is a transaction's ConditionCheck. */
export type WriteKind = "put" | "update" | "delete" | "check";

/** A validated write, ready to run against the current item. */
export interface WritePlan {
  /** What it does. */
  readonly kind: WriteKind;
  /** The table. */
  readonly table: ApiTable;
  /** Where the item lives. */
  readonly location: ItemLocation;
  /** The item's key attributes. */
  readonly key: AttributeMap;
  /** For a put: the item and its encoding. */
  readonly put?: { readonly item: AttributeMap; readonly value: Uint8Array };
  /** For an update: the parsed UpdateExpression, if any. */
  readonly update?: UpdateNode;
  /** The ConditionExpression, if any. */
  readonly condition?: ConditionNode;
}

/** What running a plan produced. */
export interface WriteOutcome {
  /** The item after the write (`undefined` after a delete or a check). */
  readonly next: AttributeMap | undefined;
  /** The change to commit; none for a check. */
  readonly mutation: Mutation | undefined;
  /** The paths an update wrote (for `UPDATED_OLD`/`UPDATED_NEW`). */
  readonly updatedPaths: readonly DocumentPath[];
}

/**
 * Plans a put: locates the item and checks its size and values.
 *
 * @param table The table.
 * @param item The whole item.
 * @param condition The condition, if any.
 * @returns The plan.
 * @throws {KstoneError} VALIDATION for a bad key, an item over 400 KB or a value that cannot be stored.
 */
export function planPut(table: ApiTable, item: AttributeMap, condition?: ConditionNode): WritePlan {
  const location = locateItem(table, item, false);
  checkIndexKeys(table, item);
  const value = encodeValidItem(item);
  return withCondition({
    kind: "put",
    table,
    location,
    key: keyOf(table, item),
    put: { item, value },
  }, condition);
}

/**
 * Plans an update, a delete or a condition check of the item under `key`.
 *
 * @param kind What it does.
 * @param table The table.
 * @param key The key attributes, and nothing else.
 * @param condition The condition, if any.
 * @param update For an update, the UpdateExpression, if any.
 * @returns The plan.
 * @throws {KstoneError} VALIDATION for a bad key, or an update that writes a key attribute.
 */
export function planKeyed(
  kind: "update" | "delete" | "check",
  table: ApiTable,
  key: AttributeMap,
  condition?: ConditionNode,
  update?: UpdateNode,
): WritePlan {
  const location = locateItem(table, key, true);
  const plan: WritePlan = { kind, table, location, key: keyOf(table, key) };
  if (update !== undefined) {
    assertKeyUnchanged(update, keyNames(table));
    return withCondition({ ...plan, update }, condition);
  }
  return withCondition(plan, condition);
}

function withCondition(plan: WritePlan, condition: ConditionNode | undefined): WritePlan {
  return condition === undefined ? plan : { ...plan, condition };
}

/**
 * Whether a plan needs the current item: for its condition, an update, or returned values.
 *
 * @param plan The plan.
 * @param returnsOld Whether the request returns the old item or its updated attributes.
 * @returns Whether to read it.
 */
export function needsOld(plan: WritePlan, returnsOld: boolean): boolean {
  return returnsOld || plan.condition !== undefined || plan.kind === "update";
}

/**
 * Evaluates a plan's condition against the current item.
 *
 * @param plan The plan.
 * @param old The current item, or `undefined` when there is none.
 * @returns Whether the write may go ahead.
 */
export function conditionHolds(plan: WritePlan, old: AttributeMap | undefined): boolean {
  return plan.condition === undefined || evaluateCondition(plan.condition, old);
}

/**
 * Computes what a plan writes, given the current item. An update of a missing item creates
 * it from its key.
 *
 * @param plan The plan.
 * @param old The current item.
 * @returns The new item and the mutation.
 * @throws {KstoneError} VALIDATION when the update cannot apply to this item or makes it too large.
 */
export function applyWrite(plan: WritePlan, old: AttributeMap | undefined): WriteOutcome {
  const { stripe, key } = plan.location;
  switch (plan.kind) {
    case "check":
      return { next: undefined, mutation: undefined, updatedPaths: [] };
    case "delete":
      return { next: undefined, mutation: { stripe, key, value: null }, updatedPaths: [] };
    case "put":
      return {
        next: plan.put!.item,
        mutation: { stripe, key, value: plan.put!.value },
        updatedPaths: [],
      };
    case "update": {
      let next: AttributeMap = old ?? plan.key;
      let updatedPaths: readonly DocumentPath[] = [];
      if (plan.update !== undefined) {
        const result = applyUpdate(plan.update, old, keyNames(plan.table));
        next = old === undefined ? { ...plan.key, ...result.item } : result.item;
        updatedPaths = result.updatedPaths;
      }
      checkIndexKeys(plan.table, next);
      return { next, mutation: { stripe, key, value: encodeValidItem(next) }, updatedPaths };
    }
  }
}

/** The item a write finds, as stored and as its condition sees it. */
export interface Found {
  /** The item as stored (an expired item included). */
  readonly stored: AttributeMap | undefined;
  /** The item as reads see it: `undefined` when missing or expired. */
  readonly visible: AttributeMap | undefined;
}

/**
 * Reads the item a plan writes, when the plan or the table needs it.
 *
 * @param ctx The database.
 * @param plan The plan.
 * @param returnsOld Whether the caller needs the old item.
 * @returns The item as stored and as visible (both `undefined` when not read).
 */
export function findItem(ctx: ApiContext, plan: WritePlan, returnsOld: boolean): Found {
  if (!needsOld(plan, returnsOld) && !hasDerived(plan.table)) {
    return { stored: undefined, visible: undefined };
  }
  const stored = readItem(ctx.store, plan.location);
  const ttl = plan.table.ttlAttribute;
  const visible = ttl === undefined ? stored : visibleItem(stored, ttl, nowOf(ctx));
  return { stored, visible };
}

/**
 * The changes a write makes to its item, for index and stream maintenance; none when the
 * table has neither.
 *
 * @param plan The plan.
 * @param found The item before the write.
 * @param outcome What the write produced.
 * @returns The changes.
 */
export function changesOfWrite(
  plan: WritePlan,
  found: Found,
  outcome: WriteOutcome,
): ItemChange[] {
  if (outcome.mutation === undefined || !hasDerived(plan.table)) return [];
  return changesOf(plan.table, plan.key, found.stored, found.visible, outcome.next);
}

/** The result of {@linkcode executeWrite}. */
export interface Executed extends WriteOutcome {
  /** The item before the write, when it was read. */
  readonly old: AttributeMap | undefined;
  /** Resolves once the write is durable. */
  readonly durable: Promise<void>;
}

/**
 * Runs one write atomically: reads the item, checks the condition, applies the write and
 * commits it with its index entries and stream record, all in one synchronous step, so no
 * other writer comes in between.
 *
 * @param ctx The database.
 * @param plan The plan.
 * @param returnsOld Whether the caller needs the old item.
 * @param onFailure Whether a failed condition carries the old item.
 * @returns The old and new item and the durability promise.
 * @throws {ConditionalCheckFailedError} When the condition is false.
 */
export function executeWrite(
  ctx: ApiContext,
  plan: WritePlan,
  returnsOld: boolean,
  onFailure: ReturnValuesOnConditionCheckFailure,
): Executed {
  const found = findItem(ctx, plan, returnsOld);
  const old = found.visible;
  if (!conditionHolds(plan, old)) {
    throw new ConditionalCheckFailedError(onFailure === "ALL_OLD" ? old : undefined);
  }
  const outcome = applyWrite(plan, old);
  const changes = changesOfWrite(plan, found, outcome);
  const mutations = changes.length === 0
    ? [outcome.mutation!]
    : [outcome.mutation!, ...derivedMutations(ctx, changes)];
  const durable = ctx.store.commit(mutations);
  return { ...outcome, old, durable };
}
