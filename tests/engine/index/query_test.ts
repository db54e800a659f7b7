import { test } from "node:test";
import assert from "node:assert/strict";
import { query, type QueryInput, scan } from "../../../engine/api/mod.ts";
import type { AttributeMap } from "../../../mod.ts";
import { resolveIndex } from "../../../engine/index/read.ts";
import { rejectsWith } from "../api/_helpers.ts";
import { indexFixture, indexOf } from "./_fixture.ts";

const ORDERS = [
  {
    customer: "c1",
    id: "o1",
    amount: 10,
    status: "open",
    placed: "2026-01-01",
    email: "a@x",
    note: "n1",
    extra: 1,
  },
  { customer: "c1", id: "o2", amount: 30, status: "open", placed: "2026-01-03", email: "a@x" },
  {
    customer: "c1",
    id: "o3",
    amount: 20,
    status: "closed",
    placed: "2026-01-02",
    email: "b@x",
    note: "n3",
  },
  { customer: "c1", id: "o4", amount: 20, status: "open", placed: "2026-01-02" },
  { customer: "c2", id: "o5", amount: 5, status: "open", placed: "2026-01-02", email: "a@x" },
  { customer: "c2", id: "o6", email: "c@x" },
  { customer: "c1", id: "o7", status: "open" },
];

async function seeded(options: Parameters<typeof indexFixture>[0] = {}, ttl?: string) {
  const f = await indexFixture(options, ttl);
  const orders = f.db.table("orders");
  for (const item of ORDERS) await orders.put(item);
  return f;
}

const ids = (items: readonly AttributeMap[] | undefined) =>
  (items ?? []).map((item) => (item.id as { S: string }).S);

function byStatus(
  condition: string,
  values: AttributeMap,
  rest: Partial<QueryInput> = {},
): QueryInput {
  return {
    TableName: "orders",
    IndexName: "byStatus",
    KeyConditionExpression: `#s = :s${condition === "" ? "" : ` AND ${condition}`}`,
    ExpressionAttributeNames: { "#s": "status" },
    ExpressionAttributeValues: { ":s": { S: "open" }, ...values },
    ...rest,
  };
}

test("Query on a GSI returns its partition in index key order, ties by table key, with the projected attributes", async () => {
  const { db, ctx } = await seeded();
  const page = await query(ctx, byStatus("", {}));
  assert.deepEqual(ids(page.Items), ["o1", "o4", "o5", "o2"]);
  assert.deepEqual(page.Items![0], {
    customer: { S: "c1" },
    id: { S: "o1" },
    status: { S: "open" },
    placed: { S: "2026-01-01" },
    amount: { N: "10" },
    note: { S: "n1" },
  });
  const reverse = await query(ctx, byStatus("", {}, { ScanIndexForward: false }));
  assert.deepEqual(ids(reverse.Items), ["o2", "o5", "o4", "o1"]);
  await db.close();
});

test("Query on a GSI applies every sort key condition to the index sort key", async () => {
  const { db, ctx } = await seeded();
  const d = (text: string) => ({ S: text });
  const cases: [string, AttributeMap, string[]][] = [
    ["placed = :a", { ":a": d("2026-01-02") }, ["o4", "o5"]],
    ["placed < :a", { ":a": d("2026-01-02") }, ["o1"]],
    ["placed <= :a", { ":a": d("2026-01-02") }, ["o1", "o4", "o5"]],
    ["placed > :a", { ":a": d("2026-01-02") }, ["o2"]],
    ["placed >= :a", { ":a": d("2026-01-02") }, ["o4", "o5", "o2"]],
    ["placed BETWEEN :a AND :b", { ":a": d("2026-01-02"), ":b": d("2026-01-03") }, [
      "o4",
      "o5",
      "o2",
    ]],
    ["begins_with(placed, :a)", { ":a": d("2026-01-0") }, ["o1", "o4", "o5", "o2"]],
  ];
  for (const [condition, values, expected] of cases) {
    assert.deepEqual(
      ids((await query(ctx, byStatus(condition, values))).Items),
      expected,
      condition,
    );
    const reverse = await query(ctx, byStatus(condition, values, { ScanIndexForward: false }));
    assert.deepEqual(ids(reverse.Items), expected.toReversed(), condition);
  }
  await db.close();
});

test("Query on an index pages with LastEvaluatedKey holding the table and index keys", async () => {
  const { db, ctx } = await seeded();
  const first = await query(ctx, byStatus("", {}, { Limit: 1 }));
  assert.deepEqual(first.LastEvaluatedKey, {
    customer: { S: "c1" },
    id: { S: "o1" },
    status: { S: "open" },
    placed: { S: "2026-01-01" },
  });
  for (const reverse of [false, true]) {
    const seen: string[] = [];
    let start: AttributeMap | undefined;
    do {
      const page = await query(
        ctx,
        byStatus("", {}, { Limit: 2, ExclusiveStartKey: start, ScanIndexForward: !reverse }),
      );
      seen.push(...ids(page.Items));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    const all = ["o1", "o4", "o5", "o2"];
    assert.deepEqual(seen, reverse ? all.toReversed() : all);
  }
  await rejectsWith(
    query(ctx, byStatus("", {}, { ExclusiveStartKey: { customer: { S: "c1" }, id: { S: "o1" } } })),
    "VALIDATION",
    "The provided starting key is invalid",
  );
  await db.close();
});

test("Query on a GSI without a sort key returns every item of a non-unique key, by table key", async () => {
  const { db, ctx } = await seeded();
  const input: QueryInput = {
    TableName: "orders",
    IndexName: "byEmail",
    KeyConditionExpression: "email = :e",
    ExpressionAttributeValues: { ":e": { S: "a@x" } },
    Limit: 2,
  };
  const first = await query(ctx, input);
  assert.deepEqual(ids(first.Items), ["o1", "o2"]);
  assert.deepEqual(first.Items![0]!.extra, { N: "1" }); // ALL projection
  assert.deepEqual(first.LastEvaluatedKey, {
    customer: { S: "c1" },
    id: { S: "o2" },
    email: { S: "a@x" },
  });
  const second = await query(ctx, { ...input, ExclusiveStartKey: first.LastEvaluatedKey });
  assert.deepEqual(ids(second.Items), ["o5"]);
  assert.equal(second.LastEvaluatedKey, undefined);
  await db.close();
});

test("Query on an LSI returns its projection, and fetches from the table what it does not project", async () => {
  const { db, ctx } = await seeded();
  const input: QueryInput = {
    TableName: "orders",
    IndexName: "byAmount",
    KeyConditionExpression: "customer = :c AND amount >= :a",
    ExpressionAttributeValues: { ":c": { S: "c1" }, ":a": { N: "20" } },
  };
  const keysOnly = await query(ctx, input);
  assert.deepEqual(keysOnly.Items, [
    { customer: { S: "c1" }, id: { S: "o3" }, amount: { N: "20" } },
    { customer: { S: "c1" }, id: { S: "o4" }, amount: { N: "20" } },
    { customer: { S: "c1" }, id: { S: "o2" }, amount: { N: "30" } },
  ]);
  const all = await query(ctx, { ...input, Select: "ALL_ATTRIBUTES", ConsistentRead: true });
  assert.deepEqual(all.Items![0]!.note, { S: "n3" });
  assert.deepEqual(all.Items![0]!.status, { S: "closed" });
  const projected = await query(ctx, { ...input, ProjectionExpression: "id, note" });
  assert.deepEqual(projected.Items, [
    { id: { S: "o3" }, note: { S: "n3" } },
    { id: { S: "o4" } },
    { id: { S: "o2" } },
  ]);
  const filtered = await query(ctx, { ...input, FilterExpression: "attribute_exists(email)" });
  assert.deepEqual(ids(filtered.Items), ["o3", "o2"]);
  assert.deepEqual(Object.keys(filtered.Items![0]!).sort(), ["amount", "customer", "id"]);
  assert.deepEqual([filtered.Count, filtered.ScannedCount], [2, 3]);
  const counted = await query(ctx, { ...input, Select: "COUNT" });
  assert.deepEqual([counted.Count, counted.Items], [3, undefined]);
  await db.close();
});

test("Query on a GSI leaves out unprojected attributes and refuses ALL_ATTRIBUTES unless it projects ALL", async () => {
  const { db, ctx } = await seeded();
  const projected = await query(
    ctx,
    byStatus("placed = :a", { ":a": { S: "2026-01-01" } }, {
      ProjectionExpression: "id, email, note",
    }),
  );
  assert.deepEqual(projected.Items, [{ id: { S: "o1" }, note: { S: "n1" } }]);
  const filtered = await query(
    ctx,
    byStatus("", {}, { FilterExpression: "attribute_exists(email)" }),
  );
  assert.deepEqual([filtered.Count, filtered.ScannedCount], [0, 4]);
  await rejectsWith(
    query(ctx, byStatus("", {}, { Select: "ALL_ATTRIBUTES" })),
    "VALIDATION",
    "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byStatus because its projection type is not ALL",
  );
  const all = await query(ctx, {
    TableName: "orders",
    IndexName: "byEmail",
    KeyConditionExpression: "email = :e",
    ExpressionAttributeValues: { ":e": { S: "b@x" } },
    Select: "ALL_ATTRIBUTES",
  });
  assert.deepEqual(ids(all.Items), ["o3"]);
  const projectedAll = await query(ctx, byStatus("", {}, { Select: "ALL_PROJECTED_ATTRIBUTES" }));
  assert.equal(projectedAll.Count, 4);
  await db.close();
});

test("Query and Scan with IndexName reject what DynamoDB rejects, with its messages", async () => {
  const { db, ctx } = await seeded();
  await rejectsWith(
    query(ctx, { ...byStatus("", {}), IndexName: "byNothing" }),
    "VALIDATION",
    "The table does not have the specified index: byNothing",
  );
  await rejectsWith(
    scan(ctx, { TableName: "orders", IndexName: "byNothing" }),
    "VALIDATION",
    "The table does not have the specified index: byNothing",
  );
  await rejectsWith(
    query(ctx, byStatus("", {}, { ConsistentRead: true })),
    "VALIDATION",
    "Consistent reads are not supported on global secondary indexes",
  );
  await rejectsWith(
    query(ctx, {
      TableName: "orders",
      IndexName: "byStatus",
      KeyConditionExpression: "customer = :c",
      ExpressionAttributeValues: { ":c": { S: "c1" } },
    }),
    "VALIDATION",
    "Query condition missed key schema element: status",
  );
  await rejectsWith(
    query(ctx, byStatus("amount > :a", { ":a": { N: "1" } })),
    "VALIDATION",
    "Query condition missed key schema element: placed",
  );
  await rejectsWith(
    query(ctx, byStatus("", { ":s": { N: "1" } })),
    "VALIDATION",
    "One or more parameter values were invalid: Condition parameter type does not match schema type",
  );
  await rejectsWith(
    query(
      ctx,
      byStatus("", {}, { Select: "ALL_PROJECTED_ATTRIBUTES", ProjectionExpression: "id" }),
    ),
    "VALIDATION",
    "Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES",
  );
  await rejectsWith(
    scan(ctx, { TableName: "orders", Select: "ALL_PROJECTED_ATTRIBUTES" }),
    "VALIDATION",
    "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
  );
  await db.close();
});

test("resolveIndex() refuses to read an index that is still being backfilled", async () => {
  const { db, ctx } = await indexFixture();
  const table = ctx.table("orders");
  const creating = { ...indexOf(ctx, "byEmail"), status: "CREATING" as const };
  assert.throws(() => resolveIndex({ ...table, indexes: [creating] }, "byEmail", undefined), {
    message: "Cannot read from backfilling global secondary index: byEmail",
  });
  await db.close();
});

test("Scan with IndexName reads only indexed items, in segments and pages", async () => {
  const { db, ctx } = await seeded();
  const whole = await scan(ctx, { TableName: "orders", IndexName: "byStatus" });
  assert.deepEqual(ids(whole.Items).sort(), ["o1", "o2", "o3", "o4", "o5"]);
  assert.equal(whole.Items!.find((item) => item.email !== undefined), undefined);
  const segments = await Promise.all(
    [0, 1, 2, 3].map((Segment) =>
      scan(ctx, { TableName: "orders", IndexName: "byEmail", Segment, TotalSegments: 4 })
    ),
  );
  assert.deepEqual(segments.flatMap((page) => ids(page.Items)).sort(), [
    "o1",
    "o2",
    "o3",
    "o5",
    "o6",
  ]);
  const seen: string[] = [];
  let start: AttributeMap | undefined;
  do {
    const page = await scan(ctx, {
      TableName: "orders",
      IndexName: "byAmount",
      Limit: 2,
      ExclusiveStartKey: start,
    });
    seen.push(...ids(page.Items));
    start = page.LastEvaluatedKey;
    if (start !== undefined) {
      assert.deepEqual(Object.keys(start).sort(), ["amount", "customer", "id"]);
    }
  } while (start !== undefined);
  assert.deepEqual(seen.sort(), ["o1", "o2", "o3", "o4", "o5"]);
  await db.close();
});

test("Table.query(), queryAll() and scanAll() take indexName", async () => {
  const { db } = await seeded();
  const orders = db.table("orders");
  const page = await orders.query({
    indexName: "byEmail",
    keyConditionExpression: "email = :e",
    expressionAttributeValues: { ":e": "a@x" },
    limit: 1,
  });
  assert.deepEqual(page.lastEvaluatedKey, { customer: "c1", id: "o1", email: "a@x" });
  const all = await Array.fromAsync(orders.queryAll({
    indexName: "byStatus",
    keyConditionExpression: "#s = :s AND placed >= :p",
    expressionAttributeNames: { "#s": "status" },
    expressionAttributeValues: { ":s": "open", ":p": "2026-01-02" },
    limit: 1,
  }));
  assert.deepEqual(all.map((item) => item.id), ["o4", "o5", "o2"]);
  const scanned = await Array.fromAsync(orders.scanAll({ indexName: "byAmount", limit: 2 }));
  assert.equal(scanned.length, 5);
  await db.close();
});

test("expired items are hidden from index reads, whether or not the index projects the TTL attribute", async () => {
  let now = Date.UTC(2026, 0, 10);
  const { db, ctx } = await seeded({ clock: () => now }, "exp");
  const orders = db.table("orders");
  const soon = now / 1000 + 60;
  await orders.update({ customer: "c1", id: "o1" }, {
    updateExpression: "SET exp = :t",
    expressionAttributeValues: { ":t": soon },
  });
  await orders.update({ customer: "c2", id: "o5" }, {
    updateExpression: "SET exp = :t",
    expressionAttributeValues: { ":t": soon },
  });
  assert.equal((await query(ctx, byStatus("", {}))).Count, 4);
  now += 120_000;
  const open = await query(ctx, byStatus("", {}));
  assert.deepEqual(ids(open.Items), ["o4", "o2"]);
  assert.equal(open.ScannedCount, 2);
  const emails = await query(ctx, {
    TableName: "orders",
    IndexName: "byEmail",
    KeyConditionExpression: "email = :e",
    ExpressionAttributeValues: { ":e": { S: "a@x" } },
  });
  assert.deepEqual(ids(emails.Items), ["o2"]);
  const amounts = await scan(ctx, { TableName: "orders", IndexName: "byAmount", Select: "COUNT" });
  assert.equal(amounts.Count, 3);
  assert.equal(indexOf(ctx, "byStatus").projection.type, "INCLUDE");
  await db.close();
});
