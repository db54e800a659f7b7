import { test } from "node:test";
import assert from "node:assert/strict";
import { ExpressionContext, parseCondition, parseUpdate } from "../../../engine/expression/mod.ts";

test("ExpressionContext.assertAllUsed() passes when every placeholder is used", () => {
  const ctx = new ExpressionContext({ "#a": "a", "#b": "b" }, { ":v": { S: "x" } });
  parseCondition("#a = :v", ctx);
  parseUpdate("REMOVE #b", ctx);
  assert.doesNotThrow(() => ctx.assertAllUsed());
});

test("ExpressionContext reports unused names before unused values", () => {
  const ctx = new ExpressionContext({ "#a": "a" }, { ":v": { S: "x" } });
  parseCondition("attribute_exists(b)", ctx);
  assert.throws(() => ctx.assertAllUsed(), {
    message: "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}",
  });
});

test("ExpressionContext with no maps and no expression is fine", () => {
  assert.doesNotThrow(() => new ExpressionContext().assertAllUsed());
});

test("ExpressionContext puts number values in canonical form, deeply", () => {
  const ctx = new ExpressionContext(undefined, {
    ":n": { N: "+01.50" },
    ":l": { L: [{ M: { x: { NS: ["1e2", "0.10"] } } }] },
  });
  assert.deepEqual(ctx.value(":n"), { N: "1.5" });
  assert.deepEqual(ctx.value(":l"), { L: [{ M: { x: { NS: ["100", "0.1"] } } }] });
});

test("ExpressionContext.name() and value() return undefined for unknown placeholders", () => {
  const ctx = new ExpressionContext({ "#a": "a" });
  assert.equal(ctx.name("#b"), undefined);
  assert.equal(ctx.value(":v"), undefined);
});
