/**
 * Checks shared by the requests of `engine/api/`: expression placeholders, `ReturnValues`,
 * `Limit`, `Select`, with DynamoDB's messages.
 *
 * @module
 */
import { type KstoneError, validation } from "../errors.ts";
import {
  type ConditionKind,
  type ConditionNode,
  ExpressionContext,
  parseCondition,
  parseProjection,
  type ProjectionNode,
} from "../expression/mod.ts";
import type { AttributeValue } from "../model/attribute_value.ts";

/** `ExpressionAttributeNames` and `ExpressionAttributeValues` of a request. */
export interface ExpressionInput {
  /** `#placeholder` to attribute name. */
  readonly ExpressionAttributeNames?: Readonly<Record<string, string>> | undefined;
  /** `:placeholder` to value. */
  readonly ExpressionAttributeValues?: Readonly<Record<string, AttributeValue>> | undefined;
}

/** What a write returns: `ReturnValues`. */
export type ReturnValue = "NONE" | "ALL_OLD" | "UPDATED_OLD" | "ALL_NEW" | "UPDATED_NEW";

/** What a failed condition returns: `ReturnValuesOnConditionCheckFailure`. */
export type ReturnValuesOnConditionCheckFailure = "NONE" | "ALL_OLD";

/** What a Query or Scan returns: `Select`. */
export type Select =
  | "ALL_ATTRIBUTES"
  | "ALL_PROJECTED_ATTRIBUTES"
  | "SPECIFIC_ATTRIBUTES"
  | "COUNT";

const RETURN_VALUES = ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"];
const SELECT = ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"];

/** DynamoDB's message for a member outside its enum. */
function enumError(value: unknown, member: string, allowed: readonly string[]): Error {
  return validation(
    `1 validation error detected: Value '${
      String(value)
    }' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${
      allowed.join(", ")
    }]`,
  );
}

/** The context of requests without placeholders: it holds nothing to mark, so it is shared. */
const NO_PLACEHOLDERS = new ExpressionContext();

/**
 * Builds the request's placeholder context.
 *
 * @param input The request.
 * @returns The context to parse the request's expressions with.
 */
export function expressionContext(input: ExpressionInput): ExpressionContext {
  const { ExpressionAttributeNames: names, ExpressionAttributeValues: values } = input;
  if (names === undefined && values === undefined) return NO_PLACEHOLDERS;
  return new ExpressionContext(names, values);
}

/**
 * Parses a condition when the request has one.
 *
 * @param text The expression, or `undefined`.
 * @param ctx The request's placeholders.
 * @param kind Which parameter it is.
 * @returns The tree, or `undefined`.
 */
export function optionalCondition(
  text: string | undefined,
  ctx: ExpressionContext,
  kind: ConditionKind,
): ConditionNode | undefined {
  return text === undefined ? undefined : parseCondition(text, ctx, kind);
}

/**
 * Parses a projection when the request has one.
 *
 * @param text The expression, or `undefined`.
 * @param ctx The request's placeholders.
 * @returns The projection, or `undefined`.
 */
export function optionalProjection(
  text: string | undefined,
  ctx: ExpressionContext,
): ProjectionNode | undefined {
  return text === undefined ? undefined : parseProjection(text, ctx);
}

/**
 * Checks `ReturnValues`.
 *
 * @param value The request's value.
 * @param all Whether every value is allowed (UpdateItem) or only `NONE` and `ALL_OLD`.
 * @returns The value, `NONE` when absent.
 * @throws {KstoneError} VALIDATION: `ReturnValues can only be ALL_OLD or NONE`, or the enum message.
 */
export function checkReturnValues(value: string | undefined, all: boolean): ReturnValue {
  if (value === undefined) return "NONE";
  if (!RETURN_VALUES.includes(value)) throw enumError(value, "returnValues", RETURN_VALUES);
  if (!all && value !== "NONE" && value !== "ALL_OLD") {
    throw validation("ReturnValues can only be ALL_OLD or NONE");
  }
  return value as ReturnValue;
}

/**
 * Checks `ReturnValuesOnConditionCheckFailure`.
 *
 * @param value The request's value.
 * @returns The value, `NONE` when absent.
 * @throws {KstoneError} VALIDATION with the enum message.
 */
export function checkOnFailure(value: string | undefined): ReturnValuesOnConditionCheckFailure {
  if (value === undefined) return "NONE";
  if (value !== "NONE" && value !== "ALL_OLD") {
    throw enumError(value, "returnValuesOnConditionCheckFailure", ["ALL_OLD", "NONE"]);
  }
  return value;
}

/**
 * Checks an integer parameter against a lower (and optional upper) bound.
 *
 * @param value The value.
 * @param member The parameter's name as DynamoDB spells it in messages, e.g. `limit`.
 * @param min The smallest allowed value.
 * @param max The largest allowed value.
 * @returns The value.
 * @throws {KstoneError} VALIDATION, e.g. `1 validation error detected: Value '0' at 'limit'
 *   failed to satisfy constraint: Member must have value greater than or equal to 1`.
 */
export function checkInteger(value: number, member: string, min: number, max = Infinity): number {
  const prefix =
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint:`;
  if (!Number.isSafeInteger(value)) throw validation(`${prefix} Member must be an integer`);
  if (value < min) {
    throw validation(`${prefix} Member must have value greater than or equal to ${min}`);
  }
  if (value > max) {
    throw validation(`${prefix} Member must have value less than or equal to ${max}`);
  }
  return value;
}

/**
 * Checks `Select` against the projection, and says whether only the count is wanted.
 *
 * @param select The request's `Select`.
 * @param projection Whether the request has a ProjectionExpression.
 * @returns Whether `Select` is `COUNT`.
 * @throws {KstoneError} VALIDATION for an unknown value, `ALL_PROJECTED_ATTRIBUTES` (a read of
 *   a table; an index read checks it in `engine/index/read.ts` first), or a value that
 *   contradicts the projection.
 */
export function checkSelect(select: string | undefined, projection: boolean): boolean {
  if (select === undefined) return false;
  if (!SELECT.includes(select)) throw enumError(select, "select", SELECT);
  if (select === "ALL_PROJECTED_ATTRIBUTES") {
    throw validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  }
  if (select === "COUNT" && projection) {
    throw validation("Cannot specify the ProjectionExpression when choosing to get only the Count");
  }
  if (select === "ALL_ATTRIBUTES" && projection) {
    throw validation("Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES");
  }
  if (select === "SPECIFIC_ATTRIBUTES" && !projection) {
    throw validation(
      "Must specify the ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
    );
  }
  return select === "COUNT";
}

/**
 * The message when a transaction holds no actions or too many.
 *
 * @param count The number of actions.
 * @param max The largest allowed.
 * @returns The error, or `undefined` when the count is fine.
 */
export function transactCountError(count: number, max: number): KstoneError | undefined {
  if (count >= 1 && count <= max) return undefined;
  return validation(
    `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length ${
      count < 1 ? "greater than or equal to 1" : `less than or equal to ${max}`
    }`,
  );
}
