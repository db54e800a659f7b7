import { test } from "node:test";
import assert from "node:assert/strict";
import { batchGetItem, batchWriteItem, getItem, putItem } from "../../../engine/api/mod.ts";
import type { AttributeMap } from "../../../mod.ts";
import { fixture, rejectsWith } from "./_helpers.ts";

const user = (i: number): AttributeMap => ({ id: { S: `u${i}` }, n: { N: String(i) } });
const userKey = (i: number): AttributeMap => ({ id: { S: `u${i}` } });

test("batchWriteItem() puts and deletes over several tables in one commit", async () => {
  const { db, ctx } = await fixture();
  await putItem(ctx, { TableName: "users", Item: user(0) });
  const lsn = (await db.stats()).last_lsn;
  const output = await batchWriteItem(ctx, {
    RequestItems: {
      users: [{ PutRequest: { Item: user(1) } }, { DeleteRequest: { Key: userKey(0) } }],
      orders: [{ PutRequest: { Item: { customer: { S: "c" }, ts: { N: "1" } } } }],
    },
  });
  assert.deepEqual(output, { UnprocessedItems: {} });
  assert.equal((await db.stats()).last_lsn, lsn + 1, "one WAL record");
  assert.deepEqual(await getItem(ctx, { TableName: "users", Key: userKey(0) }), {});
  assert.deepEqual((await getItem(ctx, { TableName: "users", Key: userKey(1) })).Item, user(1));
  await db.close();
});

test("batchWriteItem() allows 25 writes and rejects 26 with DynamoDB's message", async () => {
  const { db, ctx } = await fixture();
  const writes = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: user(i) } }));
  await batchWriteItem(ctx, { RequestItems: { users: writes(25) } });
  await rejectsWith(
    batchWriteItem(ctx, { RequestItems: { users: writes(20), orders: [] } }),
    "VALIDATION",
    /at 'requestItems.orders' failed to satisfy constraint: Member must have length greater than or equal to 1/,
  );
  await rejectsWith(
    batchWriteItem(ctx, {
      RequestItems: {
        users: writes(20),
        orders: writes(6).map((_, i) => ({
          DeleteRequest: { Key: { customer: { S: "c" }, ts: { N: String(i) } } },
        })),
      },
    }),
    "VALIDATION",
    "Too many items requested for the BatchWriteItem call",
  );
  await db.close();
});

test("batchWriteItem() rejects two writes of one item, writing nothing", async () => {
  const { db, ctx } = await fixture();
  await rejectsWith(
    batchWriteItem(ctx, {
      RequestItems: {
        users: [{ PutRequest: { Item: user(1) } }, { PutRequest: { Item: user(2) } }, {
          DeleteRequest: { Key: userKey(1) },
        }],
      },
    }),
    "VALIDATION",
    "Provided list of item keys contains duplicates",
  );
  assert.deepEqual(await getItem(ctx, { TableName: "users", Key: userKey(2) }), {});
  await db.close();
});

test("batchWriteItem() rejects a bad item anywhere in the batch, writing nothing", async () => {
  const { db, ctx } = await fixture();
  await rejectsWith(
    batchWriteItem(ctx, {
      RequestItems: {
        users: [{ PutRequest: { Item: user(1) } }, { PutRequest: { Item: { n: { N: "1" } } } }],
      },
    }),
    "VALIDATION",
    "One or more parameter values were invalid: Missing the key id in the item",
  );
  await rejectsWith(
    batchWriteItem(ctx, { RequestItems: { users: [{}] } }),
    "VALIDATION",
    "Invalid WriteRequest: must contain exactly one of PutRequest or DeleteRequest",
  );
  await rejectsWith(batchWriteItem(ctx, { RequestItems: {} }), "VALIDATION", /at 'requestItems'/);
  assert.deepEqual(await getItem(ctx, { TableName: "users", Key: userKey(1) }), {});
  await db.close();
});

test("batchGetItem() returns found items per table, in key order, projected", async () => {
  const { db, ctx } = await fixture();
  for (let i = 0; i < 5; i++) await putItem(ctx, { TableName: "users", Item: user(i) });
  await putItem(ctx, {
    TableName: "orders",
    Item: { customer: { S: "c" }, ts: { N: "1" }, x: { S: "y" } },
  });
  const output = await batchGetItem(ctx, {
    RequestItems: {
      users: { Keys: [userKey(3), userKey(9), userKey(1)], ProjectionExpression: "n" },
      orders: { Keys: [{ customer: { S: "c" }, ts: { N: "1" } }] },
    },
  });
  assert.deepEqual(output, {
    Responses: {
      users: [{ n: { N: "3" } }, { n: { N: "1" } }],
      orders: [{ customer: { S: "c" }, ts: { N: "1" }, x: { S: "y" } }],
    },
    UnprocessedKeys: {},
  });
  await db.close();
});

test("batchGetItem() allows 100 keys and rejects 101 or duplicates with DynamoDB's messages", async () => {
  const { db, ctx } = await fixture();
  const keys = (n: number) => Array.from({ length: n }, (_, i) => userKey(i));
  assert.deepEqual(
    (await batchGetItem(ctx, { RequestItems: { users: { Keys: keys(100) } } })).Responses,
    { users: [] },
  );
  await rejectsWith(
    batchGetItem(ctx, {
      RequestItems: {
        users: { Keys: keys(100) },
        orders: { Keys: [{ customer: { S: "c" }, ts: { N: "1" } }] },
      },
    }),
    "VALIDATION",
    "Too many items requested for the BatchGetItem call",
  );
  await rejectsWith(
    batchGetItem(ctx, { RequestItems: { users: { Keys: [userKey(1), userKey(1)] } } }),
    "VALIDATION",
    "Provided list of item keys contains duplicates",
  );
  await rejectsWith(
    batchGetItem(ctx, { RequestItems: { users: { Keys: [user(1)] } } }),
    "VALIDATION",
    "The provided key element does not match the schema",
  );
  await db.close();
});

test("batchGetItem() past 16 MB returns the rest as UnprocessedKeys", async () => {
  const { db, ctx } = await fixture();
  const blob = { S: "x".repeat(390_000) };
  for (let i = 0; i < 50; i++) {
    await putItem(ctx, { TableName: "users", Item: { id: { S: `u${i}` }, blob } });
  }
  const keys = Array.from({ length: 50 }, (_, i) => userKey(i));
  const first = await batchGetItem(ctx, { RequestItems: { users: { Keys: keys } } });
  const got = first.Responses.users!.length;
  assert.ok(got > 40 && got < 50, `${got} items fit in about 16 MB`);
  assert.deepEqual(first.UnprocessedKeys, { users: { Keys: keys.slice(got) } });
  const second = await batchGetItem(ctx, { RequestItems: first.UnprocessedKeys });
  assert.equal(second.Responses.users!.length, 50 - got);
  await db.close();
});
