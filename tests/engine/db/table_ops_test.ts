import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ConditionalCheckFailedError,
  Database,
  KstoneError,
  MemoryFileSystem,
  NumberValue,
} from "../../../mod.ts";

async function fresh() {
  const db = await Database.memory();
  const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
  const events = await db.createTable("events", {
    partitionKey: { name: "device", type: "B" },
    sortKey: { name: "seq", type: "N" },
  });
  return { db, users, events };
}

test("Table.put() takes a condition with plain placeholder values and returns ALL_OLD", async () => {
  const { db, users } = await fresh();
  assert.equal(await users.put({ id: "u1", tags: new Set(["a"]), n: 1 }), undefined);
  const old = await users.put({ id: "u1", n: 2 }, {
    conditionExpression: "contains(tags, :t) AND n = :one",
    expressionAttributeValues: { ":t": "a", ":one": 1 },
    returnValues: "ALL_OLD",
  });
  assert.deepEqual(old, { id: "u1", tags: new Set(["a"]), n: 1 });
  await db.close();
});

test("Table.put() failing its condition throws ConditionalCheckFailedError with the plain old item", async () => {
  const { db, users } = await fresh();
  await users.put({ id: "u1", version: 3 });
  await assert.rejects(
    users.put({ id: "u1", version: 5 }, {
      conditionExpression: "version = :expected",
      expressionAttributeValues: { ":expected": 4 },
      returnValuesOnConditionCheckFailure: "ALL_OLD",
    }),
    (error: unknown) => {
      assert.ok(error instanceof ConditionalCheckFailedError);
      assert.equal(error.code, "CONDITIONAL_CHECK_FAILED");
      assert.deepEqual(error.item, { id: "u1", version: 3 });
      return true;
    },
  );
  await db.close();
});

test("Table.update() returns plain values for every returnValues mode", async () => {
  const { db, users } = await fresh();
  const big = new NumberValue("12345678901234567890.5");
  await users.put({ id: "u1", big, list: [1] });
  const updated = await users.update({ id: "u1" }, {
    updateExpression: "SET big = big + :one, #l = list_append(#l, :more) ADD tags :tags",
    expressionAttributeNames: { "#l": "list" },
    expressionAttributeValues: { ":one": 1, ":more": [2], ":tags": new Set(["x"]) },
    returnValues: "UPDATED_NEW",
  });
  assert.deepEqual(updated, {
    big: new NumberValue("12345678901234567891.5"),
    list: [1, 2],
    tags: new Set(["x"]),
  });
  const old = await users.update({ id: "u1" }, {
    updateExpression: "REMOVE tags",
    returnValues: "UPDATED_OLD",
  });
  assert.deepEqual(old, { tags: new Set(["x"]) });
  assert.equal(
    await users.update({ id: "u1" }, {
      updateExpression: "REMOVE tags",
      returnValues: "UPDATED_OLD",
    }),
    undefined,
  );
  await db.close();
});

test("Table.delete() and Table.get() take DynamoDB's options", async () => {
  const { db, users } = await fresh();
  await users.put({ id: "u1", profile: { city: "Paris", zip: "75001" } });
  assert.deepEqual(await users.get({ id: "u1" }, { projectionExpression: "profile.city" }), {
    profile: { city: "Paris" },
  });
  await assert.rejects(
    users.delete({ id: "u1" }, { conditionExpression: "attribute_not_exists(profile)" }),
    {
      code: "CONDITIONAL_CHECK_FAILED",
    },
  );
  assert.deepEqual(await users.delete({ id: "u1" }, { returnValues: "ALL_OLD" }), {
    id: "u1",
    profile: { city: "Paris", zip: "75001" },
  });
  await db.close();
});

test("Table.query() pages with lastEvaluatedKey round-tripping binary and number keys", async () => {
  const { db, events } = await fresh();
  const device = new Uint8Array([0, 1, 2]);
  for (let seq = 0; seq < 7; seq++) await events.put({ device, seq: seq * 0.5, on: seq % 2 === 0 });
  const seqs: unknown[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await events.query({
      keyConditionExpression: "device = :d AND seq >= :from",
      filterExpression: "#on = :yes",
      expressionAttributeNames: { "#on": "on" },
      expressionAttributeValues: { ":d": device, ":from": 1, ":yes": true },
      limit: 2,
      exclusiveStartKey,
    });
    seqs.push(...page.items.map((item) => item.seq));
    exclusiveStartKey = page.lastEvaluatedKey;
  } while (exclusiveStartKey !== undefined);
  assert.deepEqual(seqs, [1, 2, 3]);
  await db.close();
});

test("Table.queryAll() yields every matching item across pages", async () => {
  const { db, events } = await fresh();
  const device = new Uint8Array([9]);
  for (let seq = 0; seq < 25; seq++) await events.put({ device, seq });
  const options = {
    keyConditionExpression: "device = :d",
    expressionAttributeValues: { ":d": device },
    scanIndexForward: false,
    limit: 4,
  };
  const seqs = [];
  for await (const item of events.queryAll(options)) seqs.push(item.seq);
  assert.deepEqual(seqs, Array.from({ length: 25 }, (_, i) => 24 - i));
  let pages = 0;
  for await (const page of events.queryPages(options)) pages += page.items.length > 0 ? 1 : 0;
  assert.equal(pages, 7);
  await db.close();
});

test("Table.scanPages() stops with the signal's reason when aborted", async () => {
  const { db, users } = await fresh();
  for (let i = 0; i < 10; i++) await users.put({ id: `u${i}` });
  const controller = new AbortController();
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const page of users.scanPages({ limit: 3, signal: controller.signal })) {
        seen.push(page.count);
        controller.abort(new Error("enough"));
      }
    })(),
    { message: "enough" },
  );
  assert.deepEqual(seen, [3]);
  await db.close();
});

test("Table.scan() with totalSegments splits the table; scanAll() reads it all", async () => {
  const { db, users } = await fresh();
  for (let i = 0; i < 40; i++) await users.put({ id: `user#${i}` });
  const counts = await Promise.all(
    [0, 1, 2, 3].map(async (segment) =>
      (await Array.fromAsync(users.scanAll({ segment, totalSegments: 4 }))).length
    ),
  );
  assert.equal(counts.reduce((a, b) => a + b), 40);
  assert.equal((await Array.fromAsync(users.scanAll({ limit: 7 }))).length, 40);
  assert.deepEqual(await users.scan({ select: "COUNT" }), {
    items: [],
    count: 40,
    scannedCount: 40,
  });
  await db.close();
});

test("Table methods reject a placeholder value that cannot be marshalled, naming it", async () => {
  const { db, users } = await fresh();
  await assert.rejects(
    users.update({ id: "u1" }, {
      updateExpression: "SET d = :d",
      expressionAttributeValues: { ":d": new Date() },
    }),
    { code: "VALIDATION", message: "Cannot marshall value at ':d': unsupported type Date" },
  );
  await db.close();
});

test("Table methods of a deleted table fail with RESOURCE_NOT_FOUND", async () => {
  const { db, users } = await fresh();
  await db.deleteTable("users");
  for (
    const call of [
      () =>
        users.query({
          keyConditionExpression: "id = :i",
          expressionAttributeValues: { ":i": "x" },
        }),
      () => users.scan(),
      () => users.update({ id: "x" }),
    ]
  ) {
    await assert.rejects(
      call(),
      (error: unknown) => error instanceof KstoneError && error.code === "RESOURCE_NOT_FOUND",
    );
  }
  await db.close();
});

test("Database.query(), scan() and update() work on the default table", async () => {
  const db = await Database.memory();
  await db.put("user#1", { name: "Ada" });
  await db.put({ pk: "user#1", sk: "order#2" }, { total: 2 });
  await db.put({ pk: "user#1", sk: "order#1" }, { total: 1 });
  await assert.rejects(
    db.update({ pk: "user#1", sk: "order#1" }, {
      updateExpression: "SET total = total + :n",
      expressionAttributeValues: { ":n": 10 },
    }),
    /reserved keyword: total/,
  );
  await db.update({ pk: "user#1", sk: "order#1" }, {
    updateExpression: "SET #t = #t + :n",
    expressionAttributeNames: { "#t": "total" },
    expressionAttributeValues: { ":n": 10 },
  });
  const page = await db.query({
    keyConditionExpression: "pk = :pk AND begins_with(sk, :o)",
    expressionAttributeValues: { ":pk": "user#1", ":o": "order#" },
  });
  assert.deepEqual(page.items, [
    { pk: "user#1", sk: "order#1", total: 11 },
    { pk: "user#1", sk: "order#2", total: 2 },
  ]);
  assert.equal((await db.scan()).count, 3);
  assert.equal(
    (await Array.fromAsync(
      db.queryAll({
        keyConditionExpression: "pk = :pk",
        expressionAttributeValues: { ":pk": "user#1" },
      }),
    )).length,
    3,
  );
  await db.close();
});

test("put() resolves to undefined once durable through the WAL, alone and 100 in flight", async () => {
  const fs = new MemoryFileSystem();
  await using db = await Database.create("/data/puts.keystone", { fs });
  const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
  assert.equal(await db.put("alone", { n: 1 }), undefined);
  const results = await Promise.all(
    Array.from(
      { length: 100 },
      (_, i) => i % 2 ? db.put(`k${i}`, { i }) : users.put({ id: `u${i}`, i }),
    ),
  );
  assert.deepEqual(results, new Array(100).fill(undefined));
  await assert.rejects(
    db.put({ pk: "" }, {}),
    { code: "VALIDATION" },
    "a bad key rejects, it does not throw",
  );
  assert.equal((await db.get("k99"))?.i, 99);
});
