import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ConditionalCheckFailedError,
  connect,
  KstoneError,
  RemoteError,
  TransactionCanceledError,
} from "../../mod.ts";
import { startServer } from "./_helpers.ts";

test("connect() gives the embedded API over the wire: default table, tables, query, batch, transactions", async () => {
  await using server = await startServer();
  await using db = await connect(server.url);
  await db.put("user#123", {
    name: "Ada",
    tags: new Set(["admin"]),
    photo: new Uint8Array([1, 2]),
  });
  assert.deepEqual(await db.get("user#123"), {
    pk: "user#123",
    name: "Ada",
    tags: new Set(["admin"]),
    photo: new Uint8Array([1, 2]),
  });
  assert.deepEqual(await server.db.get("user#123"), await db.get("user#123"));
  const orders = await db.createTable("orders", {
    partitionKey: { name: "customer", type: "S" },
    sortKey: { name: "at", type: "N" },
  });
  for (const at of [1, 2, 3]) await orders.put({ customer: "c1", at, total: at * 5 });
  const page = await orders.query({
    keyConditionExpression: "customer = :c",
    expressionAttributeValues: { ":c": "c1" },
    scanIndexForward: false,
    limit: 2,
  });
  assert.deepEqual(page.items.map((item) => item.at), [3, 2]);
  assert.deepEqual(page.lastEvaluatedKey, { customer: "c1", at: 2 });
  const all = [];
  for await (
    const item of orders.queryAll({
      keyConditionExpression: "customer = :c",
      expressionAttributeValues: { ":c": "c1" },
      limit: 1,
    })
  ) {
    all.push(item.at);
  }
  assert.deepEqual(all, [1, 2, 3]);
  assert.deepEqual(await db.listTables(), ["orders"]);
  assert.deepEqual(await db.table("orders").describe(), {
    partitionKey: { name: "customer", type: "S" },
    sortKey: { name: "at", type: "N" },
  });
  await db.batchWrite({
    orders: [{ put: { customer: "c2", at: 1 } }],
    "": [{ delete: "user#123" }],
  });
  assert.equal(await db.get("user#123"), undefined);
  const found = await db.batchGet({ orders: [{ customer: "c2", at: 1 }] });
  assert.deepEqual(found, { orders: [{ customer: "c2", at: 1 }] });
  assert.equal((await db.health()).status, "healthy");
  await db.deleteTable("orders");
  assert.deepEqual(await db.listTables(), []);
});

test("connect() raises the embedded database's errors", async () => {
  await using server = await startServer();
  await using db = await connect(server.url);
  await db.put("a", { n: 1 });
  await assert.rejects(
    db.update("a", {
      updateExpression: "SET n = :two",
      conditionExpression: "n = :zero",
      expressionAttributeValues: { ":two": 2, ":zero": 0 },
      returnValuesOnConditionCheckFailure: "ALL_OLD",
    }),
    (error: unknown) => {
      assert.ok(error instanceof ConditionalCheckFailedError);
      assert.deepEqual(error.item, { pk: "a", n: 1 });
      return true;
    },
  );
  await assert.rejects(
    db.transactWrite([{
      conditionCheck: {
        key: "a",
        conditionExpression: "n = :zero",
        expressionAttributeValues: { ":zero": 0 },
      },
    }]),
    (error: unknown) => {
      assert.ok(error instanceof TransactionCanceledError);
      assert.deepEqual(error.reasons.map((r) => r.code), ["ConditionalCheckFailed"]);
      return true;
    },
  );
  await assert.rejects(db.table("missing").get({ id: "x" }), { code: "RESOURCE_NOT_FOUND" });
  await assert.rejects(
    db.createTable("x", { partitionKey: { name: "id", type: "S" } }),
    (error: unknown) => {
      assert.ok(error instanceof RemoteError);
      assert.equal(error.code, "VALIDATION");
      assert.equal(error.type, "ValidationException");
      return true;
    },
  );
});

test("connect() to a port nothing listens on fails with the chapter's Connection refused (os error 111)", async () => {
  const server = await startServer();
  const url = server.url;
  await server.shutdown();
  await using db = await connect(url);
  await assert.rejects(db.get("a"), (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, "IO_ERROR");
    assert.equal(error.message, `IO error: Connection refused (os error 111): ${url}/`);
    return true;
  });
});
