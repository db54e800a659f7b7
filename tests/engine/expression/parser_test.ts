import { test } from "node:test";
import assert from "node:assert/strict";
import { KstoneError } from "../../../engine/errors.ts";
import {
  type ConditionNode,
  ExpressionContext,
  ExpressionError,
  type ExpressionNode,
  parseCondition,
  parseKeyCondition,
  parseProjection,
  parseUpdate,
} from "../../../engine/expression/mod.ts";

function catchError(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ExpressionError);
    return error;
  }
  throw new Error("expected an error");
}

function everyNode(node: unknown, visit: (node: ExpressionNode) => void): void {
  if (node === null || typeof node !== "object") return;
  if ("kind" in node) visit(node as ExpressionNode);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) value.forEach((v) => everyNode(v, visit));
    else if (typeof value === "object" && value !== null && "kind" in value) {
      everyNode(value, visit);
    }
  }
}

test("parsed trees are frozen all the way down", () => {
  const ctx = new ExpressionContext({ "#n": "name" }, { ":v": { S: "x" }, ":l": { L: [] } });
  const condition = parseCondition("#n = :v AND (size(a[1]) > :v OR b IN (:v, :v))", ctx);
  const update = parseUpdate("SET a = list_append(a, :l), b = b + c REMOVE d", ctx);
  for (const root of [condition, update, parseProjection("a, b.c", ctx)]) {
    let count = 0;
    everyNode(root, (node) => {
      count++;
      assert.ok(Object.isFrozen(node), node.kind);
    });
    assert.ok(count >= 3);
  }
  assert.ok(Object.isFrozen(update.actions));
});

test("nodes keep resolved names and values, and the text as written", () => {
  const ctx = new ExpressionContext({ "#n": "a.b" }, { ":v": { N: "1.50" } });
  const root = parseCondition("#n[2] <= :v", ctx) as Extract<ConditionNode, { kind: "compare" }>;
  assert.equal(root.left.kind, "path");
  assert.deepEqual(root.left.kind === "path" && root.left.elements, ["a.b", 2]);
  assert.equal(root.left.kind === "path" && root.left.text, "#n[2]");
  assert.deepEqual(root.right.kind === "value" && root.right.value, { N: "1.5" });
  assert.equal(root.right.kind === "value" && root.right.token, ":v");
  assert.equal(root.right.kind === "value" && root.right.offset, 9);
});

test("validation errors are KstoneError VALIDATION naming the expression", () => {
  const error = catchError(() => parseUpdate("SET a = ", new ExpressionContext()));
  assert.ok(error instanceof KstoneError);
  assert.equal(error.code, "VALIDATION");
  assert.equal(error.name, "ExpressionError");
  assert.equal(error.expression, "UpdateExpression");
});

test("syntax errors carry the offset of the offending token", () => {
  const ctx = new ExpressionContext(undefined, { ":v": { S: "x" } });
  assert.equal(catchError(() => parseCondition("a = :v AND > b", ctx)).offset, 11);
  assert.equal(catchError(() => parseCondition("a = :v AND", ctx)).offset, 10);
  assert.equal(catchError(() => parseProjection("a, b c", ctx)).offset, 5);
});

test("deferred errors carry the offset of the node at fault", () => {
  const ctx = new ExpressionContext({ "#a": "a" }, { ":v": { S: "x" } });
  assert.equal(catchError(() => parseCondition("x = :v AND status = :v", ctx)).offset, 11);
  assert.equal(catchError(() => parseCondition("x = :v AND #nope = :v", ctx)).offset, 11);
  assert.equal(catchError(() => parseCondition("#a = :v AND bogus(x)", ctx)).offset, 12);
});

test("a failed parse does not count placeholders it never reached", () => {
  const ctx = new ExpressionContext(undefined, { ":v": { S: "x" }, ":w": { S: "y" } });
  assert.throws(() => parseCondition("a = :v AND (", ctx));
  assert.throws(() => ctx.assertAllUsed(), /keys: \{:w\}$/);
});

test("keywords are case-insensitive, function names are not", () => {
  const ctx = new ExpressionContext(undefined, { ":v": { S: "x" } });
  assert.equal(parseCondition("a = :v aNd NoT b = :v oR c BeTwEeN :v AnD :v", ctx).kind, "or");
  assert.throws(
    () => parseCondition("Contains(a, :v)", ctx),
    /Invalid function name; function: Contains$/,
  );
  assert.equal(parseUpdate("sEt a = :v", ctx).actions[0]?.kind, "set");
});

test("parseKeyCondition returns no sort condition when only the partition key is given", () => {
  const ctx = new ExpressionContext(undefined, { ":v": { S: "x" } });
  const key = parseKeyCondition("pk = :v", ctx, { partitionKey: "pk", sortKey: "sk" });
  assert.deepEqual(key, { partitionValue: { S: "x" } });
  assert.ok(!("sort" in key));
});
