import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, MemoryFileSystem } from "../../../mod.ts";

const DIR = "/data/tables.keystone";
const USERS = { partitionKey: { name: "id", type: "S" as const } };
const ORDERS = {
  partitionKey: { name: "customer", type: "S" as const },
  sortKey: { name: "id", type: "S" as const },
};

test("reopen keeps every table definition, index, TTL setting and stream", async () => {
  const fs = new MemoryFileSystem();
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  const db = await Database.create(DIR, { fs, clock });
  const orders = await db.createTable("orders", ORDERS, {
    localIndexes: [{
      name: "by_date",
      sortKey: { name: "date", type: "S" },
      projection: { type: "KEYS_ONLY" },
    }],
    globalIndexes: [{
      name: "by_status",
      partitionKey: { name: "status", type: "S" },
      projection: { type: "INCLUDE", nonKeyAttributes: ["total"] },
    }],
    stream: { viewType: "NEW_IMAGE" },
  });
  await orders.put({ customer: "c1", id: "o1", date: "2026-01-01", status: "open", total: 5 });
  await db.createTable("users", USERS);
  await db.updateTimeToLive("users", { attributeName: "expires", enabled: true });
  await db.updateTimeToLive("", { attributeName: "ttl", enabled: true });
  now += 1000;
  await db.updateTable("users", { stream: { enabled: true, viewType: "KEYS_ONLY" } });
  await db.updateTable("users", { stream: { enabled: false } });
  await db.createTable("gone", USERS);
  await db.deleteTable("gone");
  const before = {
    orders: await db.describeTable("orders"),
    users: await db.describeTable("users"),
    default: await db.describeTable(""),
  };
  await db.close();

  const again = await Database.open(DIR, { fs, clock });
  assert.deepEqual(again.listTables(), ["orders", "users"]);
  assert.deepEqual(await again.describeTable("orders"), before.orders);
  assert.deepEqual(await again.describeTable("users"), before.users);
  assert.deepEqual(await again.describeTable(""), before.default);
  assert.equal(before.users.stream?.enabled, false);
  assert.deepEqual(again.describeTimeToLive(""), { status: "ENABLED", attributeName: "ttl" });
  const page = await again.table("orders").query({
    indexName: "by_status",
    keyConditionExpression: "#s = :s",
    expressionAttributeNames: { "#s": "status" },
    expressionAttributeValues: { ":s": "open" },
  });
  assert.deepEqual(page.items, [{ customer: "c1", id: "o1", status: "open", total: 5 }]);
  await again.createTable("fresh", USERS);
  assert.ok(
    (await again.describeTable("fresh")).id > before.users.stream!.id,
    "ids are never reused",
  );
  await again.close();
});

test("a GSI whose backfill a close interrupted resumes on open and becomes ACTIVE", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs });
  const users = await db.createTable("users", USERS);
  await db.batchWrite({
    users: Array.from({ length: 25 }, (_, i) => ({ put: { id: `u${i}`, email: `u${i}@x` } })),
  });
  for (let i = 25; i < 3000; i++) await users.put({ id: `u${i}`, email: `u${i}@x` });
  await db.updateTable("users", {
    globalIndexUpdates: [{
      create: { name: "by_email", partitionKey: { name: "email", type: "S" } },
    }],
  });
  await db.close();

  const again = await Database.open(DIR, { fs });
  const status = (await again.describeTable("users")).globalIndexes[0]?.status;
  assert.equal(status, "CREATING", "the close stopped the backfill after its first chunk");
  await again.waitForTable("users");
  const index = (await again.describeTable("users")).globalIndexes[0];
  assert.equal(index?.status, "ACTIVE");
  assert.equal(index?.itemCount, 3000);
  await again.close();
});

async function sstBytes(db: Database): Promise<number> {
  return (await db.stats()).sst_size_bytes;
}

test("deleteTable() then compact() reclaims the table's space; other tables are untouched", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs });
  const big = await db.createTable("big", USERS, {
    globalIndexes: [{ name: "by_v", partitionKey: { name: "v", type: "S" } }],
  });
  const small = await db.createTable("small", USERS);
  const payload = "x".repeat(200);
  for (let i = 0; i < 1500; i++) await big.put({ id: `b${i}`, v: `v${i}`, payload });
  for (let i = 0; i < 100; i++) await small.put({ id: `s${i}`, n: i });
  await db.flush();
  await db.compact();
  const full = await sstBytes(db);
  const reclaimedBefore = (await db.stats()).compaction.total_bytes_reclaimed;

  await db.deleteTable("big");
  await db.compact();
  const after = await sstBytes(db);
  assert.ok(after < full / 5, `SST bytes ${full} -> ${after}`);
  assert.ok((await db.stats()).compaction.total_bytes_reclaimed > reclaimedBefore);
  assert.equal((await db.describeTable("small")).itemCount, 100);
  assert.deepEqual(await small.get({ id: "s7" }), { id: "s7", n: 7 });

  await db.compact();
  assert.equal(await sstBytes(db), after, "a second compact() has nothing more to drop");
  await db.close();

  const again = await Database.open(DIR, { fs });
  assert.deepEqual(again.listTables(), ["small"]);
  assert.equal((await again.describeTable("small")).itemCount, 100);
  const recreated = await again.createTable("big", USERS);
  assert.equal((await again.describeTable("big")).itemCount, 0, "a new table starts empty");
  await recreated.put({ id: "b1" });
  await again.compact();
  assert.deepEqual(await recreated.get({ id: "b1" }), { id: "b1" });
  await again.close();
});

test("deleting a GSI reclaims its entries at the next compaction", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs });
  const users = await db.createTable("users", USERS, {
    globalIndexes: [{ name: "by_v", partitionKey: { name: "v", type: "S" } }],
  });
  const payload = "x".repeat(200);
  for (let i = 0; i < 1000; i++) await users.put({ id: `u${i}`, v: `v${i}`, payload });
  await db.flush();
  await db.compact();
  const full = await sstBytes(db);
  await db.updateTable("users", { globalIndexUpdates: [{ delete: "by_v" }] });
  await db.waitForTable("users");
  await db.compact();
  const after = await sstBytes(db);
  assert.ok(after < full * 0.7, `SST bytes ${full} -> ${after}`);
  assert.equal((await db.describeTable("users")).itemCount, 1000);
  await db.close();
  const again = await Database.open(DIR, { fs });
  assert.equal((await again.describeTable("users")).itemCount, 1000);
  assert.deepEqual((await again.describeTable("users")).globalIndexes, []);
  await again.close();
});
