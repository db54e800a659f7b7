import { test } from "node:test";
import assert from "node:assert/strict";
import { type CreateTableOptions, Database, type KeySchema, KstoneError } from "../../../mod.ts";

const ORDERS: KeySchema = {
  partitionKey: { name: "customer", type: "S" },
  sortKey: { name: "id", type: "S" },
};
const INVALID = "One or more parameter values were invalid: ";

async function rejectsWith(
  options: CreateTableOptions,
  message: string,
  schema: KeySchema = ORDERS,
  code = "VALIDATION",
) {
  await using db = await Database.memory();
  await assert.rejects(db.createTable("orders", schema, options), (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
  assert.deepEqual(db.listTables(), [], "a refused table is not created");
}

test("createTable() with indexes, a stream and TTL is described in full", async () => {
  let now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  await using db = await Database.memory({ clock: () => now });
  await db.createTable("orders", ORDERS, {
    localIndexes: [{ name: "by_date", sortKey: { name: "date", type: "S" } }],
    globalIndexes: [{
      name: "by_status",
      partitionKey: { name: "status", type: "S" },
      sortKey: { name: "total", type: "N" },
      projection: { type: "INCLUDE", nonKeyAttributes: ["note"] },
    }],
    stream: { viewType: "NEW_AND_OLD_IMAGES" },
    ttl: { attributeName: "expires" },
  });
  now += 1000;
  const description = await db.describeTable("orders");
  assert.equal(description.name, "orders");
  assert.equal(description.status, "ACTIVE");
  assert.equal(description.createdAt, Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  assert.deepEqual(description.attributeDefinitions, [
    { name: "customer", type: "S" },
    { name: "id", type: "S" },
    { name: "date", type: "S" },
    { name: "status", type: "S" },
    { name: "total", type: "N" },
  ]);
  assert.deepEqual(description.localIndexes.map((index) => [index.name, index.status]), [[
    "by_date",
    "ACTIVE",
  ]]);
  assert.deepEqual(description.localIndexes[0]?.projection, { type: "ALL" });
  assert.deepEqual(description.localIndexes[0]?.keySchema, {
    partitionKey: { name: "customer", type: "S" },
    sortKey: { name: "date", type: "S" },
  });
  assert.deepEqual(description.globalIndexes[0]?.projection, {
    type: "INCLUDE",
    nonKeyAttributes: ["note"],
  });
  assert.deepEqual(description.ttl, { status: "ENABLED", attributeName: "expires" });
  assert.equal(description.stream?.enabled, true);
  assert.equal(description.stream?.viewType, "NEW_AND_OLD_IMAGES");
  assert.equal(description.stream?.label, "2026-01-02T03:04:05.678");
});

test("describeTable() counts items and their size, leaving expired items out", async () => {
  const now = Date.UTC(2026, 0, 1);
  await using db = await Database.memory({ clock: () => now });
  const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
    globalIndexes: [{ name: "by_email", partitionKey: { name: "email", type: "S" } }],
    ttl: { attributeName: "expires" },
  });
  await users.put({ id: "a", email: "a@x" });
  await users.put({ id: "b" });
  await users.put({ id: "c", expires: now / 1000 - 10 });
  const description = await db.describeTable("users");
  assert.equal(description.itemCount, 2);
  // "id"+"a" + "email"+"a@x", and "id"+"b": DynamoDB's item size rules.
  assert.equal(description.sizeBytes, 3 + 8 + 3);
  assert.equal(description.globalIndexes[0]?.itemCount, 1, "b has no email: sparse index");
});

test("createTable() derives one attribute definition per key attribute and refuses two types", async () => {
  await rejectsWith(
    { globalIndexes: [{ name: "by_id", partitionKey: { name: "id", type: "N" } }] },
    `${INVALID}Attribute id is defined with two types: S and N`,
  );
});

test("createTable() checks index names, counts and uniqueness as DynamoDB does", async () => {
  await rejectsWith(
    { globalIndexes: [{ name: "ab", partitionKey: { name: "a", type: "S" } }] },
    "Invalid index name: ab: must be 3 to 255 characters of [A-Za-z0-9_.-]",
  );
  await rejectsWith(
    { globalIndexes: [{ name: "a b", partitionKey: { name: "a", type: "S" } }] },
    "Invalid index name: a b: must be 3 to 255 characters of [A-Za-z0-9_.-]",
  );
  await rejectsWith(
    {
      localIndexes: [{ name: "dup", sortKey: { name: "date", type: "S" } }],
      globalIndexes: [{ name: "dup", partitionKey: { name: "a", type: "S" } }],
    },
    `${INVALID}Duplicate index name: dup`,
  );
  await rejectsWith(
    {
      localIndexes: Array.from({ length: 6 }, (_, i) => ({
        name: `lsi${i}`,
        sortKey: { name: `s${i}`, type: "S" as const },
      })),
    },
    `${INVALID}Number of LocalSecondaryIndexes exceeds per-table limit of 5`,
  );
  await rejectsWith(
    {
      globalIndexes: Array.from({ length: 21 }, (_, i) => ({
        name: `gsi${i}`,
        partitionKey: { name: `p${i}`, type: "S" as const },
      })),
    },
    `${INVALID}GlobalSecondaryIndex count exceeds the per-table limit of 20`,
  );
});

test("createTable() allows 5 local and 20 global indexes", async () => {
  await using db = await Database.memory();
  await db.createTable("orders", ORDERS, {
    localIndexes: Array.from({ length: 5 }, (_, i) => ({
      name: `lsi${i}`,
      sortKey: { name: `s${i}`, type: "S" as const },
    })),
    globalIndexes: Array.from({ length: 20 }, (_, i) => ({
      name: `gsi${i}`,
      partitionKey: { name: `p${i}`, type: "S" as const },
    })),
  });
  const description = await db.describeTable("orders");
  assert.equal(description.localIndexes.length, 5);
  assert.equal(description.globalIndexes.length, 20);
});

test("createTable() checks local indexes against the table's key", async () => {
  await rejectsWith(
    { localIndexes: [{ name: "by_date", sortKey: { name: "date", type: "S" } }] },
    `${INVALID}Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex`,
    { partitionKey: { name: "customer", type: "S" } },
  );
  await rejectsWith(
    { localIndexes: [{ name: "by_id", sortKey: { name: "id", type: "S" } }] },
    `${INVALID}Index KeySchema must not be the same as the table KeySchema for index: by_id`,
  );
  await rejectsWith(
    { localIndexes: [{ name: "by_customer", sortKey: { name: "customer", type: "S" } }] },
    "Invalid key schema: the partition key and sort key must have different names",
  );
});

test("createTable() checks projections as DynamoDB does", async () => {
  const gsi = (projection: unknown) => ({
    globalIndexes: [{
      name: "by_a",
      partitionKey: { name: "a", type: "S" as const },
      projection: projection as { type: "ALL" },
    }],
  });
  await rejectsWith(
    gsi({ type: "INCLUDE" }),
    `${INVALID}ProjectionType is INCLUDE, but NonKeyAttributes is not specified`,
  );
  await rejectsWith(
    gsi({ type: "ALL", nonKeyAttributes: ["x"] }),
    `${INVALID}ProjectionType is ALL, but NonKeyAttributes is specified`,
  );
  await rejectsWith(
    gsi({ type: "KEYS_ONLY", nonKeyAttributes: ["x"] }),
    `${INVALID}ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified`,
  );
  await rejectsWith(
    gsi({ type: "INCLUDE", nonKeyAttributes: ["x", "x"] }),
    `${INVALID}Duplicate element in NonKeyAttributes: x`,
  );
  await rejectsWith(gsi({ type: "SOME" }), `${INVALID}Unknown ProjectionType: SOME`);
  const many = (prefix: string) => Array.from({ length: 51 }, (_, i) => `${prefix}${i}`);
  await rejectsWith(
    {
      globalIndexes: [
        {
          name: "gsi1",
          partitionKey: { name: "a", type: "S" },
          projection: { type: "INCLUDE", nonKeyAttributes: many("x") },
        },
        {
          name: "gsi2",
          partitionKey: { name: "b", type: "S" },
          projection: { type: "INCLUDE", nonKeyAttributes: many("y") },
        },
      ],
    },
    `${INVALID}Number of projected attributes in all indexes exceeds limit of 100`,
  );
});

test("createTable() checks the stream view type and the TTL attribute", async () => {
  await rejectsWith(
    { stream: { viewType: "ALL" as "KEYS_ONLY" } },
    "Invalid StreamViewType: ALL: must be one of KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES",
  );
  await rejectsWith(
    { ttl: { attributeName: "" } },
    "Invalid TimeToLive AttributeName: : must be 1 to 255 characters",
  );
});

test("createTable() of an existing table fails with RESOURCE_IN_USE", async () => {
  await using db = await Database.memory();
  await db.createTable("orders", ORDERS);
  await assert.rejects(db.createTable("orders", ORDERS), {
    code: "RESOURCE_IN_USE",
    message: "Table already exists: orders",
  });
});

test("describeTable() of the default table reports pk and sk", async () => {
  await using db = await Database.memory();
  await db.put("a", { n: 1 });
  const description = await db.describeTable("");
  assert.deepEqual(description.attributeDefinitions, [
    { name: "pk", type: "S" },
    { name: "sk", type: "S" },
  ]);
  assert.equal(description.itemCount, 1);
  await assert.rejects(db.describeTable("nope"), {
    code: "RESOURCE_NOT_FOUND",
    message: "Requested resource not found: Table: nope not found",
  });
});
