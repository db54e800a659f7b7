import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ExpressionContext,
  parseCondition,
  parseProjection,
  parseUpdate,
} from "../../../engine/expression/mod.ts";

const values = (n: number) => {
  const map: Record<string, { N: string }> = {};
  for (let i = 0; i < n; i++) map[`:v${i}`] = { N: String(i) };
  return map;
};

test("an expression of 4096 bytes parses; one of 4097 bytes is rejected", () => {
  const ctx = new ExpressionContext(undefined, { ":v": { S: "x" } });
  const padded = (bytes: number) => `a = :v${" ".repeat(bytes - 6)}`;
  assert.equal(parseCondition(padded(4096), ctx).kind, "compare");
  assert.throws(() => parseCondition(padded(4097), ctx), {
    message:
      "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097",
  });
});

test("the 4 KB limit counts UTF-8 bytes and is checked before the syntax", () => {
  const ctx = new ExpressionContext(undefined, { ":v": { S: "x" } });
  // "é" is two bytes (and not a valid token): 4094 + 2 bytes is in size, so a syntax error.
  assert.throws(
    () => parseCondition(`a = :v${" ".repeat(4088)}é`, ctx),
    /Syntax error; token: "é"/,
  );
  assert.throws(
    () => parseCondition(`a = :v${" ".repeat(4089)}é`, ctx),
    /Expression size has exceeded the maximum allowed size; expression size: 4097$/,
  );
});

test("IN takes up to 100 operands", () => {
  const list = (n: number) => Array.from({ length: n }, (_, i) => `:v${i}`).join(", ");
  const ctx = new ExpressionContext(undefined, values(101));
  assert.equal(parseCondition(`a IN (${list(100)})`, ctx).kind, "in");
  assert.throws(() => parseCondition(`a IN (${list(101)})`, ctx), {
    message:
      "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101",
  });
});

test("an expression takes up to 300 operators and functions", () => {
  const ctx = new ExpressionContext(undefined, { ":v": { N: "1" } });
  // n comparisons joined by n - 1 ANDs: 2n - 1 operators.
  const conjunction = (n: number) =>
    Array.from({ length: n }, (_, i) => `a${i} = :v`).join(" AND ");
  assert.equal(parseCondition(conjunction(150), ctx).kind, "and");
  assert.throws(() => parseCondition(`${conjunction(150)} AND b = :v`, ctx), {
    message:
      "Invalid ConditionExpression: The expression contains too many operators; operator count: 301",
  });
});

test("functions count as operators", () => {
  const ctx = new ExpressionContext();
  const exists = (n: number) => Array.from({ length: n }, (_, i) => `attribute_exists(a${i})`);
  assert.doesNotThrow(() => parseCondition(exists(150).join(" OR "), ctx));
  assert.throws(() => parseCondition(exists(151).join(" OR "), ctx), /operator count: 301$/);
});

test("a document path has at most 32 levels", () => {
  const ctx = new ExpressionContext();
  const path = (levels: number) => `a${".b".repeat(levels - 1)}`;
  assert.equal(parseProjection(path(32), ctx).paths[0]?.elements.length, 32);
  assert.throws(() => parseProjection(path(33), ctx), {
    message:
      "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33",
  });
  assert.throws(() => parseUpdate(`REMOVE a${"[0]".repeat(32)}`, ctx), /nesting levels: 33$/);
});

test("a list index must fit in a signed 32-bit integer", () => {
  const ctx = new ExpressionContext();
  assert.equal(parseProjection("a[2147483647]", ctx).paths[0]?.elements[1], 2147483647);
  assert.throws(() => parseProjection("a[2147483648]", ctx), {
    message:
      "Invalid ProjectionExpression: List index is not within the allowable range; index: 2147483648",
  });
});
