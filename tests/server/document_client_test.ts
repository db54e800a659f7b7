import { test } from "node:test";
import assert from "node:assert/strict";
import { client, lib, sdk, startServer, tableInput } from "./_helpers.ts";

const {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} = lib;

async function withDocumentClient(
  run: (doc: ReturnType<typeof DynamoDBDocumentClient.from>) => Promise<void>,
) {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    await ddb.send(new sdk.CreateTableCommand(tableInput("users")));
    await ddb.send(new sdk.CreateTableCommand(tableInput("orders", { name: "at", type: "N" })));
    await run(
      DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
    );
  } finally {
    ddb.destroy();
  }
}

test("DocumentClient: put, get, update and delete plain JS items", async () => {
  await withDocumentClient(async (doc) => {
    await doc.send(
      new PutCommand({
        TableName: "users",
        Item: {
          pk: "u1",
          name: "Ada",
          age: 36,
          tags: new Set(["admin"]),
          address: { city: "London" },
          scores: [1, 2],
        },
      }),
    );
    const { Item } = await doc.send(new GetCommand({ TableName: "users", Key: { pk: "u1" } }));
    assert.deepEqual(Item, {
      pk: "u1",
      name: "Ada",
      age: 36,
      tags: new Set(["admin"]),
      address: { city: "London" },
      scores: [1, 2],
    });
    const { Attributes } = await doc.send(
      new UpdateCommand({
        TableName: "users",
        Key: { pk: "u1" },
        UpdateExpression: "SET age = age + :one, address.city = :city",
        ConditionExpression: "#n = :name",
        ExpressionAttributeNames: { "#n": "name" },
        ExpressionAttributeValues: { ":one": 1, ":city": "Cambridge", ":name": "Ada" },
        ReturnValues: "ALL_NEW",
      }),
    );
    assert.equal(Attributes?.age, 37);
    assert.deepEqual(Attributes?.address, { city: "Cambridge" });
    await assert.rejects(
      doc.send(
        new DeleteCommand({
          TableName: "users",
          Key: { pk: "u1" },
          ConditionExpression: "age < :n",
          ExpressionAttributeValues: { ":n": 18 },
        }),
      ),
      { name: "ConditionalCheckFailedException" },
    );
    await doc.send(new DeleteCommand({ TableName: "users", Key: { pk: "u1" } }));
    assert.equal(
      (await doc.send(new GetCommand({ TableName: "users", Key: { pk: "u1" } }))).Item,
      undefined,
    );
  });
});

test("DocumentClient: Query with a filter and Scan return plain items", async () => {
  await withDocumentClient(async (doc) => {
    for (let at = 1; at <= 4; at++) {
      await doc.send(
        new PutCommand({ TableName: "orders", Item: { pk: "c1", at, total: at * 10 } }),
      );
    }
    const { Items, Count, ScannedCount } = await doc.send(
      new QueryCommand({
        TableName: "orders",
        KeyConditionExpression: "pk = :c AND #at BETWEEN :a AND :b",
        FilterExpression: "#total > :t",
        ExpressionAttributeNames: { "#at": "at", "#total": "total" },
        ExpressionAttributeValues: { ":c": "c1", ":a": 2, ":b": 4, ":t": 20 },
      }),
    );
    assert.deepEqual(Items, [{ pk: "c1", at: 3, total: 30 }, { pk: "c1", at: 4, total: 40 }]);
    assert.equal(Count, 2);
    assert.equal(ScannedCount, 3);
    const scanned = await doc.send(
      new ScanCommand({
        TableName: "orders",
        ProjectionExpression: "#at",
        ExpressionAttributeNames: { "#at": "at" },
      }),
    );
    assert.deepEqual(scanned.Items?.map((item: Record<string, unknown>) => item.at).sort(), [
      1,
      2,
      3,
      4,
    ]);
  });
});

test("DocumentClient: batch and transaction commands", async () => {
  await withDocumentClient(async (doc) => {
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          users: [{ PutRequest: { Item: { pk: "a", n: 1 } } }, {
            PutRequest: { Item: { pk: "b", n: 2 } },
          }],
        },
      }),
    );
    const { Responses } = await doc.send(
      new BatchGetCommand({ RequestItems: { users: { Keys: [{ pk: "a" }, { pk: "b" }] } } }),
    );
    assert.deepEqual(Responses?.users?.map((item: Record<string, unknown>) => item.n).sort(), [
      1,
      2,
    ]);
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: "users",
              Key: { pk: "a" },
              ConditionExpression: "n = :one",
              ExpressionAttributeValues: { ":one": 1 },
            },
          },
          { Put: { TableName: "users", Item: { pk: "c", n: 3 } } },
        ],
      }),
    );
    const { Item } = await doc.send(new GetCommand({ TableName: "users", Key: { pk: "c" } }));
    assert.deepEqual(Item, { pk: "c", n: 3 });
  });
});
