import { test } from "node:test";
import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { call, client, sdk, startServer } from "./_helpers.ts";

const {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} = sdk;

const ORDERS = {
  TableName: "orders",
  BillingMode: "PAY_PER_REQUEST" as const,
  AttributeDefinitions: [
    { AttributeName: "customer", AttributeType: "S" as const },
    { AttributeName: "id", AttributeType: "S" as const },
    { AttributeName: "date", AttributeType: "S" as const },
    { AttributeName: "status", AttributeType: "S" as const },
  ],
  KeySchema: [
    { AttributeName: "customer", KeyType: "HASH" as const },
    { AttributeName: "id", KeyType: "RANGE" as const },
  ],
  LocalSecondaryIndexes: [{
    IndexName: "by_date",
    KeySchema: [
      { AttributeName: "customer", KeyType: "HASH" as const },
      { AttributeName: "date", KeyType: "RANGE" as const },
    ],
    Projection: { ProjectionType: "KEYS_ONLY" as const },
  }],
  GlobalSecondaryIndexes: [{
    IndexName: "by_status",
    KeySchema: [{ AttributeName: "status", KeyType: "HASH" as const }],
    Projection: { ProjectionType: "INCLUDE" as const, NonKeyAttributes: ["total"] },
  }],
  StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" as const },
};

test("AWS SDK: CreateTable with an LSI, a GSI and a stream; DescribeTable reports them", async () => {
  await using server = await startServer({ db: await Database.memory({ clock: () => 1.7e12 }) });
  const ddb = client(server.url);
  try {
    const created = await ddb.send(new CreateTableCommand(ORDERS));
    assert.equal(created.TableDescription?.TableStatus, "ACTIVE");
    await ddb.send(
      new PutItemCommand({
        TableName: "orders",
        Item: {
          customer: { S: "c1" },
          id: { S: "o1" },
          date: { S: "2026-01-01" },
          status: { S: "open" },
          total: { N: "5" },
          note: { S: "fragile" },
        },
      }),
    );
    const table = (await ddb.send(new DescribeTableCommand({ TableName: "orders" }))).Table!;
    assert.equal(table.ItemCount, 1);
    assert.ok((table.TableSizeBytes ?? 0) > 0);
    assert.deepEqual(table.AttributeDefinitions, ORDERS.AttributeDefinitions);
    const lsi = table.LocalSecondaryIndexes?.[0];
    assert.equal(lsi?.IndexName, "by_date");
    assert.deepEqual(lsi?.Projection, { ProjectionType: "KEYS_ONLY" });
    assert.equal(lsi?.ItemCount, 1);
    assert.equal(
      lsi?.IndexArn,
      "arn:aws:dynamodb:us-east-1:000000000000:table/orders/index/by_date",
    );
    const gsi = table.GlobalSecondaryIndexes?.[0];
    assert.equal(gsi?.IndexStatus, "ACTIVE");
    assert.deepEqual(gsi?.KeySchema, [{ AttributeName: "status", KeyType: "HASH" }]);
    assert.deepEqual(gsi?.Projection, { ProjectionType: "INCLUDE", NonKeyAttributes: ["total"] });
    assert.equal(gsi?.ItemCount, 1);
    assert.ok((gsi?.IndexSizeBytes ?? 0) > 0);
    assert.deepEqual(table.StreamSpecification, {
      StreamEnabled: true,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    });
    assert.equal(table.LatestStreamLabel, "2023-11-14T22:13:20.000");
    assert.equal(
      table.LatestStreamArn,
      "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2023-11-14T22:13:20.000",
    );

    const byStatus = await ddb.send(
      new QueryCommand({
        TableName: "orders",
        IndexName: "by_status",
        KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": { S: "open" } },
      }),
    );
    assert.deepEqual(byStatus.Items, [{
      customer: { S: "c1" },
      id: { S: "o1" },
      status: { S: "open" },
      total: { N: "5" },
    }]);
    const scanned = await ddb.send(new ScanCommand({ TableName: "orders", IndexName: "by_date" }));
    assert.equal(scanned.Count, 1);

    const deleted = await ddb.send(new DeleteTableCommand({ TableName: "orders" }));
    assert.equal(deleted.TableDescription?.TableStatus, "DELETING");
  } finally {
    ddb.destroy();
  }
});

test("AWS SDK: UpdateTable adds a GSI that goes from CREATING to ACTIVE, and deletes it", async () => {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: "users",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      }),
    );
    for (let batch = 0; batch < 24; batch++) {
      await ddb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            users: Array.from({ length: 25 }, (_, i) => ({
              PutRequest: {
                Item: { id: { S: `u${batch * 25 + i}` }, email: { S: `u${batch * 25 + i}@x` } },
              },
            })),
          },
        }),
      );
    }
    const updated = await ddb.send(
      new UpdateTableCommand({
        TableName: "users",
        AttributeDefinitions: [{ AttributeName: "email", AttributeType: "S" }],
        GlobalSecondaryIndexUpdates: [{
          Create: {
            IndexName: "by_email",
            KeySchema: [{ AttributeName: "email", KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
          },
        }],
      }),
    );
    assert.equal(updated.TableDescription?.TableStatus, "UPDATING");
    const statuses = [updated.TableDescription?.GlobalSecondaryIndexes?.[0]?.IndexStatus];
    for (let polls = 0; statuses.at(-1) !== "ACTIVE" && polls < 1000; polls++) {
      const table = (await ddb.send(new DescribeTableCommand({ TableName: "users" }))).Table;
      statuses.push(table?.GlobalSecondaryIndexes?.[0]?.IndexStatus);
    }
    assert.equal(statuses[0], "CREATING");
    assert.equal(statuses.at(-1), "ACTIVE");
    const table = (await ddb.send(new DescribeTableCommand({ TableName: "users" }))).Table;
    assert.equal(table?.TableStatus, "ACTIVE");
    assert.equal(table?.GlobalSecondaryIndexes?.[0]?.ItemCount, 600);
    const found = await ddb.send(
      new QueryCommand({
        TableName: "users",
        IndexName: "by_email",
        KeyConditionExpression: "email = :e",
        ExpressionAttributeValues: { ":e": { S: "u42@x" } },
      }),
    );
    assert.deepEqual(found.Items, [{ id: { S: "u42" }, email: { S: "u42@x" } }]);

    const dropping = await ddb.send(
      new UpdateTableCommand({
        TableName: "users",
        GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "by_email" } }],
      }),
    );
    assert.equal(dropping.TableDescription?.TableStatus, "UPDATING");
    await assert.rejects(
      ddb.send(
        new UpdateTableCommand({
          TableName: "users",
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "nope" } }],
        }),
      ),
      { name: "ResourceNotFoundException" },
    );
  } finally {
    ddb.destroy();
  }
});

test("AWS SDK: UpdateTable enables and disables the stream with DynamoDB's errors", async () => {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: "events",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      }),
    );
    await assert.rejects(
      ddb.send(
        new UpdateTableCommand({
          TableName: "events",
          StreamSpecification: { StreamEnabled: false },
        }),
      ),
      { name: "ValidationException", message: "Table has no stream to disable: TableName: events" },
    );
    const enable = {
      TableName: "events",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" as const },
    };
    const enabled = await ddb.send(new UpdateTableCommand(enable));
    assert.ok(enabled.TableDescription?.LatestStreamArn?.includes("/stream/"));
    await assert.rejects(ddb.send(new UpdateTableCommand(enable)), {
      name: "ValidationException",
      message: "Table already has an enabled stream: TableName: events",
    });
    await ddb.send(
      new UpdateTableCommand({
        TableName: "events",
        StreamSpecification: { StreamEnabled: false },
      }),
    );
    const table = (await ddb.send(new DescribeTableCommand({ TableName: "events" }))).Table;
    assert.equal(table?.StreamSpecification, undefined);
    assert.equal(table?.LatestStreamArn, enabled.TableDescription?.LatestStreamArn);
    await assert.rejects(ddb.send(new UpdateTableCommand({ TableName: "events" })), {
      name: "ValidationException",
      message: /^At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled/,
    });
  } finally {
    ddb.destroy();
  }
});

test("AWS SDK: UpdateTimeToLive and DescribeTimeToLive", async () => {
  await using server = await startServer();
  const ddb = client(server.url);
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: "sessions",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      }),
    );
    const before = await ddb.send(new DescribeTimeToLiveCommand({ TableName: "sessions" }));
    assert.deepEqual(before.TimeToLiveDescription, { TimeToLiveStatus: "DISABLED" });
    const spec = { Enabled: true, AttributeName: "expires" };
    const updated = await ddb.send(
      new UpdateTimeToLiveCommand({ TableName: "sessions", TimeToLiveSpecification: spec }),
    );
    assert.deepEqual(updated.TimeToLiveSpecification, spec);
    const after = await ddb.send(new DescribeTimeToLiveCommand({ TableName: "sessions" }));
    assert.deepEqual(after.TimeToLiveDescription, {
      TimeToLiveStatus: "ENABLED",
      AttributeName: "expires",
    });
    await assert.rejects(
      ddb.send(
        new UpdateTimeToLiveCommand({ TableName: "sessions", TimeToLiveSpecification: spec }),
      ),
      { name: "ValidationException", message: "TimeToLive is already enabled" },
    );
  } finally {
    ddb.destroy();
  }
});

test("CreateTable checks that AttributeDefinitions cover exactly the key attributes used", async () => {
  await using server = await startServer();
  const unused = await call(server.url, "CreateTable", {
    ...ORDERS,
    AttributeDefinitions: [
      ...ORDERS.AttributeDefinitions,
      { AttributeName: "extra", AttributeType: "S" },
    ],
  });
  assert.equal(
    unused.body.message,
    "One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [customer, id, date, status, extra], keys used: [customer, id, date, status]",
  );
  const missing = await call(server.url, "CreateTable", {
    ...ORDERS,
    AttributeDefinitions: ORDERS.AttributeDefinitions.slice(0, 3),
  });
  assert.equal(
    missing.body.message,
    "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [status], AttributeDefinitions: [customer, id, date]",
  );
  const lsiHash = await call(server.url, "CreateTable", {
    ...ORDERS,
    LocalSecondaryIndexes: [{
      ...ORDERS.LocalSecondaryIndexes[0],
      KeySchema: [
        { AttributeName: "status", KeyType: "HASH" },
        { AttributeName: "date", KeyType: "RANGE" },
      ],
    }],
  });
  assert.equal(
    lsiHash.body.message,
    "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: by_date. index hash key: status, table hash key: customer",
  );
  const include = await call(server.url, "CreateTable", {
    ...ORDERS,
    GlobalSecondaryIndexes: [{
      ...ORDERS.GlobalSecondaryIndexes[0],
      Projection: { ProjectionType: "INCLUDE" },
    }],
  });
  assert.equal(
    include.body.message,
    "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
  );
  const noViewType = await call(server.url, "CreateTable", {
    ...ORDERS,
    StreamSpecification: { StreamEnabled: true },
  });
  assert.equal(noViewType.body.__type, "com.amazon.coral.validate#ValidationException");
  const limit = await call(server.url, "CreateTable", ORDERS);
  assert.equal(limit.status, 200);
  const twoCreates = await call(server.url, "UpdateTable", {
    TableName: "orders",
    AttributeDefinitions: [{ AttributeName: "a", AttributeType: "S" }, {
      AttributeName: "b",
      AttributeType: "S",
    }],
    GlobalSecondaryIndexUpdates: ["a", "b"].map((name) => ({
      Create: {
        IndexName: `by_${name}`,
        KeySchema: [{ AttributeName: name, KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" },
      },
    })),
  });
  assert.equal(twoCreates.body.__type, "com.amazonaws.dynamodb.v20120810#LimitExceededException");
  assert.equal(
    twoCreates.body.message,
    "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
  );
});
