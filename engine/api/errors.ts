/**
 * The errors a failed condition raises: {@linkcode ConditionalCheckFailedError} for a single
 * write and {@linkcode TransactionCanceledError} for a transaction. Both are
 * {@linkcode KstoneError}s; callers branch on `code`.
 *
 * @module
 */
import { KstoneError } from "../errors.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import { unmarshallItem } from "../model/marshall.ts";

/** DynamoDB's message of a failed condition. */
export const CONDITIONAL_REQUEST_FAILED = "The conditional request failed";

/**
 * Why one action of a transaction did or did not cancel it: `None` when it was fine,
 * `ConditionalCheckFailed` when its condition was false, `ValidationError` when applying it
 * broke a rule (an update on a value of the wrong type, an item over 400 KB).
 */
export type CancellationCode = "None" | "ConditionalCheckFailed" | "ValidationError";

/** One entry of {@linkcode TransactionCanceledError.reasons}, with plain JS values. */
export interface CancellationReason {
  /** What happened to this action. */
  readonly code: CancellationCode;
  /** The detail, absent for `None`. */
  readonly message?: string;
  /** The item as it was, when the action asked for it (`ALL_OLD`) and the item existed. */
  readonly item?: Record<string, unknown>;
}

/** One entry of {@linkcode TransactionCanceledError.cancellationReasons}: DynamoDB's wire shape. */
export interface WireCancellationReason {
  /** What happened to this action. */
  readonly Code: CancellationCode;
  /** The detail, absent for `None`. */
  readonly Message?: string;
  /** The item as it was, when the action asked for it and the item existed. */
  readonly Item?: AttributeMap;
}

/**
 * A condition expression evaluated to false; nothing was written. DynamoDB's
 * ConditionalCheckFailedException.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConditionalCheckFailedError } from "./errors.ts";
 * const error = new ConditionalCheckFailedError({ id: { S: "u1" }, n: { N: "2" } });
 * assert.equal(error.code, "CONDITIONAL_CHECK_FAILED");
 * assert.equal(error.message, "The conditional request failed");
 * assert.deepEqual(error.item, { id: "u1", n: 2 });
 * ```
 */
export class ConditionalCheckFailedError extends KstoneError {
  /** The item as DynamoDB AttributeValues, when `returnValuesOnConditionCheckFailure` was `ALL_OLD`. */
  readonly rawItem: AttributeMap | undefined;

  /** @param item The item as it was, when the request asked for it and it existed. */
  constructor(item?: AttributeMap) {
    super("CONDITIONAL_CHECK_FAILED", CONDITIONAL_REQUEST_FAILED);
    this.name = "ConditionalCheckFailedError";
    this.rawItem = item;
  }

  /** The item as plain JS values, when the request asked for it (`ALL_OLD`) and it existed. */
  get item(): Record<string, unknown> | undefined {
    return this.rawItem === undefined ? undefined : unmarshallItem(this.rawItem);
  }
}

/**
 * A transaction was cancelled and wrote nothing. `reasons[i]` tells what action `i` did:
 * DynamoDB's TransactionCanceledException.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TransactionCanceledError } from "./errors.ts";
 * const error = new TransactionCanceledError([
 *   { Code: "None" },
 *   { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
 * ]);
 * assert.equal(error.code, "TRANSACTION_CANCELED");
 * assert.equal(
 *   error.message,
 *   "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",
 * );
 * assert.equal(error.reasons[1]?.code, "ConditionalCheckFailed");
 * ```
 */
export class TransactionCanceledError extends KstoneError {
  /** The reasons in DynamoDB's wire shape (AttributeValue items), for the server. */
  readonly cancellationReasons: readonly WireCancellationReason[];
  /** One reason per action, in the order of the actions, with plain JS items. */
  readonly reasons: readonly CancellationReason[];

  /** @param reasons One reason per action, in order. */
  constructor(reasons: readonly WireCancellationReason[]) {
    super(
      "TRANSACTION_CANCELED",
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${
        reasons.map((reason) => reason.Code).join(", ")
      }]`,
    );
    this.name = "TransactionCanceledError";
    this.cancellationReasons = reasons;
    this.reasons = reasons.map((reason) => {
      const plain: { code: CancellationCode; message?: string; item?: Record<string, unknown> } = {
        code: reason.Code,
      };
      if (reason.Message !== undefined) plain.message = reason.Message;
      if (reason.Item !== undefined) plain.item = unmarshallItem(reason.Item);
      return plain;
    });
  }
}
