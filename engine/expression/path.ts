/**
 * Document paths: reading a value at a path, printing a path the way DynamoDB's messages do,
 * and the overlap / conflict rule for the paths of one projection or update.
 *
 * @module
 */
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import type { DocumentPath, PathNode } from "./ast.ts";
import { type ExpressionKind, invalidExpression } from "./expression_error.ts";

/**
 * Prints a path as DynamoDB's messages do: `[a, b, [2], c]`.
 *
 * @param path The path.
 * @returns The printed path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPath } from "./path.ts";
 * assert.equal(formatPath(["a", "b", 2, "c"]), "[a, b, [2], c]");
 * ```
 */
export function formatPath(path: DocumentPath): string {
  return `[${path.map((e) => (typeof e === "number" ? `[${e}]` : e)).join(", ")}]`;
}

/**
 * Reads the value at a path of an item.
 *
 * @param item The item; `undefined` reads as an empty item.
 * @param path The path.
 * @returns The value, or `undefined` when the path leads nowhere (a missing name, an index
 * past the end, a name on a non-map or an index on a non-list).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { valueAt } from "./path.ts";
 * const item = { a: { L: [{ M: { b: { S: "x" } } }] } };
 * assert.deepEqual(valueAt(item, ["a", 0, "b"]), { S: "x" });
 * assert.equal(valueAt(item, ["a", "b"]), undefined);
 * ```
 */
export function valueAt(
  item: AttributeMap | undefined,
  path: DocumentPath,
): AttributeValue | undefined {
  if (item === undefined) return undefined;
  let current: AttributeValue | undefined = item[path[0] as string];
  for (let i = 1; i < path.length && current !== undefined; i++) {
    const element = path[i] as string | number;
    if (typeof element === "number") current = "L" in current ? current.L[element] : undefined;
    else current = "M" in current ? current.M[element] : undefined;
  }
  return current;
}

/** How two paths of one expression relate. */
export type PathRelation = "independent" | "overlap" | "conflict";

/**
 * Relates two paths: `overlap` when one is a prefix of the other (or they are equal),
 * `conflict` when at the first difference one has a name and the other an index (the parent
 * would have to be both a map and a list), `independent` otherwise.
 *
 * @param a A path.
 * @param b A path.
 * @returns The relation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relatePaths } from "./path.ts";
 * assert.equal(relatePaths(["a"], ["a", "b"]), "overlap");
 * assert.equal(relatePaths(["a", "b"], ["a", 1]), "conflict");
 * assert.equal(relatePaths(["a", 1], ["a", 2]), "independent");
 * ```
 */
export function relatePaths(a: DocumentPath, b: DocumentPath): PathRelation {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    return typeof x === typeof y ? "independent" : "conflict";
  }
  return "overlap";
}

/**
 * Rejects a set of paths (of one projection or one update) in which two overlap or
 * conflict. Overlaps are looked for first, over all pairs in the order written; then
 * conflicts.
 *
 * @param paths The paths in the order written.
 * @param kind The expression, for the message.
 * @throws {ExpressionError} `VALIDATION`: `Invalid <kind>: Two document paths overlap with
 * each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]`, or
 * the same with `conflict`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertDisjointPaths } from "./path.ts";
 * const path = (elements: (string | number)[]) => ({ kind: "path" as const, elements, text: "", offset: 0 });
 * assert.throws(
 *   () => assertDisjointPaths([path(["a"]), path(["a", "b"])], "ProjectionExpression"),
 *   /overlap with each other; must remove or rewrite one of these paths; path one: \[a\], path two: \[a, b\]$/,
 * );
 * ```
 */
export function assertDisjointPaths(paths: readonly PathNode[], kind: ExpressionKind): void {
  for (const relation of ["overlap", "conflict"] as const) {
    for (let i = 0; i < paths.length; i++) {
      for (let j = i + 1; j < paths.length; j++) {
        const one = paths[i] as PathNode;
        const two = paths[j] as PathNode;
        if (relatePaths(one.elements, two.elements) !== relation) continue;
        throw invalidExpression(
          kind,
          `Two document paths ${relation} with each other; must remove or rewrite one of these ` +
            `paths; path one: ${formatPath(one.elements)}, path two: ${formatPath(two.elements)}`,
          two.offset,
        );
      }
    }
  }
}
