import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, NumberValue } from "../../../mod.ts";
import { query } from "../../../engine/api/query.ts";
import { scan } from "../../../engine/api/scan.ts";
import { marshall, unmarshallItem } from "../../../engine/model/marshall.ts";
import { ORDERS } from "../index/_fixture.ts";
import { Rng } from "../../helpers/random.ts";
import { testSeed } from "../sstable/_helpers.ts";

// The Table API decodes query and scan items straight to plain values when nothing needs their
// AttributeMaps. These tests hold it to the AttributeMap path: DynamoDB's pages, unmarshalled.

const NOW_SECONDS = 1_800_000_000;

function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 9 : 11)) {
    case 0:
      return rng.pick(["", "a", "é€😀", "x".repeat(300), "tag"]) + rng.int(50);
    case 1:
      return rng.int(2) === 0 ? rng.int(1_000_000) - 500_000 : rng.int(10_000) / 100;
    case 2:
      return new NumberValue(`${rng.int(9) + 1}${"7".repeat(20 + rng.int(15))}`);
    case 3:
      return Uint8Array.from({ length: rng.int(8) }, () => rng.int(256));
    case 4:
      return rng.int(2) === 0;
    case 5:
      return null;
    case 6:
      return new Set(["a", "b", "c"].slice(0, 1 + rng.int(3)));
    case 7:
      return new Set([1, 2.5, 3].slice(0, 1 + rng.int(3)));
    case 8:
      return new Set([Uint8Array.of(1), Uint8Array.of(2)].slice(0, 1 + rng.int(2)));
    case 9:
      return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: rng.int(4) }, (_, i) => [`m${i}`, randomValue(rng, depth + 1)]),
      );
  }
}

/**
 * The index tests' `orders` table with 300 seeded items of every type; with `ttl`, a third of them
 * expired (still stored: the sweeper is off), which makes every read decode AttributeMaps first.
 */
async function ordersDatabase(seed: string, ttl: boolean) {
  const rng = new Rng(testSeed(seed));
  const db = await Database.memory({ clock: () => NOW_SECONDS * 1000, ttlSweepIntervalMs: 0 });
  const orders = await db.createTable("orders", ORDERS.keySchema, {
    ...ORDERS.options,
    ...(ttl ? { ttl: { attributeName: "expires" } } : {}),
  });
  for (let i = 0; i < 300; i++) {
    const item: Record<string, unknown> = {
      customer: `c${rng.int(5)}`,
      id: `o${String(i).padStart(4, "0")}`,
      status: rng.pick(["new", "paid", "sent"]),
      placed: `2026-11-${String(1 + rng.int(28)).padStart(2, "0")}`,
      email: `u${rng.int(40)}@example.com`,
      amount: rng.int(1000),
      note: randomValue(rng),
    };
    for (let a = 0; a < rng.int(5); a++) item[`extra${a}`] = randomValue(rng);
    // A third expired, a third not yet, a third without the attribute.
    const expiry = rng.int(3);
    if (expiry < 2) item.expires = NOW_SECONDS + (expiry === 0 ? -100 : 100);
    await orders.put(item);
    if (rng.int(10) === 0) await db.flush();
  }
  return { db, orders, rng };
}

/** The request options every case is run with, from plain to filtered, projected and indexed. */
const VARIANTS: Record<string, unknown>[] = [
  {},
  { limit: 7 },
  { filterExpression: "amount > :min", values: { ":min": 500 } },
  { projectionExpression: "id, note, amount" },
  { select: "COUNT" },
  { filterExpression: "attribute_exists(note)", select: "COUNT" },
  { indexName: "byEmail" },
  { indexName: "byStatus", projectionExpression: "id, amount" },
  { indexName: "byAmount", limit: 5 },
];

function optionsOf(variant: Record<string, unknown>, values: Record<string, unknown> = {}) {
  const { values: more = {}, ...rest } = variant as { values?: Record<string, unknown> };
  const all = { ...values, ...more };
  return Object.keys(all).length === 0 ? rest : { ...rest, expressionAttributeValues: all };
}

function dynamoInput(table: string, options: Record<string, unknown>): Record<string, unknown> {
  const values = options.expressionAttributeValues as Record<string, unknown> | undefined;
  return {
    TableName: table,
    IndexName: options.indexName,
    KeyConditionExpression: options.keyConditionExpression,
    FilterExpression: options.filterExpression,
    ProjectionExpression: options.projectionExpression,
    Select: options.select,
    Limit: options.limit,
    ExpressionAttributeNames: options.expressionAttributeNames,
    ExpressionAttributeValues: values === undefined
      ? undefined
      : Object.fromEntries(Object.entries(values).map(([k, v]) => [k, marshall(v, k)])),
  };
}

function unmarshalled(output: { Items?: unknown[]; Count: number; LastEvaluatedKey?: unknown }) {
  return {
    items: (output.Items ?? []).map((item) => unmarshallItem(item as never)),
    count: output.Count,
    lastEvaluatedKey: output.LastEvaluatedKey === undefined
      ? undefined
      : unmarshallItem(output.LastEvaluatedKey as never),
  };
}

/** Asserts that a `Table` page equals DynamoDB's page of the same request, unmarshalled. */
function assertSamePage(
  page: { items: unknown[]; count: number; lastEvaluatedKey?: unknown },
  dynamo: { Items?: unknown[]; Count: number; LastEvaluatedKey?: unknown },
  options: unknown,
): void {
  assert.deepEqual(
    { items: page.items, count: page.count, lastEvaluatedKey: page.lastEvaluatedKey },
    unmarshalled(dynamo),
    JSON.stringify(options),
  );
}

for (const ttl of [false, true]) {
  const setting = ttl ? "with time to live" : "without time to live";

  test(`Table.query() returns the AttributeMap path's items, unmarshalled, for every kind of request, ${setting} (seeded)`, async () => {
    const { db, orders } = await ordersDatabase(`plain query pages ${ttl}`, ttl);
    const ctx = db.apiContext();
    let returned = 0, continued = 0;
    for (const variant of VARIANTS) {
      const index = variant.indexName as string | undefined;
      for (const key of ["c0", "c3", "new", "u7@example.com"]) {
        const attribute = index === "byStatus"
          ? "status"
          : index === "byEmail"
          ? "email"
          : "customer";
        const options = {
          ...optionsOf(variant, { ":k": key }),
          keyConditionExpression: "#k = :k",
          expressionAttributeNames: { "#k": attribute },
        };
        const page = await orders.query(options as never);
        assertSamePage(page, await query(ctx, dynamoInput("orders", options) as never), options);
        returned += page.items.length;
        if (page.lastEvaluatedKey !== undefined) continued++;
      }
    }
    assert.ok(returned > 100 && continued > 3, `cases must read items: ${returned}, ${continued}`);
    await db.close();
  });

  test(`Table.scan() and scanPages() return the AttributeMap path's items, unmarshalled, ${setting} (seeded)`, async () => {
    const { db, orders } = await ordersDatabase(`plain scan pages ${ttl}`, ttl);
    const ctx = db.apiContext();
    let expiredRead = 0;
    for (const variant of VARIANTS) {
      const options = optionsOf(variant);
      const page = await orders.scan(options as never);
      assertSamePage(page, await scan(ctx, dynamoInput("orders", options) as never), options);
      // Paging from one snapshot reads the same items as the one-shot pages chained.
      const paged = [];
      for await (const each of orders.scanPages({ ...options, limit: 13 } as never)) {
        paged.push(...each.items);
      }
      const chained = [];
      let start: Record<string, unknown> | undefined;
      do {
        const input = dynamoInput("orders", { ...options, limit: 13 });
        if (start !== undefined) {
          input.ExclusiveStartKey = Object.fromEntries(
            Object.entries(start).map(([k, v]) => [k, marshall(v, k)]),
          );
        }
        const next = unmarshalled(await scan(ctx, input as never));
        chained.push(...next.items);
        start = next.lastEvaluatedKey as Record<string, unknown> | undefined;
      } while (start !== undefined);
      assert.deepEqual(paged, chained, JSON.stringify(options));
      if (variant.select === undefined) {
        assert.ok(paged.length > 0, JSON.stringify(options));
        const expired = paged.filter((item) => (item.expires as number) < NOW_SECONDS).length;
        if (ttl) assert.equal(expired, 0, "time to live hides expired items");
        expiredRead += expired;
      }
    }
    if (!ttl) assert.ok(expiredRead > 0, "without time to live, expired items are read");
    await db.close();
  });
}
