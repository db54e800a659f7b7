import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import { call, startServer, tableInput } from "./_helpers.ts";

test("every protocol response carries x-amzn-RequestId and the zlib CRC-32 of its body as x-amz-crc32", async () => {
  await using server = await startServer();
  for (
    const [operation, body] of [["ListTables", {}], ["NoSuchOperation", {}], [
      "PutItem",
      "{",
    ]] as const
  ) {
    const response = await call(server.url, operation, body);
    assert.match(response.headers.get("x-amzn-requestid") ?? "", /^[A-Z0-9]{52}$/);
    assert.equal(response.headers.get("content-type"), "application/x-amz-json-1.0");
    const expected = crc32(new TextEncoder().encode(response.text)) >>> 0;
    assert.equal(response.headers.get("x-amz-crc32"), String(expected), operation);
  }
});

test("an operation DynamoDB does not have is UnknownOperationException", async () => {
  await using server = await startServer();
  const response = await call(server.url, "DynamoDB_20120810.DropEverything", {});
  assert.equal(response.status, 400);
  assert.equal(response.body.__type, "com.amazon.coral.service#UnknownOperationException");
  const noTarget = await call(server.url, "ListTables", {}, { "x-amz-target": "nonsense" });
  assert.equal(noTarget.body.__type, "com.amazon.coral.service#UnknownOperationException");
});

test("a DynamoDB operation kstone lacks yet is a ValidationException saying so", async () => {
  await using server = await startServer();
  const response = await call(server.url, "DynamoDB_20120810.CreateBackup", {});
  assert.equal(response.status, 400);
  assert.equal(response.body.__type, "com.amazon.coral.validate#ValidationException");
  assert.equal(response.body.message, "kstone does not support CreateBackup yet");
});

test("malformed JSON, an empty body and wrong JSON types are SerializationExceptions", async () => {
  await using server = await startServer();
  const cases: [string, string][] = [
    ["{not json", "Malformed JSON"],
    ["", "The request body is empty"],
    ['{"TableName": 5, "Item": {}}', "NUMBER_VALUE cannot be converted to String"],
    ['{"TableName": "users", "Item": []}', "Unrecognized collection type"],
    [
      '{"TableName": "users", "Item": {"a": {"S": true}}}',
      "TRUE_VALUE cannot be converted to String",
    ],
    ['{"TableName": "users", "Item": {"a": {"B": "not base64!"}}}', "Base64"],
    ["[1, 2]", "Unexpected value type in payload"],
  ];
  for (const [body, message] of cases) {
    const response = await call(server.url, "PutItem", body);
    assert.equal(response.status, 400, body);
    assert.equal(response.body.__type, "com.amazon.coral.service#SerializationException", body);
    assert.ok(String(response.body.Message).includes(message), `${body}: ${response.body.Message}`);
  }
});

test("missing, unknown and out-of-range members are ValidationExceptions with DynamoDB's wording", async () => {
  await using server = await startServer();
  await call(server.url, "CreateTable", tableInput("users"));
  const missing = await call(server.url, "PutItem", { TableName: "users" });
  assert.equal(
    missing.body.message,
    "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null",
  );
  const unknown = await call(server.url, "PutItem", {
    TableName: "users",
    Item: { pk: { S: "a" } },
    ConditionExpresion: "attribute_not_exists(pk)",
  });
  assert.equal(unknown.body.__type, "com.amazon.coral.validate#ValidationException");
  assert.match(
    String(unknown.body.message),
    /^Unknown parameter in input: "ConditionExpresion", must be one of: /,
  );
  const limit = await call(server.url, "Query", {
    TableName: "users",
    KeyConditionExpression: "pk = :p",
    ExpressionAttributeValues: { ":p": { S: "a" } },
    Limit: 0,
  });
  assert.equal(
    limit.body.message,
    "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
  );
  const twoTypes = await call(server.url, "PutItem", {
    TableName: "users",
    Item: { pk: { S: "a", N: "1" } },
  });
  assert.equal(
    twoTypes.body.message,
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
  );
  const nullFalse = await call(server.url, "PutItem", {
    TableName: "users",
    Item: { pk: { S: "a" }, n: { NULL: false } },
  });
  assert.equal(
    nullFalse.body.message,
    "One or more parameter values were invalid: Null attribute value types must have the value of true",
  );
  const emptySet = await call(server.url, "PutItem", {
    TableName: "users",
    Item: { pk: { S: "a" }, s: { SS: [] } },
  });
  assert.equal(
    emptySet.body.message,
    "One or more parameter values were invalid: An string set  may not be empty",
  );
  const badName = await call(server.url, "GetItem", { TableName: "a b", Key: { pk: { S: "a" } } });
  assert.match(
    String(badName.body.message),
    /Member must satisfy regular expression pattern: \[a-zA-Z0-9_.-\]\+/,
  );
});

test("an item over 400 KB is a ValidationException and is not stored", async () => {
  await using server = await startServer();
  await call(server.url, "CreateTable", tableInput("big-items"));
  const response = await call(server.url, "PutItem", {
    TableName: "big-items",
    Item: { pk: { S: "big" }, blob: { S: "x".repeat(410 * 1024) } },
  });
  assert.equal(response.body.__type, "com.amazon.coral.validate#ValidationException");
  assert.match(String(response.body.message), /Item size has exceeded the maximum allowed size/);
  const got = await call(server.url, "GetItem", {
    TableName: "big-items",
    Key: { pk: { S: "big" } },
  });
  assert.deepEqual(got.body, {});
});

test("the default table is reachable under the empty table name", async () => {
  await using server = await startServer();
  await server.db.put("user#123", { name: "Ada" });
  const got = await call(server.url, "GetItem", { TableName: "", Key: { pk: { S: "user#123" } } });
  assert.deepEqual(got.body, { Item: { pk: { S: "user#123" }, name: { S: "Ada" } } });
  const described = await call(server.url, "DescribeTable", { TableName: "" });
  assert.deepEqual((described.body.Table as { KeySchema: unknown }).KeySchema, [
    { AttributeName: "pk", KeyType: "HASH" },
    { AttributeName: "sk", KeyType: "RANGE" },
  ]);
});

test("a request sent as application/json is answered as application/json", async () => {
  await using server = await startServer();
  const response = await call(server.url, "ListTables", {}, { "content-type": "application/json" });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
});

test("GET / answers a health line and other paths and methods 404", async () => {
  await using server = await startServer();
  const root = await fetch(server.url);
  assert.equal(await root.text(), "healthy: kstone\n");
  const other = await fetch(`${server.url}/nope`, { method: "POST", body: "{}" });
  assert.equal(other.status, 404);
  await other.body?.cancel();
});

test("ListTables pages with Limit and ExclusiveStartTableName", async () => {
  await using server = await startServer();
  for (const name of ["tab-a", "tab-b", "tab-c"]) {
    await call(server.url, "CreateTable", tableInput(name));
  }
  const first = await call(server.url, "ListTables", { Limit: 2 });
  assert.deepEqual(first.body, { TableNames: ["tab-a", "tab-b"], LastEvaluatedTableName: "tab-b" });
  const second = await call(server.url, "ListTables", {
    Limit: 2,
    ExclusiveStartTableName: "tab-b",
  });
  assert.deepEqual(second.body, { TableNames: ["tab-c"] });
});

test("CreateTable checks the key schema against AttributeDefinitions as DynamoDB does", async () => {
  await using server = await startServer();
  const base = tableInput("checked");
  const cases: [Record<string, unknown>, string][] = [
    [
      { ...base, AttributeDefinitions: [{ AttributeName: "other", AttributeType: "S" }] },
      "Some index key attributes are not defined in AttributeDefinitions",
    ],
    [
      { ...base, BillingMode: undefined },
      "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
    ],
    [
      { ...base, KeySchema: [{ AttributeName: "pk", KeyType: "RANGE" }] },
      "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
    ],
    [
      { ...base, GlobalSecondaryIndexes: [{ IndexName: "by-x" }] },
      "Value null at 'globalSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must not be null",
    ],
  ];
  for (const [input, message] of cases) {
    const response = await call(server.url, "CreateTable", input);
    assert.equal(response.body.__type, "com.amazon.coral.validate#ValidationException");
    assert.ok(String(response.body.message).includes(message), String(response.body.message));
  }
  const provisioned = await call(server.url, "CreateTable", {
    ...base,
    BillingMode: "PROVISIONED",
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
  });
  assert.equal(provisioned.status, 200);
});
