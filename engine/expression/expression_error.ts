/**
 * The error every expression rejection throws: a `VALIDATION` {@linkcode KstoneError} (DynamoDB's
 * ValidationException) that also remembers which expression failed and, for parse errors, where.
 *
 * @module
 */
import { KstoneError } from "../errors.ts";

/** The request parameter an expression came from; DynamoDB names it in its messages. */
export type ExpressionKind =
  | "ConditionExpression"
  | "FilterExpression"
  | "KeyConditionExpression"
  | "ProjectionExpression"
  | "UpdateExpression";

/**
 * A rejected expression. `code` is always `"VALIDATION"`; `offset` is the UTF-16 index in the
 * expression text of the token at fault when the error is about one place in the text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExpressionError } from "./expression_error.ts";
 * const error = new ExpressionError("Invalid UpdateExpression: Syntax error", "UpdateExpression", 4);
 * assert.equal(error.code, "VALIDATION");
 * assert.equal(error.offset, 4);
 * ```
 */
export class ExpressionError extends KstoneError {
  /** The expression parameter at fault, when one is. */
  readonly expression: ExpressionKind | undefined;
  /** Where in the expression text the fault is, when it is at one place. */
  readonly offset: number | undefined;

  /**
   * @param message The full message, e.g. `Invalid FilterExpression: Syntax error; …`.
   * @param expression The expression parameter at fault.
   * @param offset The UTF-16 index of the token at fault.
   */
  constructor(message: string, expression?: ExpressionKind, offset?: number) {
    super("VALIDATION", message);
    this.name = "ExpressionError";
    this.expression = expression;
    this.offset = offset;
  }
}

/**
 * Builds DynamoDB's `Invalid <Parameter>: <detail>` rejection.
 *
 * @param kind The expression parameter, e.g. `"ConditionExpression"`.
 * @param detail What is wrong, e.g. `The expression can not be empty;`.
 * @param offset Where in the text, when known.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { invalidExpression } from "./expression_error.ts";
 * const error = invalidExpression("FilterExpression", "The expression can not be empty;");
 * assert.equal(error.message, "Invalid FilterExpression: The expression can not be empty;");
 * ```
 */
export function invalidExpression(
  kind: ExpressionKind,
  detail: string,
  offset?: number,
): ExpressionError {
  return new ExpressionError(`Invalid ${kind}: ${detail}`, kind, offset);
}
