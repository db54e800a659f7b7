/**
 * DynamoDB expressions: ConditionExpression, FilterExpression, KeyConditionExpression,
 * ProjectionExpression and UpdateExpression, with ExpressionAttributeNames (`#n`) and
 * ExpressionAttributeValues (`:v`), and DynamoDB's semantics and error messages.
 *
 * One {@linkcode ExpressionContext} holds a request's placeholders; parse each of the
 * request's expressions with it, then call `assertAllUsed()`. Parsing validates everything
 * that does not depend on the item; evaluating and applying never re-parse.
 *
 * @example A conditional update
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   applyUpdate,
 *   evaluateCondition,
 *   ExpressionContext,
 *   parseCondition,
 *   parseUpdate,
 *   updatedAttributes,
 * } from "./mod.ts";
 * const ctx = new ExpressionContext({ "#s": "status" }, {
 *   ":open": { S: "open" },
 *   ":one": { N: "1" },
 * });
 * const condition = parseCondition("#s = :open", ctx, "ConditionExpression");
 * const update = parseUpdate("SET visits = if_not_exists(visits, :one) + :one", ctx);
 * ctx.assertAllUsed();
 * const item = { pk: { S: "door" }, status: { S: "open" } };
 * assert.ok(evaluateCondition(condition, item));
 * const result = applyUpdate(update, item, ["pk"]);
 * assert.deepEqual(result.item.visits, { N: "2" });
 * assert.deepEqual(updatedAttributes(result.updatedPaths, result.item), { visits: { N: "2" } });
 * ```
 *
 * @module
 */
export * from "./ast.ts";
export { applyUpdate, assertKeyUnchanged, updatedAttributes } from "./apply_update.ts";
export type { UpdateResult } from "./apply_update.ts";
export { parseCondition } from "./condition.ts";
export type { ConditionKind } from "./condition.ts";
export { ExpressionContext } from "./context.ts";
export { evaluateCondition, evaluateOperand } from "./evaluate.ts";
export { ExpressionError, invalidExpression } from "./expression_error.ts";
export type { ExpressionKind } from "./expression_error.ts";
export { parseKeyCondition } from "./key_condition.ts";
export type {
  KeyCondition,
  KeySchema,
  SortKeyCondition,
  SortKeyOperator,
} from "./key_condition.ts";
export { formatPath, relatePaths, valueAt } from "./path.ts";
export { formatValue, printNode, printPath } from "./print.ts";
export { applyProjection, parseProjection, projectPaths } from "./projection.ts";
export { isReservedWord, RESERVED_WORDS } from "./reserved_words.ts";
export { parseUpdate } from "./update.ts";
