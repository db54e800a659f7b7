/**
 * KeyConditionExpression: `pk = :v`, optionally `AND` one condition on the sort key (`=`,
 * `<`, `<=`, `>`, `>=`, `BETWEEN`, `begins_with`), on the key names of the table or index
 * queried. The value may stand on either side of a comparison (`:lo <= sk`). Anything else
 * is rejected with DynamoDB's message.
 *
 * @module
 */
import type { AttributeValue } from "../model/attribute_value.ts";
import type { Comparator, ConditionNode, OperandNode, PathNode, ValueNode } from "./ast.ts";
import { parseCondition } from "./condition.ts";
import type { ExpressionContext } from "./context.ts";
import { ExpressionError } from "./expression_error.ts";

/** The key attribute names of the table or index queried. */
export interface KeySchema {
  /** The partition (hash) key attribute name. */
  readonly partitionKey: string;
  /** The sort (range) key attribute name, when there is one. */
  readonly sortKey?: string;
}

/** The operators allowed on a sort key. */
export type SortKeyOperator = "=" | "<" | "<=" | ">" | ">=" | "BETWEEN" | "begins_with";

/** The condition on the sort key. */
export interface SortKeyCondition {
  /** The operator, normalized so that the key is on the left (`:lo <= sk` is `>=`). */
  readonly op: SortKeyOperator;
  /** One value, or two for `BETWEEN` (lower, upper). */
  readonly values: readonly AttributeValue[];
}

/** A parsed KeyConditionExpression. */
export interface KeyCondition {
  /** The partition key value. */
  readonly partitionValue: AttributeValue;
  /** The sort key condition, when there is one. */
  readonly sort?: SortKeyCondition;
}

const FLIPPED: Readonly<Record<Comparator, Comparator>> = {
  "=": "=",
  "<>": "<>",
  "<": ">",
  "<=": ">=",
  ">": "<",
  ">=": "<=",
};

interface Part {
  readonly name: string;
  readonly op: SortKeyOperator | "<>";
  readonly values: readonly AttributeValue[];
}

function reject(message: string): never {
  throw new ExpressionError(message, "KeyConditionExpression");
}

/** Rejects operators a key condition cannot use, looking at the tree top-down, left first. */
function checkOperators(condition: ConditionNode): void {
  const bad = (name: string) => reject(`Invalid operator used in KeyConditionExpression: ${name}`);
  switch (condition.kind) {
    case "and":
      checkOperators(condition.left);
      checkOperators(condition.right);
      return;
    case "or":
    case "not":
    case "in":
      return bad(condition.kind.toUpperCase());
    case "compare":
      if (condition.op === "<>") bad("<>");
      return;
    case "between":
    case "begins_with":
      return;
    default:
      return bad(condition.kind);
  }
}

function flatten(condition: ConditionNode, out: ConditionNode[]): ConditionNode[] {
  if (condition.kind === "and") {
    flatten(condition.left, out);
    flatten(condition.right, out);
  } else out.push(condition);
  return out;
}

/** Reduces one condition to a key name, an operator and values. */
function part(condition: ConditionNode): Part {
  let operands: readonly OperandNode[];
  if (condition.kind === "compare") operands = [condition.left, condition.right];
  else if (condition.kind === "between") {
    operands = [condition.operand, condition.lower, condition.upper];
  } else if (condition.kind === "begins_with") operands = [condition.operand, condition.prefix];
  else return reject(`Invalid operator used in KeyConditionExpression: ${condition.kind}`);
  if (condition.kind !== "compare" && operands[0]?.kind !== "path") {
    const name = condition.kind === "between" ? "BETWEEN" : condition.kind;
    reject(
      `Invalid condition in KeyConditionExpression: ${name} operator must have the key attribute as its first operand`,
    );
  }
  let key: PathNode | undefined;
  for (const operand of operands) {
    if (operand.kind === "size") reject("KeyConditionExpressions cannot contain nested operations");
    if (operand.kind !== "path") continue;
    if (key !== undefined) {
      reject(
        "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
      );
    }
    if (operand.elements.length > 1) {
      reject("KeyConditionExpressions cannot have conditions on nested attributes");
    }
    key = operand;
  }
  if (key === undefined) {
    reject("Invalid condition in KeyConditionExpression: No key attribute specified");
  }
  const values = operands.filter((o): o is ValueNode => o.kind === "value").map((o) => o.value);
  let op: SortKeyOperator | "<>";
  if (condition.kind === "between") op = "BETWEEN";
  else if (condition.kind === "begins_with") op = "begins_with";
  else op = condition.left === key ? condition.op : FLIPPED[condition.op];
  return { name: key.elements[0] as string, op, values };
}

/**
 * Parses a KeyConditionExpression against the key schema of the table or index queried.
 *
 * @param text The expression, e.g. `pk = :pk AND begins_with(sk, :prefix)`.
 * @param ctx The request's placeholders; those used are marked.
 * @param keySchema The key attribute names.
 * @returns The partition key value and the sort key condition.
 * @throws {ExpressionError} `VALIDATION`: the errors of any condition (`Invalid
 * KeyConditionExpression: …`), then DynamoDB's key condition messages, e.g. `Query condition
 * missed key schema element: pk`, `Query key condition not supported`, `Invalid operator used
 * in KeyConditionExpression: OR`, `KeyConditionExpressions must only contain one condition
 * per key`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExpressionContext } from "./context.ts";
 * import { parseKeyCondition } from "./key_condition.ts";
 * const ctx = new ExpressionContext(undefined, { ":pk": { S: "user#1" }, ":lo": { N: "10" } });
 * const key = parseKeyCondition("pk = :pk AND :lo <= ts", ctx, { partitionKey: "pk", sortKey: "ts" });
 * assert.deepEqual(key, {
 *   partitionValue: { S: "user#1" },
 *   sort: { op: ">=", values: [{ N: "10" }] },
 * });
 * ```
 */
export function parseKeyCondition(
  text: string,
  ctx: ExpressionContext,
  keySchema: KeySchema,
): KeyCondition {
  const root = parseCondition(text, ctx, "KeyConditionExpression");
  checkOperators(root);
  const parts = flatten(root, []).map(part);
  const names = new Set(parts.map((p) => p.name));
  if (names.size < parts.length) {
    reject("KeyConditionExpressions must only contain one condition per key");
  }
  if (parts.length > 2) reject("Conditions can be of length 1 or 2 only");
  const { partitionKey, sortKey } = keySchema;
  const partition = parts.find((p) => p.name === partitionKey);
  if (partition === undefined) reject(`Query condition missed key schema element: ${partitionKey}`);
  const sort = parts.find((p) => p !== partition);
  if (sort !== undefined && sort.name !== sortKey) {
    reject(
      sortKey === undefined
        ? "Query key condition not supported"
        : `Query condition missed key schema element: ${sortKey}`,
    );
  }
  if (partition.op !== "=") reject("Query key condition not supported");
  const partitionValue = partition.values[0] as AttributeValue;
  if (sort === undefined) return { partitionValue };
  return { partitionValue, sort: { op: sort.op as SortKeyOperator, values: sort.values } };
}
