/**
 * DeleteItem: remove an item by its key, optionally only when a condition holds.
 *
 * @module
 */
import type { AttributeMap } from "../model/attribute_value.ts";
import type { ApiContext } from "./context.ts";
import { executeWrite, planKeyed } from "./_write.ts";
import {
  checkOnFailure,
  checkReturnValues,
  expressionContext,
  type ExpressionInput,
  optionalCondition,
} from "./_request.ts";

/** A DeleteItem request, in DynamoDB's shape. */
export interface DeleteItemInput extends ExpressionInput {
  /** The table. */
  readonly TableName: string;
  /** The key attributes, and nothing else. */
  readonly Key: AttributeMap;
  /** Delete only when this holds for the item as it is (a missing item reads as empty). */
  readonly ConditionExpression?: string | undefined;
  /** `NONE` or `ALL_OLD` (the deleted item). @default "NONE" */
  readonly ReturnValues?: string | undefined;
  /** `ALL_OLD` puts the current item on the ConditionalCheckFailedError. @default "NONE" */
  readonly ReturnValuesOnConditionCheckFailure?: string | undefined;
}

/** A DeleteItem response. */
export interface DeleteItemOutput {
  /** The deleted item, with `ReturnValues: ALL_OLD` when there was one. */
  Attributes?: AttributeMap;
}

/**
 * Deletes an item; deleting a missing item succeeds. The condition check and the delete are
 * one atomic step. Resolves once the delete is durable.
 *
 * @param ctx The database.
 * @param input The request.
 * @returns The deleted item when asked for.
 * @throws {ConditionalCheckFailedError} CONDITIONAL_CHECK_FAILED when the condition is false.
 * @throws {KstoneError} VALIDATION for a bad key, expression or parameter; RESOURCE_NOT_FOUND
 *   for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { deleteItem } from "./delete_item.ts";
 * await using db = await Database.memory();
 * await db.put("a", { n: 1 });
 * const output = await deleteItem(db.apiContext(), {
 *   TableName: "",
 *   Key: { pk: { S: "a" } },
 *   ReturnValues: "ALL_OLD",
 * });
 * assert.deepEqual(output.Attributes, { pk: { S: "a" }, n: { N: "1" } });
 * assert.equal(await db.get("a"), undefined);
 * ```
 */
export async function deleteItem(
  ctx: ApiContext,
  input: DeleteItemInput,
): Promise<DeleteItemOutput> {
  const table = ctx.table(input.TableName);
  const returnValues = checkReturnValues(input.ReturnValues, false);
  const onFailure = checkOnFailure(input.ReturnValuesOnConditionCheckFailure);
  const expressions = expressionContext(input);
  const condition = optionalCondition(
    input.ConditionExpression,
    expressions,
    "ConditionExpression",
  );
  expressions.assertAllUsed();
  const plan = planKeyed("delete", table, input.Key, condition);
  const done = executeWrite(ctx, plan, returnValues === "ALL_OLD", onFailure);
  if (ctx.counters !== undefined) ctx.counters.deletes++;
  await done.durable;
  return returnValues === "ALL_OLD" && done.old !== undefined ? { Attributes: done.old } : {};
}
