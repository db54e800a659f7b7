import { test } from "node:test";
import assert from "node:assert/strict";
import type { AttributeMap } from "../../../engine/model/attribute_value.ts";
import {
  applyUpdate,
  assertKeyUnchanged,
  ExpressionContext,
  parseUpdate,
  updatedAttributes,
} from "../../../engine/expression/mod.ts";

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const item: AttributeMap = deepFreeze({
  pk: { S: "k" },
  n: { N: "1" },
  m: { M: { a: { L: [{ N: "1" }, { N: "2" }, { N: "3" }] }, b: { S: "x" } } },
  untouched: { M: { deep: { L: [{ S: "y" }] } } },
  tags: { SS: ["a", "b"] },
});

test("applyUpdate() never modifies the item it is given", () => {
  const ctx = new ExpressionContext(undefined, { ":one": { N: "1" }, ":t": { SS: ["a"] } });
  const update = parseUpdate(
    "SET n = n + :one, m.a[5] = :one REMOVE m.a[0], m.b DELETE tags :t",
    ctx,
  );
  const before = JSON.stringify(item);
  const { item: after } = applyUpdate(update, item, ["pk"]);
  assert.equal(JSON.stringify(item), before);
  assert.deepEqual(after.m, { M: { a: { L: [{ N: "2" }, { N: "3" }, { N: "1" }] } } });
  assert.deepEqual(after.tags, { SS: ["b"] });
});

test("applyUpdate() shares the values it did not write", () => {
  const ctx = new ExpressionContext(undefined, { ":v": { S: "z" } });
  const { item: after } = applyUpdate(parseUpdate("SET m.b = :v", ctx), item, ["pk"]);
  assert.equal(after.untouched, item.untouched);
  assert.equal(after.pk, item.pk);
  assert.notEqual(after.m, item.m);
  const afterM = after.m as { M: AttributeMap };
  const beforeM = item.m as { M: AttributeMap };
  assert.equal(afterM.M.a, beforeM.M.a);
});

test("applyUpdate() on a missing item creates one from the update alone", () => {
  const ctx = new ExpressionContext(undefined, { ":one": { N: "1" }, ":s": { SS: ["x"] } });
  const update = parseUpdate("SET a = :one ADD n :one, s :s REMOVE gone, x.y", ctx);
  const { item: created, updatedPaths } = applyUpdate(update, undefined, ["pk"]);
  assert.deepEqual(created, { a: { N: "1" }, n: { N: "1" }, s: { SS: ["x"] } });
  assert.deepEqual(updatedPaths, [["a"], ["n"], ["s"], ["gone"], ["x", "y"]]);
});

test("assertKeyUnchanged() looks at the first element of every path", () => {
  const ctx = new ExpressionContext(undefined, { ":v": { S: "x" } });
  assert.doesNotThrow(() => assertKeyUnchanged(parseUpdate("SET pkx = :v", ctx), ["pk"]));
  assert.throws(
    () => assertKeyUnchanged(parseUpdate("SET pk.nested = :v", ctx), ["pk"]),
    {
      message:
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key",
    },
  );
});

test("updatedAttributes() of an update that wrote nothing present is empty", () => {
  assert.deepEqual(updatedAttributes([["missing"], ["m", "zz"]], item), {});
  assert.deepEqual(updatedAttributes([["n"]], undefined), {});
});

test("arithmetic keeps all 38 significant digits", () => {
  const ctx = new ExpressionContext(undefined, {
    ":x": { N: "0.0000000000000000000000000000000000001" },
  });
  const update = parseUpdate("SET n = n + :x", ctx);
  const { item: after } = applyUpdate(update, { n: { N: "1" } }, []);
  assert.deepEqual(after.n, { N: "1.0000000000000000000000000000000000001" });
});
