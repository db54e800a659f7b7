import { test } from "node:test";
import assert from "node:assert/strict";
import { ConditionalCheckFailedError } from "../../../mod.ts";
import { deleteItem, getItem, putItem, updateItem } from "../../../engine/api/mod.ts";
import { fixture, rejectsWith } from "./_helpers.ts";

const ada = { id: { S: "u1" }, name: { S: "Ada" }, visits: { N: "1" } };

test("putItem() replaces an item and returns the old one only with ReturnValues ALL_OLD", async () => {
  const { db, ctx } = await fixture();
  assert.deepEqual(
    await putItem(ctx, { TableName: "users", Item: ada, ReturnValues: "ALL_OLD" }),
    {},
  );
  const replaced = await putItem(ctx, {
    TableName: "users",
    Item: { id: { S: "u1" }, name: { S: "Eve" } },
    ReturnValues: "ALL_OLD",
  });
  assert.deepEqual(replaced, { Attributes: ada });
  assert.deepEqual(await putItem(ctx, { TableName: "users", Item: ada }), {});
  await db.close();
});

test("putItem() with a false condition fails with CONDITIONAL_CHECK_FAILED and writes nothing", async () => {
  const { db, ctx } = await fixture();
  const create = { TableName: "users", Item: ada, ConditionExpression: "attribute_not_exists(id)" };
  await putItem(ctx, create);
  const error = await rejectsWith(
    putItem(ctx, { ...create, Item: { id: { S: "u1" }, name: { S: "Eve" } } }),
    "CONDITIONAL_CHECK_FAILED",
    "The conditional request failed",
  );
  assert.ok(error instanceof ConditionalCheckFailedError);
  assert.equal(error.item, undefined, "the old item only comes back when asked for");
  assert.deepEqual(
    (await getItem(ctx, { TableName: "users", Key: { id: { S: "u1" } } })).Item,
    ada,
  );
  await db.close();
});

test("putItem() with ReturnValuesOnConditionCheckFailure ALL_OLD puts the item on the error", async () => {
  const { db, ctx } = await fixture();
  await putItem(ctx, { TableName: "users", Item: ada });
  const error = await rejectsWith(
    putItem(ctx, {
      TableName: "users",
      Item: { id: { S: "u1" } },
      ConditionExpression: "visits > :n",
      ExpressionAttributeValues: { ":n": { N: "5" } },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    }),
    "CONDITIONAL_CHECK_FAILED",
  ) as ConditionalCheckFailedError;
  assert.deepEqual(error.rawItem, ada);
  assert.deepEqual(error.item, { id: "u1", name: "Ada", visits: 1 });
  await db.close();
});

test("putItem() rejects ReturnValues other than NONE and ALL_OLD with DynamoDB's messages", async () => {
  const { db, ctx } = await fixture();
  await rejectsWith(
    putItem(ctx, { TableName: "users", Item: ada, ReturnValues: "ALL_NEW" }),
    "VALIDATION",
    "ReturnValues can only be ALL_OLD or NONE",
  );
  await rejectsWith(
    putItem(ctx, { TableName: "users", Item: ada, ReturnValues: "SOME" }),
    "VALIDATION",
    "1 validation error detected: Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
  );
  await rejectsWith(
    putItem(ctx, { TableName: "users", Item: ada, ReturnValuesOnConditionCheckFailure: "ALL_NEW" }),
    "VALIDATION",
    /at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: .*\[ALL_OLD, NONE\]$/,
  );
  await db.close();
});

test("putItem() rejects placeholders no expression uses", async () => {
  const { db, ctx } = await fixture();
  await rejectsWith(
    putItem(ctx, {
      TableName: "users",
      Item: ada,
      ConditionExpression: "attribute_not_exists(id)",
      ExpressionAttributeValues: { ":x": { S: "x" } },
    }),
    "VALIDATION",
    "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}",
  );
  await rejectsWith(
    putItem(ctx, { TableName: "users", Item: ada, ExpressionAttributeNames: { "#n": "name" } }),
    "VALIDATION",
    "ExpressionAttributeNames can only be specified when using expressions",
  );
  await db.close();
});

test("putItem() on an unknown table fails with RESOURCE_NOT_FOUND", async () => {
  const { db, ctx } = await fixture();
  await rejectsWith(
    putItem(ctx, { TableName: "nope", Item: ada }),
    "RESOURCE_NOT_FOUND",
    "Requested resource not found: Table: nope not found",
  );
  await db.close();
});

test("updateItem() creates a missing item from its key", async () => {
  const { db, ctx } = await fixture();
  const output = await updateItem(ctx, {
    TableName: "orders",
    Key: { customer: { S: "c1" }, ts: { N: "7" } },
    UpdateExpression: "SET amount = :t",
    ExpressionAttributeValues: { ":t": { N: "12.5" } },
    ReturnValues: "ALL_NEW",
  });
  assert.deepEqual(output.Attributes, {
    customer: { S: "c1" },
    ts: { N: "7" },
    amount: { N: "12.5" },
  });
  const bare = await updateItem(ctx, {
    TableName: "users",
    Key: { id: { S: "u9" } },
    ReturnValues: "ALL_NEW",
  });
  assert.deepEqual(bare.Attributes, { id: { S: "u9" } }, "no UpdateExpression: the key alone");
  await db.close();
});

test("updateItem() returns what each ReturnValues asks for", async () => {
  const { db, ctx } = await fixture();
  const update = (ReturnValues: string) =>
    updateItem(ctx, {
      TableName: "users",
      Key: { id: { S: "u1" } },
      UpdateExpression: "SET visits = visits + :one",
      ExpressionAttributeValues: { ":one": { N: "1" } },
      ReturnValues,
    });
  await putItem(ctx, { TableName: "users", Item: ada });
  assert.deepEqual(await update("NONE"), {});
  assert.deepEqual(await update("UPDATED_OLD"), { Attributes: { visits: { N: "2" } } });
  assert.deepEqual(await update("UPDATED_NEW"), { Attributes: { visits: { N: "4" } } });
  assert.deepEqual(await update("ALL_OLD"), { Attributes: { ...ada, visits: { N: "4" } } });
  assert.deepEqual(await update("ALL_NEW"), { Attributes: { ...ada, visits: { N: "6" } } });
  await db.close();
});

test("updateItem() UPDATED_OLD of a created item and UPDATED_NEW of a REMOVE return nothing", async () => {
  const { db, ctx } = await fixture();
  const created = await updateItem(ctx, {
    TableName: "users",
    Key: { id: { S: "new" } },
    UpdateExpression: "SET a = :v",
    ExpressionAttributeValues: { ":v": { S: "x" } },
    ReturnValues: "UPDATED_OLD",
  });
  assert.deepEqual(created, {});
  const removed = await updateItem(ctx, {
    TableName: "users",
    Key: { id: { S: "new" } },
    UpdateExpression: "REMOVE a",
    ReturnValues: "UPDATED_NEW",
  });
  assert.deepEqual(removed, {});
  await db.close();
});

test("updateItem() of a key attribute is a validation error", async () => {
  const { db, ctx } = await fixture();
  await rejectsWith(
    updateItem(ctx, {
      TableName: "orders",
      Key: { customer: { S: "c1" }, ts: { N: "1" } },
      UpdateExpression: "SET ts = :t",
      ExpressionAttributeValues: { ":t": { N: "2" } },
    }),
    "VALIDATION",
    "One or more parameter values were invalid: Cannot update attribute ts. This attribute is part of the key",
  );
  await db.close();
});

test("updateItem() that would pass 400 KB fails and leaves the item as it was", async () => {
  const { db, ctx } = await fixture();
  const big = { id: { S: "u1" }, blob: { S: "x".repeat(300_000) } };
  await putItem(ctx, { TableName: "users", Item: big });
  await rejectsWith(
    updateItem(ctx, {
      TableName: "users",
      Key: { id: { S: "u1" } },
      UpdateExpression: "SET more = :m",
      ExpressionAttributeValues: { ":m": { S: "y".repeat(200_000) } },
    }),
    "VALIDATION",
    /maximum allowed size/,
  );
  assert.deepEqual(
    (await getItem(ctx, { TableName: "users", Key: { id: { S: "u1" } } })).Item,
    big,
  );
  await db.close();
});

test("updateItem() that reads a missing attribute fails with the expression engine's message", async () => {
  const { db, ctx } = await fixture();
  await rejectsWith(
    updateItem(ctx, {
      TableName: "users",
      Key: { id: { S: "u1" } },
      UpdateExpression: "SET n = absent + :one",
      ExpressionAttributeValues: { ":one": { N: "1" } },
    }),
    "VALIDATION",
    /attribute that does not exist in the item/,
  );
  assert.deepEqual(await getItem(ctx, { TableName: "users", Key: { id: { S: "u1" } } }), {});
  await db.close();
});

test("deleteItem() checks its condition, returns ALL_OLD, and succeeds on a missing item", async () => {
  const { db, ctx } = await fixture();
  await putItem(ctx, { TableName: "users", Item: ada });
  const key = { id: { S: "u1" } };
  await rejectsWith(
    deleteItem(ctx, {
      TableName: "users",
      Key: key,
      ConditionExpression: "#n = :eve",
      ExpressionAttributeNames: { "#n": "name" },
      ExpressionAttributeValues: { ":eve": { S: "Eve" } },
    }),
    "CONDITIONAL_CHECK_FAILED",
  );
  assert.deepEqual(
    await deleteItem(ctx, { TableName: "users", Key: key, ReturnValues: "ALL_OLD" }),
    {
      Attributes: ada,
    },
  );
  assert.deepEqual(
    await deleteItem(ctx, { TableName: "users", Key: key, ReturnValues: "ALL_OLD" }),
    {},
  );
  await rejectsWith(
    deleteItem(ctx, { TableName: "users", Key: key, ConditionExpression: "attribute_exists(id)" }),
    "CONDITIONAL_CHECK_FAILED",
  );
  await db.close();
});

test("getItem() projects, and rejects a key with other attributes", async () => {
  const { db, ctx } = await fixture();
  await putItem(ctx, { TableName: "users", Item: ada });
  const output = await getItem(ctx, {
    TableName: "users",
    Key: { id: { S: "u1" } },
    ProjectionExpression: "#n",
    ExpressionAttributeNames: { "#n": "name" },
  });
  assert.deepEqual(output, { Item: { name: { S: "Ada" } } });
  await rejectsWith(
    getItem(ctx, { TableName: "users", Key: ada }),
    "VALIDATION",
    "The provided key element does not match the schema",
  );
  await rejectsWith(
    getItem(ctx, { TableName: "orders", Key: { customer: { S: "c" }, ts: { S: "1" } } }),
    "VALIDATION",
    "One or more parameter values were invalid: Type mismatch for key ts expected: N actual: S",
  );
  await db.close();
});

test("conditional writes are atomic: of 50 concurrent creates of one key exactly one wins", async () => {
  const { db, ctx } = await fixture();
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) =>
      putItem(ctx, {
        TableName: "users",
        Item: { id: { S: "leader" }, by: { N: String(i) } },
        ConditionExpression: "attribute_not_exists(id)",
      })),
  );
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  assert.ok(
    results.every((r) =>
      r.status === "fulfilled" || (r.reason as { code: string }).code === "CONDITIONAL_CHECK_FAILED"
    ),
  );
  await db.close();
});

test("updates are atomic read-modify-writes: 200 concurrent increments all count", async () => {
  const { db, ctx } = await fixture();
  await Promise.all(
    Array.from({ length: 200 }, () =>
      updateItem(ctx, {
        TableName: "users",
        Key: { id: { S: "counter" } },
        UpdateExpression: "SET n = if_not_exists(n, :zero) + :one",
        ExpressionAttributeValues: { ":zero": { N: "0" }, ":one": { N: "1" } },
      })),
  );
  const { Item } = await getItem(ctx, { TableName: "users", Key: { id: { S: "counter" } } });
  assert.deepEqual(Item?.n, { N: "200" });
  await db.close();
});
