/**
 * Evaluates a condition (ConditionExpression, FilterExpression) against an item, with
 * DynamoDB's rules: a comparison involving a missing attribute is false, except `<>`, which
 * is then true; values of different types are unequal and unordered; functions on values of
 * the wrong type are false. Evaluation never throws.
 *
 * @module
 */
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import { typeOf } from "../model/attribute_value.ts";
import type { ConditionNode, NodeByKind, OperandNode } from "./ast.ts";
import { beginsWith, contains, orderValues, sizeOf, valuesEqual } from "./compare.ts";
import { valueAt } from "./path.ts";

type Item = AttributeMap | undefined;
type Operands = {
  [K in OperandNode["kind"]]: (node: NodeByKind[K], item: Item) => AttributeValue | undefined;
};
type Conditions = { [K in ConditionNode["kind"]]: (node: NodeByKind[K], item: Item) => boolean };

const OPERANDS: Operands = {
  path: (node, item) => valueAt(item, node.elements),
  value: (node) => node.value,
  size: (node, item) => {
    const value = evaluateOperand(node.operand, item);
    const size = value === undefined ? undefined : sizeOf(value);
    return size === undefined ? undefined : { N: String(size) };
  },
};

/**
 * Evaluates an operand against an item.
 *
 * @param node The operand: a path, a value or `size(…)`.
 * @param item The item; `undefined` reads as an empty item.
 * @returns The operand's value, or `undefined` when it has none (a missing attribute, or the
 * size of a value that has no size).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { node } from "./ast.ts";
 * import { evaluateOperand } from "./evaluate.ts";
 * const path = node("path", { elements: ["tags"], text: "tags", offset: 0 });
 * const size = node("size", { operand: path });
 * assert.deepEqual(evaluateOperand(size, { tags: { SS: ["a", "b"] } }), { N: "2" });
 * assert.equal(evaluateOperand(path, undefined), undefined);
 * ```
 */
export function evaluateOperand(node: OperandNode, item: Item): AttributeValue | undefined {
  return (OPERANDS[node.kind] as (node: OperandNode, item: Item) => AttributeValue | undefined)(
    node,
    item,
  );
}

function ordered(a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : orderValues(a, b);
}

const COMPARISONS: Record<string, (order: number) => boolean> = {
  "<": (order) => order < 0,
  "<=": (order) => order <= 0,
  ">": (order) => order > 0,
  ">=": (order) => order >= 0,
};

const CONDITIONS: Conditions = {
  compare: (node, item) => {
    const left = evaluateOperand(node.left, item);
    const right = evaluateOperand(node.right, item);
    if (node.op === "=" || node.op === "<>") {
      const equal = left !== undefined && right !== undefined && valuesEqual(left, right);
      return node.op === "=" ? equal : !equal;
    }
    const order = ordered(left, right);
    return order !== undefined && (COMPARISONS[node.op] as (order: number) => boolean)(order);
  },
  between: (node, item) => {
    const value = evaluateOperand(node.operand, item);
    const low = ordered(value, evaluateOperand(node.lower, item));
    const high = ordered(value, evaluateOperand(node.upper, item));
    return low !== undefined && high !== undefined && low >= 0 && high <= 0;
  },
  in: (node, item) => {
    const value = evaluateOperand(node.operand, item);
    if (value === undefined) return false;
    return node.list.some((candidate) => {
      const other = evaluateOperand(candidate, item);
      return other !== undefined && valuesEqual(value, other);
    });
  },
  and: (node, item) => evaluateCondition(node.left, item) && evaluateCondition(node.right, item),
  or: (node, item) => evaluateCondition(node.left, item) || evaluateCondition(node.right, item),
  not: (node, item) => !evaluateCondition(node.operand, item),
  attribute_exists: (node, item) => valueAt(item, node.path.elements) !== undefined,
  attribute_not_exists: (node, item) => valueAt(item, node.path.elements) === undefined,
  attribute_type: (node, item) => {
    const value = valueAt(item, node.path.elements);
    return value !== undefined && typeOf(value) === node.type;
  },
  begins_with: (node, item) => {
    const value = evaluateOperand(node.operand, item);
    const prefix = evaluateOperand(node.prefix, item);
    return value !== undefined && prefix !== undefined && beginsWith(value, prefix);
  },
  contains: (node, item) => {
    const value = evaluateOperand(node.operand, item);
    const element = evaluateOperand(node.element, item);
    return value !== undefined && element !== undefined && contains(value, element);
  },
};

/**
 * Evaluates a parsed condition against an item.
 *
 * @param condition The parsed ConditionExpression or FilterExpression.
 * @param item The item, or `undefined` when there is none (a put of a new key).
 * @returns Whether the condition holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExpressionContext } from "./context.ts";
 * import { parseCondition } from "./condition.ts";
 * import { evaluateCondition } from "./evaluate.ts";
 * const ctx = new ExpressionContext(undefined, { ":min": { N: "10" } });
 * const condition = parseCondition("price >= :min AND attribute_not_exists(sold)", ctx);
 * assert.equal(evaluateCondition(condition, { price: { N: "12.5" } }), true);
 * assert.equal(evaluateCondition(condition, { price: { N: "9" } }), false);
 * assert.equal(evaluateCondition(condition, undefined), false);
 * ```
 */
export function evaluateCondition(condition: ConditionNode, item: Item): boolean {
  return (CONDITIONS[condition.kind] as (node: ConditionNode, item: Item) => boolean)(
    condition,
    item,
  );
}
