/**
 * The write path shared by PutItem, UpdateItem, DeleteItem, BatchWriteItem and
 * TransactWriteItems: a request is first planned (parsed and validated, before anything is
 * read), then executed against the item as it is, in one synchronous step with the commit.
 *
 * @module
 */
import { encodeItem, validateItemSize } from "../codec/item_codec.ts";
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
import type { ApiTable } from "./context.ts";
import { ConditionalCheckFailedError } from "./errors.ts";
import { keyNames, keyOf, locateItem, type Reader, readItem } from "./_items.ts";
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
  validateItemSize(item);
  const value = encodeItem(item);
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
      validateItemSize(next);
      return { next, mutation: { stripe, key, value: encodeItem(next) }, updatedPaths };
    }
  }
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
 * commits it, all in one synchronous step, so no other writer comes in between.
 *
 * @param reader The store (its `commit` is used).
 * @param plan The plan.
 * @param returnsOld Whether the caller needs the old item.
 * @param onFailure Whether a failed condition carries the old item.
 * @returns The old and new item and the durability promise.
 * @throws {ConditionalCheckFailedError} When the condition is false.
 */
export function executeWrite(
  reader: Reader & { commit(mutations: readonly Mutation[]): Promise<void> },
  plan: WritePlan,
  returnsOld: boolean,
  onFailure: ReturnValuesOnConditionCheckFailure,
): Executed {
  const old = needsOld(plan, returnsOld) ? readItem(reader, plan.location) : undefined;
  if (!conditionHolds(plan, old)) {
    throw new ConditionalCheckFailedError(onFailure === "ALL_OLD" ? old : undefined);
  }
  const outcome = applyWrite(plan, old);
  const durable = reader.commit([outcome.mutation!]);
  return { ...outcome, old, durable };
}
