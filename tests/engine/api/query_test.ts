import { test } from "node:test";
import assert from "node:assert/strict";
import { putItem, query, type QueryInput } from "../../../engine/api/mod.ts";
import type { AttributeMap } from "../../../mod.ts";
import { fixture, rejectsWith } from "./_helpers.ts";

const SORT_KEYS = ["-10", "-1.5", "0", "0.25", "1", "2", "10", "99.9", "100"];

function order(ts: string, extra: AttributeMap = {}): AttributeMap {
  return { customer: { S: "c1" }, ts: { N: ts }, ...extra };
}

async function seeded() {
  const f = await fixture();
  for (const ts of SORT_KEYS) await putItem(f.ctx, { TableName: "orders", Item: order(ts) });
  await putItem(f.ctx, { TableName: "orders", Item: { customer: { S: "c2" }, ts: { N: "1" } } });
  return f;
}

function sortKeysOf(items: readonly AttributeMap[] | undefined): string[] {
  return (items ?? []).map((item) => (item.ts as { N: string }).N);
}

function orders(
  condition: string,
  values: Record<string, string>,
  rest: Partial<QueryInput> = {},
): QueryInput {
  const attributeValues: AttributeMap = { ":c": { S: "c1" } };
  for (const [name, n] of Object.entries(values)) {
    (attributeValues as Record<string, unknown>)[name] = { N: n };
  }
  return {
    TableName: "orders",
    KeyConditionExpression: condition === "" ? "customer = :c" : `customer = :c AND ${condition}`,
    ExpressionAttributeValues: attributeValues,
    ...rest,
  };
}

test("query() with each sort key operator returns the matching items in order, both ways", async () => {
  const { db, ctx } = await seeded();
  const cases: [string, Record<string, string>, (n: number) => boolean][] = [
    ["", {}, () => true],
    ["ts = :v", { ":v": "0.25" }, (n) => n === 0.25],
    ["ts < :v", { ":v": "1" }, (n) => n < 1],
    ["ts <= :v", { ":v": "1" }, (n) => n <= 1],
    ["ts > :v", { ":v": "1" }, (n) => n > 1],
    ["ts >= :v", { ":v": "1" }, (n) => n >= 1],
    [":v <= ts", { ":v": "2" }, (n) => n >= 2],
    ["ts BETWEEN :a AND :b", { ":a": "-1.5", ":b": "10" }, (n) => n >= -1.5 && n <= 10],
    ["ts BETWEEN :a AND :b", { ":a": "3", ":b": "3" }, (n) => n === 3],
  ];
  for (const [condition, values, keep] of cases) {
    const expected = SORT_KEYS.filter((ts) => keep(Number(ts)));
    const forward = await query(ctx, orders(condition, values));
    assert.deepEqual(sortKeysOf(forward.Items), expected, condition);
    assert.equal(forward.Count, expected.length);
    assert.equal(forward.LastEvaluatedKey, undefined);
    const backward = await query(ctx, orders(condition, values, { ScanIndexForward: false }));
    assert.deepEqual(sortKeysOf(backward.Items), [...expected].reverse(), `${condition} backward`);
  }
  await db.close();
});

test("query() begins_with on a string sort key, and the default table's item without sk", async () => {
  const { db, ctx } = await fixture();
  for (const sk of [undefined, "order#1", "order#2", "order", "profile", "order#10"]) {
    const item: Record<string, AttributeMap[string]> = { pk: { S: "user#1" } };
    if (sk !== undefined) item.sk = { S: sk };
    await putItem(ctx, { TableName: "", Item: item });
  }
  const all = await query(ctx, {
    TableName: "",
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": { S: "user#1" } },
  });
  assert.deepEqual(
    all.Items?.map((item) => (item.sk as { S: string } | undefined)?.S),
    [undefined, "order", "order#1", "order#10", "order#2", "profile"],
    "the item without a sort key comes first",
  );
  const prefixed = await query(ctx, {
    TableName: "",
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
    ExpressionAttributeValues: { ":pk": { S: "user#1" }, ":p": { S: "order#" } },
  });
  assert.deepEqual(prefixed.Items?.map((item) => (item.sk as { S: string }).S), [
    "order#1",
    "order#10",
    "order#2",
  ]);
  const below = await query(ctx, {
    TableName: "",
    KeyConditionExpression: "pk = :pk AND sk < :p",
    ExpressionAttributeValues: { ":pk": { S: "user#1" }, ":p": { S: "p" } },
  });
  assert.equal(below.Count, 4, "a sort key condition never matches the item without sk");
  await db.close();
});

test("query() with Limit returns LastEvaluatedKey only when more items follow", async () => {
  const { db, ctx } = await seeded();
  const seen: string[] = [];
  let start: AttributeMap | undefined;
  let pages = 0;
  do {
    const page = await query(ctx, orders("", {}, { Limit: 3, ExclusiveStartKey: start }));
    seen.push(...sortKeysOf(page.Items));
    start = page.LastEvaluatedKey;
    pages++;
    if (start !== undefined) assert.deepEqual(start, page.Items?.at(-1), "the last item's key");
  } while (start !== undefined);
  assert.deepEqual(seen, SORT_KEYS);
  assert.equal(pages, 3, "9 items in pages of 3: no empty fourth page");
  const backward = await query(ctx, orders("", {}, { Limit: 4, ScanIndexForward: false }));
  const rest = await query(
    ctx,
    orders("", {}, { ScanIndexForward: false, ExclusiveStartKey: backward.LastEvaluatedKey }),
  );
  assert.deepEqual(
    [...sortKeysOf(backward.Items), ...sortKeysOf(rest.Items)],
    [...SORT_KEYS].reverse(),
  );
  await db.close();
});

test("query() stops a page after the item that brings it to 1 MB", async () => {
  const { db, ctx } = await fixture();
  const blob = { S: "x".repeat(100_000) };
  for (let i = 0; i < 25; i++) {
    await putItem(ctx, { TableName: "orders", Item: order(String(i), { blob }) });
  }
  const first = await query(ctx, orders("", {}));
  // Each item is 100,000 bytes of blob plus ~22 of names and keys: the 11th crosses 1,048,576.
  assert.equal(first.ScannedCount, 11);
  assert.deepEqual(first.LastEvaluatedKey, order("10"));
  const second = await query(ctx, orders("", {}, { ExclusiveStartKey: first.LastEvaluatedKey }));
  const third = await query(ctx, orders("", {}, { ExclusiveStartKey: second.LastEvaluatedKey }));
  assert.deepEqual([first.Count, second.Count, third.Count], [11, 11, 3]);
  assert.equal(third.LastEvaluatedKey, undefined);
  await db.close();
});

test("query() applies the filter after reading: Count after it, ScannedCount and Limit before", async () => {
  const { db, ctx } = await seeded();
  const page = await query(ctx, {
    ...orders("", { ":zero": "0" }),
    FilterExpression: "ts > :zero",
    Limit: 5,
  });
  assert.equal(page.ScannedCount, 5);
  assert.deepEqual(sortKeysOf(page.Items), ["0.25", "1"]);
  assert.equal(page.Count, 2);
  assert.deepEqual(page.LastEvaluatedKey, order("1"));
  await db.close();
});

test("query() with Select COUNT returns counts only; ProjectionExpression projects", async () => {
  const { db, ctx } = await seeded();
  await putItem(ctx, {
    TableName: "orders",
    Item: order("1", { note: { S: "hi" }, extra: { N: "1" } }),
  });
  const counted = await query(ctx, orders("", {}, { Select: "COUNT" }));
  assert.deepEqual(counted, { Count: 9, ScannedCount: 9 });
  const projected = await query(
    ctx,
    orders("ts = :one", { ":one": "1" }, { ProjectionExpression: "note" }),
  );
  assert.deepEqual(projected.Items, [{ note: { S: "hi" } }]);
  await rejectsWith(
    query(ctx, orders("", {}, { Select: "COUNT", ProjectionExpression: "note" })),
    "VALIDATION",
    "Cannot specify the ProjectionExpression when choosing to get only the Count",
  );
  await rejectsWith(
    query(ctx, orders("", {}, { Select: "EVERYTHING" })),
    "VALIDATION",
    /Value 'EVERYTHING' at 'select' failed to satisfy constraint/,
  );
  await db.close();
});

test("query() rejects key condition values whose type does not match the key schema", async () => {
  const { db, ctx } = await seeded();
  const mismatch =
    "One or more parameter values were invalid: Condition parameter type does not match schema type";
  await rejectsWith(
    query(ctx, {
      TableName: "orders",
      KeyConditionExpression: "customer = :c AND ts > :s",
      ExpressionAttributeValues: { ":c": { S: "c1" }, ":s": { S: "1" } },
    }),
    "VALIDATION",
    mismatch,
  );
  await rejectsWith(
    query(ctx, {
      TableName: "orders",
      KeyConditionExpression: "customer = :c",
      ExpressionAttributeValues: { ":c": { N: "1" } },
    }),
    "VALIDATION",
    mismatch,
  );
  await rejectsWith(
    query(ctx, orders("begins_with(ts, :p)", { ":p": "1" })),
    "VALIDATION",
    /begins_with/,
  );
  await rejectsWith(
    query(ctx, orders("", {}, { Limit: 0 })),
    "VALIDATION",
    /Value '0' at 'limit'.*greater than or equal to 1$/,
  );
  await db.close();
});

test("query() rejects an ExclusiveStartKey of another partition, outside the range, or not a key", async () => {
  const { db, ctx } = await seeded();
  await rejectsWith(
    query(ctx, orders("", {}, { ExclusiveStartKey: { customer: { S: "c2" }, ts: { N: "1" } } })),
    "VALIDATION",
    "The provided starting key is invalid",
  );
  await rejectsWith(
    query(ctx, orders("", {}, { ExclusiveStartKey: { customer: { S: "c1" } } })),
    "VALIDATION",
    "The provided starting key is invalid",
  );
  await rejectsWith(
    query(ctx, orders("ts > :v", { ":v": "5" }, { ExclusiveStartKey: order("1") })),
    "VALIDATION",
    "The provided starting key does not match the range key predicate",
  );
  await db.close();
});

test("query() merges the memtable and every SST: newest version wins, deletes hide", async () => {
  const { db, ctx } = await fixture({ autoCompact: false });
  for (let i = 0; i < 6; i++) {
    await putItem(ctx, { TableName: "orders", Item: order(String(i), { v: { S: "sst1" } }) });
  }
  await db.flush();
  for (const i of [1, 3]) {
    await putItem(ctx, { TableName: "orders", Item: order(String(i), { v: { S: "sst2" } }) });
  }
  await putItem(ctx, { TableName: "orders", Item: order("6", { v: { S: "sst2" } }) });
  await db.flush();
  await putItem(ctx, { TableName: "orders", Item: order("3", { v: { S: "mem" } }) });
  await db.delete({ pk: "unrelated" });
  const { deleteItem } = await import("../../../engine/api/delete_item.ts");
  await deleteItem(ctx, { TableName: "orders", Key: order("4") });
  await deleteItem(ctx, { TableName: "orders", Key: order("6") });
  const page = await query(ctx, orders("", {}));
  assert.deepEqual(
    page.Items?.map((item) => `${(item.ts as { N: string }).N}:${(item.v as { S: string }).S}`),
    ["0:sst1", "1:sst2", "2:sst1", "3:mem", "5:sst1"],
  );
  const backward = await query(ctx, orders("", {}, { ScanIndexForward: false, Limit: 2 }));
  assert.deepEqual(sortKeysOf(backward.Items), ["5", "3"]);
  await db.close();
});
