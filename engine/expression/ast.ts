/**
 * The syntax tree of DynamoDB expressions. Nodes are frozen plain objects with a `kind`
 * discriminant, built by {@linkcode node}. Placeholders are resolved when the tree is built:
 * a path holds attribute names (not `#n`), a value node holds the `AttributeValue` (not `:v`),
 * and both keep their source text for messages.
 *
 * @module
 */
import type { AttributeType, AttributeValue } from "../model/attribute_value.ts";

/** One step of a document path: an attribute name (a map key) or a list index. */
export type PathElement = string | number;

/** A document path such as `a.b[2].c`: `["a", "b", 2, "c"]`. */
export type DocumentPath = readonly PathElement[];

/** The comparators of conditions. */
export type Comparator = "=" | "<>" | "<" | "<=" | ">" | ">=";

/** A document path operand, e.g. `#a.b[2]`. */
export interface PathNode {
  readonly kind: "path";
  /** The resolved path. */
  readonly elements: DocumentPath;
  /** The path as written, e.g. `#a.b[2]`. */
  readonly text: string;
  /** Where it starts in the expression. */
  readonly offset: number;
}

/** An expression attribute value, e.g. `:v`. */
export interface ValueNode {
  readonly kind: "value";
  /** The placeholder as written, e.g. `:v`. */
  readonly token: string;
  /** The value it stands for. */
  readonly value: AttributeValue;
  /** Where it starts in the expression. */
  readonly offset: number;
}

/** `size(operand)`: the length of a string, binary, set, list or map, as a number. */
export interface SizeNode {
  readonly kind: "size";
  readonly operand: OperandNode;
}

/** What a comparison compares. */
export type OperandNode = PathNode | ValueNode | SizeNode;

/** `left <op> right`. */
export interface CompareNode {
  readonly kind: "compare";
  readonly op: Comparator;
  readonly left: OperandNode;
  readonly right: OperandNode;
}

/** `operand BETWEEN lower AND upper`. */
export interface BetweenNode {
  readonly kind: "between";
  readonly operand: OperandNode;
  readonly lower: OperandNode;
  readonly upper: OperandNode;
}

/** `operand IN (list…)`. */
export interface InNode {
  readonly kind: "in";
  readonly operand: OperandNode;
  readonly list: readonly OperandNode[];
}

/** `left AND right`. */
export interface AndNode {
  readonly kind: "and";
  readonly left: ConditionNode;
  readonly right: ConditionNode;
}

/** `left OR right`. */
export interface OrNode {
  readonly kind: "or";
  readonly left: ConditionNode;
  readonly right: ConditionNode;
}

/** `NOT operand`. */
export interface NotNode {
  readonly kind: "not";
  readonly operand: ConditionNode;
}

/** `attribute_exists(path)`. */
export interface AttributeExistsNode {
  readonly kind: "attribute_exists";
  readonly path: PathNode;
}

/** `attribute_not_exists(path)`. */
export interface AttributeNotExistsNode {
  readonly kind: "attribute_not_exists";
  readonly path: PathNode;
}

/** `attribute_type(path, :t)`, `:t` naming a type such as `"SS"`. */
export interface AttributeTypeNode {
  readonly kind: "attribute_type";
  readonly path: PathNode;
  /** The type the placeholder names. */
  readonly type: AttributeType;
  /** The placeholder. */
  readonly typeValue: ValueNode;
}

/** `begins_with(operand, prefix)`. */
export interface BeginsWithNode {
  readonly kind: "begins_with";
  readonly operand: OperandNode;
  readonly prefix: OperandNode;
}

/** `contains(operand, element)`. */
export interface ContainsNode {
  readonly kind: "contains";
  readonly operand: OperandNode;
  readonly element: OperandNode;
}

/** A condition: the root of a ConditionExpression, FilterExpression or KeyConditionExpression. */
export type ConditionNode =
  | CompareNode
  | BetweenNode
  | InNode
  | AndNode
  | OrNode
  | NotNode
  | AttributeExistsNode
  | AttributeNotExistsNode
  | AttributeTypeNode
  | BeginsWithNode
  | ContainsNode;

/** `if_not_exists(path, fallback)`: the value at `path`, or `fallback` when there is none. */
export interface IfNotExistsNode {
  readonly kind: "if_not_exists";
  readonly path: PathNode;
  readonly fallback: UpdateOperandNode;
}

/** `list_append(first, second)`: the two lists concatenated. */
export interface ListAppendNode {
  readonly kind: "list_append";
  readonly first: UpdateOperandNode;
  readonly second: UpdateOperandNode;
}

/** An operand of a SET action. */
export type UpdateOperandNode = PathNode | ValueNode | IfNotExistsNode | ListAppendNode;

/** `left + right` or `left - right` on numbers. */
export interface ArithmeticNode {
  readonly kind: "arithmetic";
  readonly op: "+" | "-";
  readonly left: UpdateOperandNode;
  readonly right: UpdateOperandNode;
}

/** `SET path = value`. */
export interface SetActionNode {
  readonly kind: "set";
  readonly path: PathNode;
  readonly value: UpdateOperandNode | ArithmeticNode;
}

/** `REMOVE path`. */
export interface RemoveActionNode {
  readonly kind: "remove";
  readonly path: PathNode;
}

/** `ADD path :value`: adds to a number or unions into a set. */
export interface AddActionNode {
  readonly kind: "add";
  readonly path: PathNode;
  readonly value: ValueNode;
}

/** `DELETE path :value`: removes elements from a set. */
export interface DeleteActionNode {
  readonly kind: "delete";
  readonly path: PathNode;
  readonly value: ValueNode;
}

/** One action of an update expression. */
export type UpdateActionNode = SetActionNode | RemoveActionNode | AddActionNode | DeleteActionNode;

/** A parsed UpdateExpression: its actions in the order written. */
export interface UpdateNode {
  readonly kind: "update";
  readonly actions: readonly UpdateActionNode[];
}

/** A parsed ProjectionExpression: its paths in the order written. */
export interface ProjectionNode {
  readonly kind: "projection";
  readonly paths: readonly PathNode[];
}

/** Every node, by kind. */
export interface NodeByKind {
  path: PathNode;
  value: ValueNode;
  size: SizeNode;
  compare: CompareNode;
  between: BetweenNode;
  in: InNode;
  and: AndNode;
  or: OrNode;
  not: NotNode;
  attribute_exists: AttributeExistsNode;
  attribute_not_exists: AttributeNotExistsNode;
  attribute_type: AttributeTypeNode;
  begins_with: BeginsWithNode;
  contains: ContainsNode;
  if_not_exists: IfNotExistsNode;
  list_append: ListAppendNode;
  arithmetic: ArithmeticNode;
  set: SetActionNode;
  remove: RemoveActionNode;
  add: AddActionNode;
  delete: DeleteActionNode;
  update: UpdateNode;
  projection: ProjectionNode;
}

/** The `kind` of every node. */
export type NodeKind = keyof NodeByKind;

/** Any node. */
export type ExpressionNode = NodeByKind[NodeKind];

/** A node's fields other than `kind`. */
export type NodeFields<K extends NodeKind> = Omit<NodeByKind[K], "kind">;

/**
 * Builds a frozen node of the given kind. Its arrays (`elements`, `list`, `actions`,
 * `paths`) are frozen too.
 *
 * @typeParam K The node kind.
 * @param kind The discriminant, e.g. `"compare"`.
 * @param fields The node's other fields.
 * @returns The frozen node.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { node } from "./ast.ts";
 * const path = node("path", { elements: ["a"], text: "a", offset: 0 });
 * const value = node("value", { token: ":v", value: { N: "1" }, offset: 4 });
 * const compare = node("compare", { op: "=", left: path, right: value });
 * assert.equal(compare.kind, "compare");
 * assert.ok(Object.isFrozen(compare) && Object.isFrozen(path.elements));
 * ```
 */
export function node<K extends NodeKind>(kind: K, fields: NodeFields<K>): NodeByKind[K] {
  const built: Record<string, unknown> = Object.assign({ kind }, fields);
  const arrayField = ARRAY_FIELD[kind];
  if (arrayField !== undefined) Object.freeze(built[arrayField]);
  return Object.freeze(built) as unknown as NodeByKind[K];
}

/** The array field of the node kinds that have one. */
const ARRAY_FIELD: Partial<Record<NodeKind, string>> = {
  path: "elements",
  in: "list",
  update: "actions",
  projection: "paths",
};
