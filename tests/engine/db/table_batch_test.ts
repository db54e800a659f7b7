import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, TransactionCanceledError } from "../../../mod.ts";

async function fresh() {
  const db = await Database.memory();
  const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
  return { db, users };
}

test('Database.batchWrite() and batchGet() span tables; the default table is "" with string keys', async () => {
  const { db } = await fresh();
  await db.batchWrite({
    users: [{ put: { id: "u1", name: "Ada" } }, { put: { id: "u2", name: "Alan" } }],
    "": [{ put: { pk: "settings", theme: "dark" } }, { put: { pk: "old" } }],
  });
  await db.batchWrite({ "": [{ delete: "old" }], users: [{ delete: { id: "u2" } }] });
  const found = await db.batchGet({
    users: {
      keys: [{ id: "u2" }, { id: "u1" }],
      projectionExpression: "#n",
      expressionAttributeNames: { "#n": "name" },
    },
    "": ["settings", "old", { pk: "nothing", sk: "here" }],
  });
  assert.deepEqual(found, { users: [{ name: "Ada" }], "": [{ pk: "settings", theme: "dark" }] });
  await db.close();
});

test("Database.batchWrite() enforces 25 writes and distinct keys", async () => {
  const { db } = await fresh();
  const puts = (n: number) => Array.from({ length: n }, (_, i) => ({ put: { id: `u${i}` } }));
  await db.batchWrite({ users: puts(25) });
  await assert.rejects(db.batchWrite({ users: puts(26) }), {
    code: "VALIDATION",
    message: "Too many items requested for the BatchWriteItem call",
  });
  await assert.rejects(db.batchWrite({ users: [{ put: { id: "a" } }, { delete: { id: "a" } }] }), {
    message: "Provided list of item keys contains duplicates",
  });
  await assert.rejects(db.batchWrite({ users: [{ delete: "u1" }] }), {
    code: "VALIDATION",
    message: "Invalid key for table users: a string key is only accepted for the default table",
  });
  await db.close();
});

test("Database.batchGet() enforces 100 keys", async () => {
  const { db } = await fresh();
  const keys = Array.from({ length: 101 }, (_, i) => ({ id: `u${i}` }));
  await assert.rejects(db.batchGet({ users: keys }), {
    message: "Too many items requested for the BatchGetItem call",
  });
  assert.deepEqual(await db.batchGet({ users: keys.slice(1) }), { users: [] });
  await db.close();
});

test("Database.transactWrite() is all or nothing with a reason per action", async () => {
  const { db, users } = await fresh();
  await users.put({ id: "u1", credits: 1 });
  const spend = () =>
    db.transactWrite([
      {
        update: {
          tableName: "users",
          key: { id: "u1" },
          updateExpression: "SET credits = credits - :one",
          conditionExpression: "credits >= :one",
          expressionAttributeValues: { ":one": 1 },
          returnValuesOnConditionCheckFailure: "ALL_OLD",
        },
      },
      { put: { item: { pk: `receipt#${Math.random()}` } } },
      { conditionCheck: { key: "open", conditionExpression: "attribute_not_exists(pk)" } },
    ]);
  await spend();
  await assert.rejects(spend(), (error: unknown) => {
    assert.ok(error instanceof TransactionCanceledError);
    assert.deepEqual(error.reasons, [
      {
        code: "ConditionalCheckFailed",
        message: "The conditional request failed",
        item: { id: "u1", credits: 0 },
      },
      { code: "None" },
      { code: "None" },
    ]);
    return true;
  });
  assert.equal((await db.scan()).count, 1, "only the first receipt");
  await db.close();
});

test("Database.transactWrite() rejects the same item twice and more than 100 actions", async () => {
  const { db } = await fresh();
  await assert.rejects(
    db.transactWrite([{ put: { item: { pk: "a" } } }, { delete: { key: "a" } }]),
    {
      code: "VALIDATION",
      message: "Transaction request cannot include multiple operations on one item",
    },
  );
  const many = Array.from({ length: 101 }, (_, i) => ({ put: { item: { pk: `k${i}` } } }));
  await assert.rejects(db.transactWrite(many), {
    code: "VALIDATION",
    message: /less than or equal to 100$/,
  });
  await db.transactWrite(many.slice(1));
  assert.equal((await db.scan({ select: "COUNT" })).count, 100);
  await db.close();
});

test("Database.transactGet() reads items of several tables in order", async () => {
  const { db, users } = await fresh();
  await users.put({ id: "u1", name: "Ada" });
  await db.put("k", { v: 1 });
  assert.deepEqual(
    await db.transactGet([
      {
        tableName: "users",
        key: { id: "u1" },
        projectionExpression: "#n",
        expressionAttributeNames: { "#n": "name" },
      },
      { key: "k" },
      { key: { pk: "k", sk: "none" } },
    ]),
    [{ name: "Ada" }, { pk: "k", v: 1 }, undefined],
  );
  await db.close();
});
