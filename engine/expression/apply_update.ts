/**
 * Applies a parsed UpdateExpression to an item, as DynamoDB does:
 *
 * - Every operand is read from the item as it was before the update (`SET a = b, b = a`
 *   swaps), and list indexes refer to the old positions (`REMOVE a[1] SET a[3] = :v`).
 * - SET replaces or adds; an index past the end of a list appends, several such appends
 *   landing in index order. A missing operand attribute fails the update.
 * - REMOVE deletes attributes, map entries and list elements (later elements move up);
 *   an index past the end does nothing.
 * - ADD adds to a number (a missing one counts as 0) or unions into a set (a missing one
 *   counts as empty). DELETE takes elements out of a set; an emptied set is removed.
 * - The item's key attributes cannot be written.
 *
 * The item passed in is not modified; containers on the written paths are copied.
 *
 * @module
 */
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import { addNumbers, compareNumbers, subtractNumbers } from "../model/decimal.ts";
import type {
  ArithmeticNode,
  DocumentPath,
  NodeByKind,
  UpdateActionNode,
  UpdateNode,
  UpdateOperandNode,
} from "./ast.ts";
import { compareBytes } from "../codec/bytes.ts";
import { ExpressionError, invalidExpression } from "./expression_error.ts";
import { valueAt } from "./path.ts";
import { projectPaths } from "./projection.ts";

/** The result of {@linkcode applyUpdate}. */
export interface UpdateResult {
  /** The item after the update. */
  readonly item: AttributeMap;
  /** The paths the update wrote, in the order written (for `ReturnValues`). */
  readonly updatedPaths: readonly DocumentPath[];
}

type Container = Record<string, AttributeValue> | AttributeValue[];
type Item = AttributeMap | undefined;

/** Marks a removed list element until the lists are compacted. */
const REMOVED = Object.freeze({ NULL: true }) as AttributeValue;

function incorrectType(): ExpressionError {
  return new ExpressionError(
    "An operand in the update expression has an incorrect data type",
    "UpdateExpression",
  );
}

function invalidPath(): ExpressionError {
  return new ExpressionError(
    "The document path provided in the update expression is invalid for update",
    "UpdateExpression",
  );
}

type Evaluators = {
  [K in UpdateOperandNode["kind"] | "arithmetic"]: (
    node: NodeByKind[K],
    item: Item,
  ) => AttributeValue;
};

const EVALUATORS: Evaluators = {
  path: (node, item) => {
    const value = valueAt(item, node.elements);
    if (value !== undefined) return value;
    throw invalidExpression(
      "UpdateExpression",
      "The provided expression refers to an attribute that does not exist in the item",
      node.offset,
    );
  },
  value: (node) => node.value,
  if_not_exists: (node, item) => valueAt(item, node.path.elements) ?? evaluate(node.fallback, item),
  list_append: (node, item) => {
    const first = evaluate(node.first, item);
    const second = evaluate(node.second, item);
    if (!("L" in first) || !("L" in second)) throw incorrectType();
    return { L: [...first.L, ...second.L] };
  },
  arithmetic: (node, item) => {
    const left = evaluate(node.left, item);
    const right = evaluate(node.right, item);
    if (!("N" in left) || !("N" in right)) throw incorrectType();
    return { N: node.op === "+" ? addNumbers(left.N, right.N) : subtractNumbers(left.N, right.N) };
  },
};

function evaluate(node: UpdateOperandNode | ArithmeticNode, item: Item): AttributeValue {
  return (EVALUATORS[node.kind] as (
    node: UpdateOperandNode | ArithmeticNode,
    item: Item,
  ) => AttributeValue)(
    node,
    item,
  );
}

const numbersEqual = (a: string, b: string) => compareNumbers(a, b) === 0;
const bytesEqual = (a: Uint8Array, b: Uint8Array) => compareBytes(a, b) === 0;

/** Applies set union (`add`) or difference to two sets of the same type. */
function setOperation(
  current: AttributeValue,
  value: AttributeValue,
  add: boolean,
): AttributeValue {
  const apply = <T>(a: readonly T[], b: readonly T[], equal: (x: T, y: T) => boolean): T[] => {
    if (add) return [...a, ...b.filter((y) => !a.some((x) => equal(x, y)))];
    return a.filter((x) => !b.some((y) => equal(x, y)));
  };
  if ("SS" in current && "SS" in value) {
    return { SS: apply(current.SS, value.SS, (x, y) => x === y) };
  }
  if ("NS" in current && "NS" in value) return { NS: apply(current.NS, value.NS, numbersEqual) };
  if ("BS" in current && "BS" in value) return { BS: apply(current.BS, value.BS, bytesEqual) };
  throw incorrectType();
}

function setSize(value: AttributeValue): number {
  if ("SS" in value) return value.SS.length;
  if ("NS" in value) return value.NS.length;
  return "BS" in value ? value.BS.length : 0;
}

/** The item being updated: copy-on-write containers, removal marks and pending appends. */
class Draft {
  readonly root: Record<string, AttributeValue>;
  readonly #owned = new WeakSet<object>();
  readonly #marked = new Set<AttributeValue[]>();
  readonly #appends = new Map<AttributeValue[], [number, AttributeValue][]>();

  constructor(item: Item) {
    this.root = { ...item };
    this.#owned.add(this.root);
  }

  /** The container holding a path's last element, copied for writing; `undefined` if none. */
  parent(path: DocumentPath): Container | undefined {
    let at: Container = this.root;
    for (let i = 0; i < path.length - 1; i++) {
      const element = path[i] as string | number;
      const value = get(at, element);
      if (value === undefined || value === REMOVED) return undefined;
      let inner: Container;
      if (typeof path[i + 1] === "number") {
        if (!("L" in value)) return undefined;
        inner = value.L as AttributeValue[];
      } else {
        if (!("M" in value)) return undefined;
        inner = value.M as Record<string, AttributeValue>;
      }
      if (this.#owned.has(inner)) {
        at = inner;
        continue;
      }
      const copy: Container = Array.isArray(inner) ? [...inner] : { ...inner };
      this.#owned.add(copy);
      put(at, element, Array.isArray(copy) ? { L: copy } : { M: copy });
      at = copy;
    }
    return at;
  }

  /** Writes a value; an index past a list's end is appended once all SETs are done. */
  write(at: Container, element: string | number, value: AttributeValue): void {
    if (Array.isArray(at) && (element as number) >= at.length) {
      const pending = this.#appends.get(at) ?? [];
      pending.push([element as number, value]);
      this.#appends.set(at, pending);
    } else put(at, element, value);
  }

  /** Deletes a map entry, or marks a list element for removal. */
  remove(at: Container, element: string | number): void {
    if (!Array.isArray(at)) delete at[element as string];
    else if ((element as number) < at.length) {
      at[element as number] = REMOVED;
      this.#marked.add(at);
    }
  }

  /** Performs the pending appends (in index order) and drops the removed list elements. */
  done(): AttributeMap {
    for (const [list, pending] of this.#appends) {
      pending.sort((a, b) => a[0] - b[0]);
      for (const [, value] of pending) list.push(value);
    }
    for (const list of this.#marked) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i] === REMOVED) list.splice(i, 1);
    }
    return this.root;
  }
}

/** Reads a container entry; a name on a list or an index on a map reads nothing. */
function get(at: Container, element: string | number): AttributeValue | undefined {
  if (Array.isArray(at)) return typeof element === "number" ? at[element] : undefined;
  return typeof element === "string" ? at[element] : undefined;
}

function put(at: Container, element: string | number, value: AttributeValue): void {
  if (Array.isArray(at)) at[element as number] = value;
  else at[element as string] = value;
}

/** Finds where an action writes; fails when the path does not fit the item. */
function target(draft: Draft, path: DocumentPath): [Container, string | number] {
  const at = draft.parent(path);
  const last = path[path.length - 1] as string | number;
  if (at === undefined || Array.isArray(at) !== (typeof last === "number")) throw invalidPath();
  return [at, last];
}

/**
 * Throws unless no action of the update writes one of the key attributes.
 *
 * @param update The parsed update.
 * @param keyAttributeNames The table's (or item's) key attribute names.
 * @throws {ExpressionError} `VALIDATION`: `One or more parameter values were invalid: Cannot
 * update attribute pk. This attribute is part of the key`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertKeyUnchanged } from "./apply_update.ts";
 * import { ExpressionContext } from "./context.ts";
 * import { parseUpdate } from "./update.ts";
 * const update = parseUpdate("REMOVE pk", new ExpressionContext());
 * assert.throws(() => assertKeyUnchanged(update, ["pk"]), /Cannot update attribute pk\./);
 * ```
 */
export function assertKeyUnchanged(update: UpdateNode, keyAttributeNames: readonly string[]): void {
  for (const action of update.actions) {
    const name = action.path.elements[0] as string;
    if (keyAttributeNames.includes(name)) {
      throw new ExpressionError(
        `One or more parameter values were invalid: Cannot update attribute ${name}. This attribute is part of the key`,
        "UpdateExpression",
      );
    }
  }
}

function applyAction(
  draft: Draft,
  action: UpdateActionNode,
  value: AttributeValue | undefined,
  item: Item,
): void {
  const path = action.path.elements;
  if (action.kind === "remove") {
    // DynamoDB ignores a REMOVE of a nested path when the item does not exist yet.
    if (item === undefined && draft.parent(path) === undefined) return;
    draft.remove(...target(draft, path));
    return;
  }
  const [at, last] = target(draft, path);
  if (action.kind === "set") {
    draft.write(at, last, value as AttributeValue);
    return;
  }
  const current = get(at, last);
  const operand = action.value.value;
  if (action.kind === "add") {
    if (current === undefined) draft.write(at, last, operand);
    else if ("N" in current && "N" in operand) {
      put(at, last, { N: addNumbers(current.N, operand.N) });
    } else put(at, last, setOperation(current, operand, true));
    return;
  }
  if (current === undefined) return;
  const rest = setOperation(current, operand, false);
  if (setSize(rest) === 0) draft.remove(at, last);
  else put(at, last, rest);
}

const ORDER = { set: 0, add: 1, delete: 2, remove: 3 } as const;

/**
 * Applies a parsed UpdateExpression to an item.
 *
 * @param update The parsed update.
 * @param item The item before the update, or `undefined` when it does not exist yet.
 * @param keyAttributeNames The key attribute names, which the update may not write.
 * @returns The item after the update and the paths written.
 * @throws {ExpressionError} `VALIDATION` when the update writes a key attribute, reads a
 * missing attribute (`The provided expression refers to an attribute that does not exist in
 * the item`), meets a value of the wrong type (`An operand in the update expression has an
 * incorrect data type`) or a path that does not fit the item (`The document path provided in
 * the update expression is invalid for update`); {@linkcode KstoneError} `VALIDATION` when
 * arithmetic leaves DynamoDB's number range or precision.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyUpdate } from "./apply_update.ts";
 * import { ExpressionContext } from "./context.ts";
 * import { parseUpdate } from "./update.ts";
 * const ctx = new ExpressionContext(undefined, { ":one": { N: "1" }, ":t": { SS: ["new"] } });
 * const update = parseUpdate("SET n = n + :one ADD tags :t REMOVE stale", ctx);
 * const before = { pk: { S: "k" }, n: { N: "41" }, stale: { BOOL: true } };
 * const { item, updatedPaths } = applyUpdate(update, before, ["pk"]);
 * assert.deepEqual(item, { pk: { S: "k" }, n: { N: "42" }, tags: { SS: ["new"] } });
 * assert.deepEqual(updatedPaths, [["n"], ["tags"], ["stale"]]);
 * assert.deepEqual(before.n, { N: "41" });
 * ```
 */
export function applyUpdate(
  update: UpdateNode,
  item: Item,
  keyAttributeNames: readonly string[],
): UpdateResult {
  assertKeyUnchanged(update, keyAttributeNames);
  const values = update.actions.map((action) =>
    action.kind === "set" ? evaluate(action.value, item) : undefined
  );
  const draft = new Draft(item);
  const order = update.actions.map((_, i) => i).sort((a, b) =>
    ORDER[(update.actions[a] as UpdateActionNode).kind] -
    ORDER[(update.actions[b] as UpdateActionNode).kind]
  );
  for (const i of order) applyAction(draft, update.actions[i] as UpdateActionNode, values[i], item);
  return {
    item: draft.done(),
    updatedPaths: update.actions.map((action) => action.path.elements),
  };
}

/**
 * The attributes an update wrote, as `ReturnValues: UPDATED_OLD` (pass the old item) or
 * `UPDATED_NEW` (pass the new item) returns them: the written paths projected from the item,
 * nested paths inside their enclosing maps and lists.
 *
 * @param updatedPaths The paths from {@linkcode applyUpdate}.
 * @param item The item before or after the update.
 * @returns The projected attributes; DynamoDB omits `Attributes` when this is empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { updatedAttributes } from "./apply_update.ts";
 * const item = { pk: { S: "k" }, a: { M: { b: { S: "x" }, c: { N: "1" } } } };
 * assert.deepEqual(updatedAttributes([["a", "b"]], item), { a: { M: { b: { S: "x" } } } });
 * ```
 */
export function updatedAttributes(
  updatedPaths: readonly DocumentPath[],
  item: AttributeMap | undefined,
): AttributeMap {
  return projectPaths(item, updatedPaths);
}
