/**
 * Expression benchmarks: parsing and evaluating a typical condition, and parsing and
 * applying a typical update. Run with `deno bench bench/expression_bench.ts`.
 *
 * @module
 */
import {
  applyUpdate,
  evaluateCondition,
  ExpressionContext,
  parseCondition,
  parseUpdate,
} from "../engine/expression/mod.ts";
import type { AttributeMap } from "../engine/model/attribute_value.ts";

const NAMES = { "#s": "status", "#c": "count" };
const VALUES = {
  ":open": { S: "open" },
  ":min": { N: "10" },
  ":max": { N: "1000" },
  ":prefix": { S: "user#" },
  ":tag": { S: "blue" },
  ":one": { N: "1" },
  ":now": { S: "2024-05-01T12:00:00Z" },
  ":tags": { SS: ["green"] },
};

const CONDITION = "attribute_exists(pk) AND #s = :open AND price BETWEEN :min AND :max " +
  "AND begins_with(seller, :prefix) AND (contains(tags, :tag) OR size(tags) > :one)";
const UPDATE = "SET #c = if_not_exists(#c, :one) + :one, updatedAt = :now, " +
  "history = list_append(history, :tags_list) ADD tags :tags REMOVE draft";

const ITEM: AttributeMap = {
  pk: { S: "order#123" },
  status: { S: "open" },
  price: { N: "129.99" },
  seller: { S: "user#42" },
  tags: { SS: ["red", "blue"] },
  count: { N: "7" },
  history: { L: [{ S: "created" }, { S: "paid" }] },
  draft: { BOOL: true },
  address: { M: { street: { S: "1 Main St" }, city: { S: "Springfield" } } },
};

const conditionCtx = () => {
  const { ":now": _now, ":tags": _tags, ...values } = VALUES;
  return new ExpressionContext({ "#s": "status" }, values);
};
const updateCtx = () =>
  new ExpressionContext({ "#c": NAMES["#c"] }, {
    ":one": VALUES[":one"],
    ":now": VALUES[":now"],
    ":tags": VALUES[":tags"],
    ":tags_list": { L: [{ S: "shipped" }] },
  });

const parsedCondition = parseCondition(CONDITION, conditionCtx());
const parsedUpdate = parseUpdate(UPDATE, updateCtx());

Deno.bench({
  group: "condition",
  name: "parse + evaluate a typical condition",
  baseline: true,
  fn() {
    const ctx = conditionCtx();
    const condition = parseCondition(CONDITION, ctx);
    ctx.assertAllUsed();
    if (!evaluateCondition(condition, ITEM)) throw new Error("condition should hold");
  },
});

Deno.bench({
  group: "condition",
  name: "evaluate a parsed condition",
  fn() {
    if (!evaluateCondition(parsedCondition, ITEM)) throw new Error("condition should hold");
  },
});

Deno.bench({
  group: "update",
  name: "parse + apply a typical update",
  baseline: true,
  fn() {
    const ctx = updateCtx();
    const update = parseUpdate(UPDATE, ctx);
    ctx.assertAllUsed();
    applyUpdate(update, ITEM, ["pk"]);
  },
});

Deno.bench({
  group: "update",
  name: "apply a parsed update",
  fn() {
    applyUpdate(parsedUpdate, ITEM, ["pk"]);
  },
});
