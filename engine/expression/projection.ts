/**
 * ProjectionExpression: a comma-separated list of document paths, and projecting an item on
 * paths the way DynamoDB does. A nested path keeps its enclosing maps and lists; list
 * elements come back compacted, in index order; paths that lead nowhere are left out.
 *
 * @module
 */
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import { type DocumentPath, node, type ProjectionNode } from "./ast.ts";
import type { ExpressionContext } from "./context.ts";
import { ParserBase } from "./_parser.ts";
import { assertDisjointPaths } from "./path.ts";

class ProjectionParser extends ParserBase {
  parse(): ProjectionNode {
    const paths = [];
    for (;;) {
      if (!this.atPathStart()) this.syntaxError();
      paths.push(this.parsePath());
      if (!this.atPunct(",")) break;
      this.next();
    }
    this.finish();
    assertDisjointPaths(paths, this.kind);
    return node("projection", { paths });
  }
}

/**
 * Parses a ProjectionExpression, resolving its placeholders and checking that no two paths
 * overlap or conflict.
 *
 * @param text The expression, e.g. `pk, #info.tags[0]`.
 * @param ctx The request's placeholders; those used are marked.
 * @returns The projection, paths in the order written.
 * @throws {ExpressionError} `VALIDATION` with DynamoDB's message, e.g. `Invalid
 * ProjectionExpression: Two document paths overlap with each other; must remove or rewrite
 * one of these paths; path one: [a], path two: [a, b]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExpressionContext } from "./context.ts";
 * import { parseProjection } from "./projection.ts";
 * const projection = parseProjection("pk, #i.tags[0]", new ExpressionContext({ "#i": "info" }));
 * assert.deepEqual(projection.paths.map((p) => p.elements), [["pk"], ["info", "tags", 0]]);
 * ```
 */
export function parseProjection(text: string, ctx: ExpressionContext): ProjectionNode {
  return new ProjectionParser(text, ctx, "ProjectionExpression").parse();
}

interface Trie {
  end: boolean;
  readonly names: Map<string, Trie>;
  readonly indexes: Map<number, Trie>;
}

function trie(): Trie {
  return { end: false, names: new Map(), indexes: new Map() };
}

function buildTrie(paths: readonly DocumentPath[]): Trie {
  const root = trie();
  for (const path of paths) {
    let at = root;
    for (const element of path) {
      const children: Map<string | number, Trie> = typeof element === "number"
        ? at.indexes
        : at.names;
      let child = children.get(element);
      if (child === undefined) children.set(element, child = trie());
      at = child;
    }
    at.end = true;
  }
  return root;
}

function projectMap(map: AttributeMap, at: Trie): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, child] of at.names) {
    const value = map[name];
    if (value === undefined) continue;
    const projected = child.end ? value : projectValue(value, child);
    if (projected !== undefined) out[name] = projected;
  }
  return out;
}

function projectValue(value: AttributeValue, at: Trie): AttributeValue | undefined {
  if (at.names.size > 0) {
    if (!("M" in value)) return undefined;
    const map = projectMap(value.M, at);
    return Object.keys(map).length > 0 ? { M: map } : undefined;
  }
  if (!("L" in value)) return undefined;
  const list: AttributeValue[] = [];
  for (const index of [...at.indexes.keys()].sort((a, b) => a - b)) {
    const element = value.L[index];
    if (element === undefined) continue;
    const child = at.indexes.get(index) as Trie;
    const projected = child.end ? element : projectValue(element, child);
    if (projected !== undefined) list.push(projected);
  }
  return list.length > 0 ? { L: list } : undefined;
}

/**
 * Projects an item on document paths: what a ProjectionExpression returns, and what
 * `ReturnValues: UPDATED_OLD / UPDATED_NEW` return for the paths an update wrote.
 *
 * @param item The item; `undefined` projects to an empty map.
 * @param paths Disjoint paths (no overlap, no conflict).
 * @returns The projected attributes; empty when no path leads to a value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { projectPaths } from "./projection.ts";
 * const item = {
 *   a: { M: { b: { S: "x" }, c: { S: "y" } } },
 *   l: { L: [{ S: "l0" }, { S: "l1" }, { S: "l2" }] },
 * };
 * assert.deepEqual(projectPaths(item, [["a", "b"], ["l", 2], ["l", 0], ["missing"]]), {
 *   a: { M: { b: { S: "x" } } },
 *   l: { L: [{ S: "l0" }, { S: "l2" }] },
 * });
 * ```
 */
export function projectPaths(
  item: AttributeMap | undefined,
  paths: readonly DocumentPath[],
): AttributeMap {
  if (item === undefined) return {};
  return projectMap(item, buildTrie(paths));
}

/**
 * Applies a parsed ProjectionExpression to an item.
 *
 * @param projection The parsed projection.
 * @param item The full item.
 * @returns The attributes the projection selects.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExpressionContext } from "./context.ts";
 * import { applyProjection, parseProjection } from "./projection.ts";
 * const projection = parseProjection("pk, tags[1]", new ExpressionContext());
 * const item = { pk: { S: "k" }, tags: { L: [{ S: "a" }, { S: "b" }] }, other: { N: "1" } };
 * assert.deepEqual(applyProjection(projection, item), {
 *   pk: { S: "k" },
 *   tags: { L: [{ S: "b" }] },
 * });
 * ```
 */
export function applyProjection(projection: ProjectionNode, item: AttributeMap): AttributeMap {
  return projectPaths(item, projection.paths.map((path) => path.elements));
}
