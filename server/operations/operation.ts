/**
 * What one protocol operation is: its input shape and the function that runs a checked input
 * against the database and returns the wire response.
 *
 * @module
 */
import type { ApiContext } from "../../engine/api/context.ts";
import type { Database } from "../../engine/db/database.ts";
import { notSupported } from "../protocol.ts";
import type { Shape } from "../shapes.ts";

/** What an operation runs against. */
export interface OperationContext {
  /** The database. */
  readonly db: Database;
  /** Its AttributeValue-level context (`db.apiContext()`). */
  readonly api: ApiContext;
  /** The region reported in ARNs. */
  readonly region: string;
  /** The `Host` the request was sent to (for DescribeEndpoints). */
  readonly host: string;
}

/** One operation of the protocol. */
export interface Operation {
  /** The input structure. */
  readonly input: Shape;
  /**
   * Runs a checked input.
   *
   * @param ctx The database.
   * @param input The input, checked against {@linkcode Operation.input}.
   * @returns The response body (wire JSON).
   */
  run(ctx: OperationContext, input: Record<string, unknown>): Promise<unknown> | unknown;
}

/**
 * Declares an operation with a typed input.
 *
 * @param input The input structure.
 * @param run Runs a checked input.
 * @returns The operation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineOperation } from "./operation.ts";
 * import { s } from "../shapes.ts";
 * const echo = defineOperation<{ Text?: string }>(
 *   s.struct("EchoInput", { Text: s.string() }),
 *   (_ctx, input) => ({ Text: input.Text }),
 * );
 * assert.equal(echo.input.kind, "struct");
 * ```
 */
export function defineOperation<I>(
  input: Shape,
  run: (ctx: OperationContext, input: I) => Promise<unknown> | unknown,
): Operation {
  return { input, run: run as Operation["run"] };
}

/**
 * Rejects DynamoDB's legacy parameters (`Expected`, `AttributesToGet`, `KeyConditions`, …)
 * that kstone does not implement, naming the expression parameter to use instead.
 *
 * @param input The checked input.
 * @param legacy Legacy parameter to its replacement.
 * @throws {DynamoError} ValidationException when one is present.
 */
export function rejectLegacy(
  input: Record<string, unknown>,
  legacy: Readonly<Record<string, string>>,
): void {
  for (const [name, instead] of Object.entries(legacy)) {
    if (input[name] !== undefined) {
      throw notSupported(`the legacy parameter ${name}`, `use ${instead}`);
    }
  }
}

/** The legacy parameters of each kind of request and their replacements. */
export const LEGACY = {
  write: { Expected: "ConditionExpression", ConditionalOperator: "ConditionExpression" },
  update: {
    AttributeUpdates: "UpdateExpression",
    Expected: "ConditionExpression",
    ConditionalOperator: "ConditionExpression",
  },
  get: { AttributesToGet: "ProjectionExpression" },
  query: {
    AttributesToGet: "ProjectionExpression",
    KeyConditions: "KeyConditionExpression",
    QueryFilter: "FilterExpression",
    ConditionalOperator: "FilterExpression",
  },
  scan: {
    AttributesToGet: "ProjectionExpression",
    ScanFilter: "FilterExpression",
    ConditionalOperator: "FilterExpression",
  },
} as const;
