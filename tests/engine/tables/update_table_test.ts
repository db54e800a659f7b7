import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, KstoneError } from "../../../mod.ts";

const USERS = { partitionKey: { name: "id", type: "S" as const } };
const BY_EMAIL = { name: "by_email", partitionKey: { name: "email", type: "S" as const } };

function expectError(code: string, message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  };
}

test("updateTable() adds a GSI: CREATING while backfilled, then ACTIVE with every item", async () => {
  await using db = await Database.memory();
  const users = await db.createTable("users", USERS);
  for (let i = 0; i < 50; i++) {
    await users.put({ id: `u${i}`, ...(i % 5 === 0 ? {} : { email: `u${i}@x` }) });
  }
  await db.updateTable("users", { globalIndexUpdates: [{ create: BY_EMAIL }] });
  const creating = await db.describeTable("users");
  assert.equal(creating.globalIndexes[0]?.status, "CREATING");
  assert.equal(creating.status, "UPDATING");
  assert.deepEqual(creating.attributeDefinitions, [
    { name: "id", type: "S" },
    { name: "email", type: "S" },
  ]);
  await users.put({ id: "late", email: "late@x" });
  await db.waitForTable("users");
  const active = await db.describeTable("users");
  assert.equal(active.status, "ACTIVE");
  assert.equal(active.globalIndexes[0]?.status, "ACTIVE");
  assert.equal(active.globalIndexes[0]?.itemCount, 41);
  const page = await users.query({
    indexName: "by_email",
    keyConditionExpression: "email = :e",
    expressionAttributeValues: { ":e": "u7@x" },
  });
  assert.deepEqual(page.items, [{ id: "u7", email: "u7@x" }]);
});

test("updateTable() allows one index creation or deletion at a time", async () => {
  await using db = await Database.memory();
  await db.createTable("users", USERS);
  const second = { name: "by_name", partitionKey: { name: "name", type: "S" as const } };
  const limit = expectError(
    "LIMIT_EXCEEDED",
    "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
  );
  await assert.rejects(
    db.updateTable("users", { globalIndexUpdates: [{ create: BY_EMAIL }, { create: second }] }),
    limit,
  );
  await assert.rejects(
    db.updateTable("users", { globalIndexUpdates: [{ create: BY_EMAIL }, { delete: "by_email" }] }),
    expectError(
      "VALIDATION",
      "One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: by_email",
    ),
  );
  await db.updateTable("users", { globalIndexUpdates: [{ create: BY_EMAIL }] });
  await assert.rejects(
    db.updateTable("users", { globalIndexUpdates: [{ create: second }] }),
    limit,
  );
  await db.waitForTable("users");
  await assert.rejects(
    db.updateTable("users", { globalIndexUpdates: [{ create: BY_EMAIL }] }),
    expectError("VALIDATION", "Attempting to create an index which already exists"),
  );
  await db.updateTable("users", { globalIndexUpdates: [{ create: second }] });
});

test("updateTable() deletes a GSI; its name can then be used again", async () => {
  await using db = await Database.memory();
  const users = await db.createTable("users", USERS, { globalIndexes: [BY_EMAIL] });
  await users.put({ id: "a", email: "a@x" });
  await db.updateTable("users", { globalIndexUpdates: [{ delete: "by_email" }] });
  await db.waitForTable("users");
  const description = await db.describeTable("users");
  assert.deepEqual(description.globalIndexes, []);
  assert.deepEqual(description.attributeDefinitions, [{ name: "id", type: "S" }]);
  await assert.rejects(
    users.query({
      indexName: "by_email",
      keyConditionExpression: "email = :e",
      expressionAttributeValues: { ":e": "a@x" },
    }),
  );
  await db.updateTable("users", { globalIndexUpdates: [{ create: BY_EMAIL }] });
  await db.waitForTable("users");
  assert.equal((await db.describeTable("users")).globalIndexes[0]?.itemCount, 1);
});

test("updateTable() refuses to delete a missing index or a local one", async () => {
  await using db = await Database.memory();
  await db.createTable("orders", {
    partitionKey: { name: "customer", type: "S" },
    sortKey: { name: "id", type: "S" },
  }, { localIndexes: [{ name: "by_date", sortKey: { name: "date", type: "S" } }] });
  await assert.rejects(
    db.updateTable("orders", { globalIndexUpdates: [{ delete: "nope" }] }),
    expectError("RESOURCE_NOT_FOUND", "Requested resource not found: Index: nope not found"),
  );
  await assert.rejects(
    db.updateTable("orders", { globalIndexUpdates: [{ delete: "by_date" }] }),
    expectError("VALIDATION", "Cannot delete an index that is not a GlobalSecondaryIndex: by_date"),
  );
  await assert.rejects(
    db.updateTable("orders", { globalIndexUpdates: [] }),
    expectError(
      "VALIDATION",
      "One or more parameter values were invalid: List of GlobalSecondaryIndexUpdates is empty",
    ),
  );
});

test("updateTable() enables a stream, disables it, and enables a new one", async () => {
  let now = Date.UTC(2026, 0, 1);
  await using db = await Database.memory({ clock: () => now });
  await db.createTable("users", USERS);
  await assert.rejects(
    db.updateTable("users", { stream: { enabled: false } }),
    expectError("VALIDATION", "Table has no stream to disable: TableName: users"),
  );
  await db.updateTable("users", { stream: { enabled: true, viewType: "KEYS_ONLY" } });
  const first = (await db.describeTable("users")).stream;
  assert.equal(first?.enabled, true);
  await assert.rejects(
    db.updateTable("users", { stream: { enabled: true, viewType: "NEW_IMAGE" } }),
    expectError("VALIDATION", "Table already has an enabled stream: TableName: users"),
  );
  await db.updateTable("users", { stream: { enabled: false } });
  const disabled = (await db.describeTable("users")).stream;
  assert.deepEqual(disabled, { ...first, enabled: false }, "the old stream is still described");
  await db.updateTable("users", { stream: { enabled: true, viewType: "NEW_IMAGE" } });
  const second = (await db.describeTable("users")).stream;
  assert.notEqual(second?.id, first?.id);
  assert.notEqual(second?.label, first?.label, "labels differ even within one millisecond");
  assert.equal(second?.viewType, "NEW_IMAGE");
  now += 1;
});

test("updateTable() does not mix index and stream changes", async () => {
  await using db = await Database.memory();
  await db.createTable("users", USERS);
  await assert.rejects(
    db.updateTable("users", {
      globalIndexUpdates: [{ create: BY_EMAIL }],
      stream: { enabled: true, viewType: "KEYS_ONLY" },
    }),
    expectError(
      "VALIDATION",
      "One or more parameter values were invalid: You cannot create or delete index while changing stream status",
    ),
  );
  await assert.rejects(db.updateTable("nope", { stream: { enabled: false } }), {
    code: "RESOURCE_NOT_FOUND",
  });
});

test("updateTimeToLive() follows DynamoDB's rules, on named tables and the default one", async () => {
  await using db = await Database.memory();
  await db.createTable("users", USERS);
  for (const name of ["users", ""]) {
    assert.deepEqual(db.describeTimeToLive(name), { status: "DISABLED" });
    await assert.rejects(
      db.updateTimeToLive(name, { attributeName: "exp", enabled: false }),
      expectError("VALIDATION", "TimeToLive is already disabled"),
    );
    await db.updateTimeToLive(name, { attributeName: "exp", enabled: true });
    assert.deepEqual(db.describeTimeToLive(name), { status: "ENABLED", attributeName: "exp" });
    await assert.rejects(
      db.updateTimeToLive(name, { attributeName: "exp", enabled: true }),
      expectError("VALIDATION", "TimeToLive is already enabled"),
    );
    await assert.rejects(
      db.updateTimeToLive(name, { attributeName: "other", enabled: true }),
      expectError(
        "VALIDATION",
        "TimeToLive is active on a different AttributeName: current AttributeName is exp",
      ),
    );
    await db.updateTimeToLive(name, { attributeName: "exp", enabled: false });
    assert.deepEqual(db.describeTimeToLive(name), { status: "DISABLED" });
  }
});

test("time to live hides expired items as soon as it is enabled", async () => {
  const now = Date.UTC(2026, 0, 1);
  await using db = await Database.memory({ clock: () => now });
  await db.put("old", { exp: now / 1000 - 60 });
  assert.ok(await db.get("old"));
  await db.updateTimeToLive("", { attributeName: "exp", enabled: true });
  assert.equal(await db.get("old"), undefined);
  assert.equal((await db.describeTable("")).itemCount, 0);
});
