/**
 * UpdateItem: change some attributes of an item (creating it when missing), optionally only
 * when a condition holds.
 *
 * @module
 */
import { updatedAttributes } from "../expression/mod.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import type { ApiContext } from "./context.ts";
import { executeWrite, planKeyed } from "./_write.ts";
import {
  checkOnFailure,
  checkReturnValues,
  expressionContext,
  type ExpressionInput,
  optionalCondition,
  type ReturnValue,
} from "./_request.ts";
import { parseUpdate } from "../expression/mod.ts";

/** An UpdateItem request, in DynamoDB's shape. */
export interface UpdateItemInput extends ExpressionInput {
  /** The table. */
  readonly TableName: string;
  /** The key attributes, and nothing else. */
  readonly Key: AttributeMap;
  /** SET, REMOVE, ADD and DELETE clauses; without one a missing item is created from its key. */
  readonly UpdateExpression?: string | undefined;
  /** Update only when this holds for the item as it is (a missing item reads as empty). */
  readonly ConditionExpression?: string | undefined;
  /** `NONE`, `ALL_OLD`, `UPDATED_OLD`, `ALL_NEW` or `UPDATED_NEW`. @default "NONE" */
  readonly ReturnValues?: string | undefined;
  /** `ALL_OLD` puts the current item on the ConditionalCheckFailedError. @default "NONE" */
  readonly ReturnValuesOnConditionCheckFailure?: string | undefined;
}

/** An UpdateItem response. */
export interface UpdateItemOutput {
  /** What `ReturnValues` asked for, when it is not empty. */
  Attributes?: AttributeMap;
}

/**
 * Updates an item, creating it (with its key attributes) when it does not exist. Reading,
 * checking the condition, applying the update and committing happen in one synchronous step.
 * Resolves once the write is durable.
 *
 * @param ctx The database.
 * @param input The request.
 * @returns What `ReturnValues` asks for.
 * @throws {ConditionalCheckFailedError} CONDITIONAL_CHECK_FAILED when the condition is false.
 * @throws {KstoneError} VALIDATION for a bad key, expression or parameter, an update that
 *   writes a key attribute, does not fit the item or makes it exceed 400 KB;
 *   RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { updateItem } from "./update_item.ts";
 * await using db = await Database.memory();
 * const output = await updateItem(db.apiContext(), {
 *   TableName: "",
 *   Key: { pk: { S: "counter" } },
 *   UpdateExpression: "ADD hits :one",
 *   ExpressionAttributeValues: { ":one": { N: "1" } },
 *   ReturnValues: "ALL_NEW",
 * });
 * assert.deepEqual(output.Attributes, { pk: { S: "counter" }, hits: { N: "1" } });
 * ```
 */
export async function updateItem(
  ctx: ApiContext,
  input: UpdateItemInput,
): Promise<UpdateItemOutput> {
  const table = ctx.table(input.TableName);
  const returnValues = checkReturnValues(input.ReturnValues, true);
  const onFailure = checkOnFailure(input.ReturnValuesOnConditionCheckFailure);
  const expressions = expressionContext(input);
  const update = input.UpdateExpression === undefined
    ? undefined
    : parseUpdate(input.UpdateExpression, expressions);
  const condition = optionalCondition(
    input.ConditionExpression,
    expressions,
    "ConditionExpression",
  );
  expressions.assertAllUsed();
  const plan = planKeyed("update", table, input.Key, condition, update);
  const done = executeWrite(ctx, plan, true, onFailure);
  if (ctx.counters !== undefined) ctx.counters.puts++;
  await done.durable;
  const attributes = returned(returnValues, done.old, done.next, done.updatedPaths);
  return attributes === undefined ? {} : { Attributes: attributes };
}

function returned(
  returnValues: ReturnValue,
  old: AttributeMap | undefined,
  next: AttributeMap | undefined,
  paths: Parameters<typeof updatedAttributes>[0],
): AttributeMap | undefined {
  let attributes: AttributeMap | undefined;
  switch (returnValues) {
    case "NONE":
      return undefined;
    case "ALL_OLD":
      return old;
    case "ALL_NEW":
      return next;
    case "UPDATED_OLD":
      attributes = updatedAttributes(paths, old);
      break;
    case "UPDATED_NEW":
      attributes = updatedAttributes(paths, next);
      break;
  }
  return Object.keys(attributes).length === 0 ? undefined : attributes;
}
