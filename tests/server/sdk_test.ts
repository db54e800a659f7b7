import { test } from "node:test";
import assert from "node:assert/strict";
import { client, sdk, startServer, tableInput } from "./_helpers.ts";

const {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} = sdk;

test("AWS SDK: CreateTable, DescribeTable, ListTables and DeleteTable map onto the catalog", async () => {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    const created = await ddb.send(
      new CreateTableCommand(tableInput("orders", { name: "sk", type: "N" })),
    );
    assert.equal(created.TableDescription?.TableStatus, "ACTIVE");
    assert.deepEqual(created.TableDescription?.KeySchema, [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    const described = await ddb.send(new DescribeTableCommand({ TableName: "orders" }));
    assert.deepEqual(described.Table?.AttributeDefinitions, [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "N" },
    ]);
    assert.ok(described.Table?.CreationDateTime instanceof Date);
    assert.equal(described.Table?.TableArn, "arn:aws:dynamodb:us-east-1:000000000000:table/orders");
    assert.deepEqual((await ddb.send(new ListTablesCommand({}))).TableNames, ["orders"]);
    await assert.rejects(ddb.send(new CreateTableCommand(tableInput("orders"))), {
      name: "ResourceInUseException",
      message: "Table already exists: orders",
    });
    const deleted = await ddb.send(new DeleteTableCommand({ TableName: "orders" }));
    assert.equal(deleted.TableDescription?.TableStatus, "DELETING");
    await assert.rejects(ddb.send(new DescribeTableCommand({ TableName: "orders" })), {
      name: "ResourceNotFoundException",
      message: "Requested resource not found: Table: orders not found",
    });
  } finally {
    ddb.destroy();
  }
});

test("AWS SDK: PutItem and GetItem round-trip every attribute type, binary and big numbers included", async () => {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    await ddb.send(new CreateTableCommand(tableInput("things")));
    const item = {
      pk: { S: "thing#1" },
      n: { N: "12345678901234567890.123456789" },
      b: { B: new Uint8Array([0, 1, 254, 255]) },
      t: { BOOL: true },
      nothing: { NULL: true },
      list: { L: [{ S: "a" }, { N: "2" }] },
      map: { M: { nested: { SS: ["x", "y"] } } },
      ns: { NS: ["1", "2.5"] },
      bs: { BS: [new Uint8Array([1]), new Uint8Array([2])] },
    };
    await ddb.send(new PutItemCommand({ TableName: "things", Item: item }));
    const got = await ddb.send(
      new GetItemCommand({ TableName: "things", Key: { pk: { S: "thing#1" } } }),
    );
    assert.deepEqual(got.Item, item);
    const missing = await ddb.send(
      new GetItemCommand({ TableName: "things", Key: { pk: { S: "none" } } }),
    );
    assert.equal(missing.Item, undefined);
    const projected = await ddb.send(
      new GetItemCommand({
        TableName: "things",
        Key: { pk: { S: "thing#1" } },
        ProjectionExpression: "t, #m.nested",
        ExpressionAttributeNames: { "#m": "map" },
      }),
    );
    assert.deepEqual(projected.Item, {
      t: { BOOL: true },
      map: { M: { nested: { SS: ["x", "y"] } } },
    });
  } finally {
    ddb.destroy();
  }
});

test("AWS SDK: conditional writes fail with ConditionalCheckFailedException and return the item when asked", async () => {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    await ddb.send(new CreateTableCommand(tableInput("users")));
    const put = (extra = {}) =>
      ddb.send(
        new PutItemCommand({
          TableName: "users",
          Item: { pk: { S: "u1" }, v: { N: "1" } },
          ConditionExpression: "attribute_not_exists(pk)",
          ...extra,
        }),
      );
    await put();
    await assert.rejects(
      put({ ReturnValuesOnConditionCheckFailure: "ALL_OLD" }),
      (error: unknown) => {
        const e = error as {
          name: string;
          message: string;
          Item?: unknown;
          $metadata: { httpStatusCode: number };
        };
        assert.equal(e.name, "ConditionalCheckFailedException");
        assert.equal(e.message, "The conditional request failed");
        assert.equal(e.$metadata.httpStatusCode, 400);
        assert.deepEqual(e.Item, { pk: { S: "u1" }, v: { N: "1" } });
        return true;
      },
    );
    const updated = await ddb.send(
      new UpdateItemCommand({
        TableName: "users",
        Key: { pk: { S: "u1" } },
        UpdateExpression: "SET v = v + :one, tags = :tags",
        ExpressionAttributeValues: { ":one": { N: "1" }, ":tags": { SS: ["a"] } },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    assert.deepEqual(updated.Attributes, { v: { N: "2" }, tags: { SS: ["a"] } });
    const removed = await ddb.send(
      new DeleteItemCommand({
        TableName: "users",
        Key: { pk: { S: "u1" } },
        ReturnValues: "ALL_OLD",
      }),
    );
    assert.deepEqual(removed.Attributes, { pk: { S: "u1" }, v: { N: "2" }, tags: { SS: ["a"] } });
  } finally {
    ddb.destroy();
  }
});

test("AWS SDK: Query pages a partition in sort key order and Scan reads the table", async () => {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    await ddb.send(new CreateTableCommand(tableInput("events", { name: "ts", type: "N" })));
    for (let ts = 1; ts <= 5; ts++) {
      await ddb.send(
        new PutItemCommand({
          TableName: "events",
          Item: { pk: { S: "dev#1" }, ts: { N: String(ts) } },
        }),
      );
    }
    await ddb.send(
      new PutItemCommand({ TableName: "events", Item: { pk: { S: "dev#2" }, ts: { N: "1" } } }),
    );
    const seen: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await ddb.send(
        new QueryCommand({
          TableName: "events",
          KeyConditionExpression: "pk = :pk AND ts >= :from",
          ExpressionAttributeValues: { ":pk": { S: "dev#1" }, ":from": { N: "2" } },
          ScanIndexForward: false,
          Limit: 2,
          ExclusiveStartKey: start as never,
        }),
      );
      for (const item of page.Items ?? []) seen.push(item.ts!.N!);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    assert.deepEqual(seen, ["5", "4", "3", "2"]);
    const scan = await ddb.send(new ScanCommand({ TableName: "events", Select: "COUNT" }));
    assert.equal(scan.Count, 6);
    assert.equal(scan.Items, undefined);
  } finally {
    ddb.destroy();
  }
});

test("AWS SDK: BatchWriteItem and BatchGetItem work across tables", async () => {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    await ddb.send(new CreateTableCommand(tableInput("table-a")));
    await ddb.send(new CreateTableCommand(tableInput("table-b")));
    const written = await ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          "table-a": [{ PutRequest: { Item: { pk: { S: "1" } } } }, {
            PutRequest: { Item: { pk: { S: "2" } } },
          }],
          "table-b": [{ PutRequest: { Item: { pk: { S: "3" }, x: { S: "y" } } } }],
        },
      }),
    );
    assert.deepEqual(written.UnprocessedItems, {});
    const got = await ddb.send(
      new BatchGetItemCommand({
        RequestItems: {
          "table-a": { Keys: [{ pk: { S: "1" } }, { pk: { S: "9" } }] },
          "table-b": { Keys: [{ pk: { S: "3" } }] },
        },
      }),
    );
    assert.deepEqual(got.Responses, {
      "table-a": [{ pk: { S: "1" } }],
      "table-b": [{ pk: { S: "3" }, x: { S: "y" } }],
    });
    assert.deepEqual(got.UnprocessedKeys, {});
  } finally {
    ddb.destroy();
  }
});

test("AWS SDK: TransactWriteItems is all or nothing, with CancellationReasons per action", async () => {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    await ddb.send(new CreateTableCommand(tableInput("accounts")));
    await ddb.send(
      new PutItemCommand({
        TableName: "accounts",
        Item: { pk: { S: "alice" }, balance: { N: "5" } },
      }),
    );
    const transfer = (amount: string) =>
      ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: "accounts",
                Key: { pk: { S: "alice" } },
                UpdateExpression: "SET balance = balance - :a",
                ConditionExpression: "balance >= :a",
                ExpressionAttributeValues: { ":a": { N: amount } },
              },
            },
            {
              Update: {
                TableName: "accounts",
                Key: { pk: { S: "bob" } },
                UpdateExpression: "ADD balance :a",
                ExpressionAttributeValues: { ":a": { N: amount } },
              },
            },
          ],
        }),
      );
    await transfer("3");
    await assert.rejects(transfer("3"), (error: unknown) => {
      const e = error as { name: string; CancellationReasons?: { Code?: string }[] };
      assert.equal(e.name, "TransactionCanceledException");
      assert.deepEqual(e.CancellationReasons?.map((r) => r.Code), [
        "ConditionalCheckFailed",
        "None",
      ]);
      return true;
    });
    const got = await ddb.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: "accounts", Key: { pk: { S: "alice" } } } },
          { Get: { TableName: "accounts", Key: { pk: { S: "bob" } } } },
          { Get: { TableName: "accounts", Key: { pk: { S: "carol" } } } },
        ],
      }),
    );
    assert.deepEqual(got.Responses?.map((r) => r.Item?.balance?.N), ["2", "3", undefined]);
  } finally {
    ddb.destroy();
  }
});

test("AWS SDK: validation errors surface as ValidationException with DynamoDB's messages", async () => {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    await ddb.send(new CreateTableCommand(tableInput("table1")));
    await assert.rejects(
      ddb.send(new PutItemCommand({ TableName: "table1", Item: { other: { S: "x" } } })),
      {
        name: "ValidationException",
        message: "One or more parameter values were invalid: Missing the key pk in the item",
      },
    );
    await assert.rejects(
      ddb.send(
        new PutItemCommand({
          TableName: "table1",
          Item: { pk: { S: "x" }, big: { S: "x".repeat(400 * 1024) } },
        }),
      ),
      { name: "ValidationException", message: /Item size has exceeded the maximum allowed size/ },
    );
    await assert.rejects(
      ddb.send(new GetItemCommand({ TableName: "no-such-table", Key: { pk: { S: "x" } } })),
      { name: "ResourceNotFoundException" },
    );
  } finally {
    ddb.destroy();
  }
});

test("AWS SDK: $metadata.requestId is the x-amzn-RequestId the server logs as trace_id", async () => {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    const output = await ddb.send(new ListTablesCommand({}));
    const id = output.$metadata.requestId!;
    assert.match(id, /^[A-Z0-9]{52}$/);
    assert.ok(
      server.lines.some((line) =>
        line.includes(`trace_id="${id}"`) && line.includes('method="ListTables"')
      ),
    );
  } finally {
    ddb.destroy();
  }
});
