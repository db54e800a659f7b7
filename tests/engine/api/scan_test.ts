import { test } from "node:test";
import assert from "node:assert/strict";
import { putItem, scan, type ScanInput } from "../../../engine/api/mod.ts";
import { stripeOf } from "../../../engine/codec/key_codec.ts";
import type { AttributeMap } from "../../../mod.ts";
import { fixture, rejectsWith } from "./_helpers.ts";

const COUNT = 300;

async function seeded() {
  const f = await fixture();
  for (let i = 0; i < COUNT; i++) {
    await putItem(f.ctx, {
      TableName: "users",
      Item: { id: { S: `user#${i}` }, n: { N: String(i) } },
    });
  }
  await putItem(f.ctx, {
    TableName: "orders",
    Item: { customer: { S: "user#1" }, ts: { N: "1" } },
  });
  await f.db.put("user#1");
  return f;
}

function ids(items: readonly AttributeMap[] | undefined): string[] {
  return (items ?? []).map((item) => (item.id as { S: string }).S);
}

/** Every page of a scan, following LastEvaluatedKey. */
async function allPages(ctx: Parameters<typeof scan>[0], input: ScanInput) {
  const pages = [];
  let start: AttributeMap | undefined;
  do {
    const page = await scan(ctx, { ...input, ExclusiveStartKey: start });
    pages.push(page);
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return pages;
}

test("scan() returns the table's items only, in stripe order and then key order", async () => {
  const { db, ctx } = await seeded();
  const page = await scan(ctx, { TableName: "users" });
  assert.equal(page.Count, COUNT);
  assert.equal(page.ScannedCount, COUNT);
  assert.equal(page.LastEvaluatedKey, undefined);
  const keys = ids(page.Items).map((id) => [stripeOf({ S: id }), id] as const);
  const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  assert.deepEqual(keys, sorted);
  await db.close();
});

test("scan() pages with Limit cover every item once; the last page has no LastEvaluatedKey", async () => {
  const { db, ctx } = await seeded();
  for (const limit of [1, 7, 100, COUNT]) {
    const pages = await allPages(ctx, { TableName: "users", Limit: limit });
    const seen = pages.flatMap((page) => ids(page.Items));
    assert.equal(seen.length, COUNT, `limit ${limit}`);
    assert.equal(new Set(seen).size, COUNT);
    assert.equal(pages.length, Math.ceil(COUNT / limit), `limit ${limit}: no trailing empty page`);
  }
  await db.close();
});

test("scan() segments partition the table: every item in exactly one segment", async () => {
  const { db, ctx } = await seeded();
  const whole = ids((await scan(ctx, { TableName: "users" })).Items);
  for (const total of [1, 2, 3, 7, 64, 256]) {
    const segments = await Promise.all(
      Array.from(
        { length: total },
        (_, segment) =>
          allPages(ctx, { TableName: "users", Segment: segment, TotalSegments: total, Limit: 50 }),
      ),
    );
    const joined = segments.flatMap((pages) => pages.flatMap((page) => ids(page.Items)));
    assert.deepEqual(joined, whole, `${total} segments in order make the whole scan`);
  }
  await db.close();
});

test("scan() validates Segment and TotalSegments with DynamoDB's messages", async () => {
  const { db, ctx } = await seeded();
  await rejectsWith(
    scan(ctx, { TableName: "users", Segment: 0 }),
    "VALIDATION",
    "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
  );
  await rejectsWith(
    scan(ctx, { TableName: "users", TotalSegments: 2 }),
    "VALIDATION",
    "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
  );
  await rejectsWith(
    scan(ctx, { TableName: "users", Segment: 3, TotalSegments: 3 }),
    "VALIDATION",
    "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3",
  );
  await rejectsWith(
    scan(ctx, { TableName: "users", Segment: 0, TotalSegments: 257 }),
    "VALIDATION",
    "1 validation error detected: Value '257' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 256",
  );
  await db.close();
});

test("scan() rejects an ExclusiveStartKey that is not a key or lies in another segment", async () => {
  const { db, ctx } = await seeded();
  await rejectsWith(
    scan(ctx, { TableName: "users", ExclusiveStartKey: { id: { S: "user#1" }, n: { N: "1" } } }),
    "VALIDATION",
    "The provided starting key is invalid: The provided key element does not match the schema",
  );
  const key = { id: { S: "user#1" } };
  const segment = stripeOf(key.id) < 128 ? 1 : 0;
  await rejectsWith(
    scan(ctx, { TableName: "users", Segment: segment, TotalSegments: 2, ExclusiveStartKey: key }),
    "VALIDATION",
    `The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: ${segment}`,
  );
  await db.close();
});

test("scan() filters after reading and can count only", async () => {
  const { db, ctx } = await seeded();
  const page = await scan(ctx, {
    TableName: "users",
    FilterExpression: "n < :ten",
    ExpressionAttributeValues: { ":ten": { N: "10" } },
    Select: "COUNT",
  });
  assert.deepEqual(page, { Count: 10, ScannedCount: COUNT });
  const projected = await scan(ctx, { TableName: "orders", ProjectionExpression: "ts" });
  assert.deepEqual(projected.Items, [{ ts: { N: "1" } }]);
  await db.close();
});

test("scan() of an empty table is one empty page", async () => {
  const { db, ctx } = await fixture();
  assert.deepEqual(await scan(ctx, { TableName: "users", Limit: 1 }), {
    Items: [],
    Count: 0,
    ScannedCount: 0,
  });
  await db.close();
});
