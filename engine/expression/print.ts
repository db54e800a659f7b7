/**
 * Prints expression trees in one canonical form, used by golden tests and debugging:
 * conditions as prefix lists `(and (= a {"S":"x"}) (attribute_exists b))`, paths with
 * resolved names (`a.b[2]`, names that are not plain words quoted: `"a.b".c`), values as
 * compact JSON with binary in base64, update actions one per line.
 *
 * @module
 */
import { bytesToLatin1 } from "../codec/bytes.ts";
import type { AttributeValue } from "../model/attribute_value.ts";
import type { DocumentPath, ExpressionNode, NodeByKind, NodeKind } from "./ast.ts";

const WORD = /^[A-Za-z_][A-Za-z0-9_]*$/;

function base64(bytes: Uint8Array): string {
  return btoa(bytesToLatin1(bytes));
}

function plain(value: AttributeValue): unknown {
  if ("B" in value) return { B: base64(value.B) };
  if ("BS" in value) return { BS: value.BS.map(base64) };
  if ("L" in value) return { L: value.L.map(plain) };
  if ("M" in value) {
    const map: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value.M)) map[key] = plain(item);
    return { M: map };
  }
  return value;
}

/**
 * Prints a value as compact JSON in DynamoDB's wire shape, binary as base64.
 *
 * @param value The value.
 * @returns The JSON text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatValue } from "./print.ts";
 * assert.equal(formatValue({ L: [{ S: "a" }, { B: new Uint8Array([1, 2]) }] }), '{"L":[{"S":"a"},{"B":"AQI="}]}');
 * ```
 */
export function formatValue(value: AttributeValue): string {
  return JSON.stringify(plain(value));
}

/**
 * Prints a document path: `a.b[2].c`, names that are not plain words JSON-quoted.
 *
 * @param path The path.
 * @returns The printed path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printPath } from "./print.ts";
 * assert.equal(printPath(["a", "b.c", 0]), 'a."b.c"[0]');
 * ```
 */
export function printPath(path: DocumentPath): string {
  let out = "";
  for (const element of path) {
    if (typeof element === "number") out += `[${element}]`;
    else out += (out === "" ? "" : ".") + (WORD.test(element) ? element : JSON.stringify(element));
  }
  return out;
}

type Printers = { [K in NodeKind]: (node: NodeByKind[K]) => string };

const p = (node: ExpressionNode) => printNode(node);

const PRINTERS: Printers = {
  path: (node) => printPath(node.elements),
  value: (node) => formatValue(node.value),
  size: (node) => `(size ${p(node.operand)})`,
  compare: (node) => `(${node.op} ${p(node.left)} ${p(node.right)})`,
  between: (node) => `(between ${p(node.operand)} ${p(node.lower)} ${p(node.upper)})`,
  in: (node) => `(in ${p(node.operand)} ${node.list.map(p).join(" ")})`,
  and: (node) => `(and ${p(node.left)} ${p(node.right)})`,
  or: (node) => `(or ${p(node.left)} ${p(node.right)})`,
  not: (node) => `(not ${p(node.operand)})`,
  attribute_exists: (node) => `(attribute_exists ${p(node.path)})`,
  attribute_not_exists: (node) => `(attribute_not_exists ${p(node.path)})`,
  attribute_type: (node) => `(attribute_type ${p(node.path)} ${node.type})`,
  begins_with: (node) => `(begins_with ${p(node.operand)} ${p(node.prefix)})`,
  contains: (node) => `(contains ${p(node.operand)} ${p(node.element)})`,
  if_not_exists: (node) => `(if_not_exists ${p(node.path)} ${p(node.fallback)})`,
  list_append: (node) => `(list_append ${p(node.first)} ${p(node.second)})`,
  arithmetic: (node) => `(${node.op} ${p(node.left)} ${p(node.right)})`,
  set: (node) => `SET ${p(node.path)} = ${p(node.value)}`,
  remove: (node) => `REMOVE ${p(node.path)}`,
  add: (node) => `ADD ${p(node.path)} ${p(node.value)}`,
  delete: (node) => `DELETE ${p(node.path)} ${p(node.value)}`,
  update: (node) => node.actions.map(p).join("\n"),
  projection: (node) => node.paths.map(p).join(", "),
};

/**
 * Prints any expression node in the canonical form.
 *
 * @param node A node.
 * @returns Its text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExpressionContext } from "./context.ts";
 * import { parseCondition } from "./condition.ts";
 * import { printNode } from "./print.ts";
 * const ctx = new ExpressionContext({ "#n": "name" }, { ":v": { S: "x" } });
 * const condition = parseCondition("#n = :v OR NOT attribute_exists(a.b[1])", ctx);
 * assert.equal(printNode(condition), '(or (= name {"S":"x"}) (not (attribute_exists a.b[1])))');
 * ```
 */
export function printNode(node: ExpressionNode): string {
  return (PRINTERS[node.kind] as (node: ExpressionNode) => string)(node);
}
