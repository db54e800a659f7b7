import { test } from "node:test";
import assert from "node:assert/strict";
import { Database } from "../../../engine/db/database.ts";
import { MAX_EXPIRY_AGE_SECONDS } from "../../../engine/ttl/expiry.ts";

const KEYS = { partitionKey: { name: "id", type: "S" } } as const;
const START = Date.UTC(2026, 0, 1);
const SERVICE = { type: "Service", principalId: "dynamodb.amazonaws.com" };

async function ttlDatabase() {
  const clock = { now: START };
  const db = await Database.memory({ clock: () => clock.now, ttlSweepIntervalMs: 0 });
  const table = await db.createTable("sessions", KEYS, {
    stream: { viewType: "NEW_AND_OLD_IMAGES" },
    ttl: { attributeName: "expires" },
    globalIndexes: [{ name: "by_user", partitionKey: { name: "user", type: "S" } }],
  });
  return { db, table, clock, seconds: (ms: number) => Math.floor(ms / 1000) };
}

test("TTL: an expired item is hidden at once, before any sweep", async () => {
  const { db, table, clock, seconds } = await ttlDatabase();
  await using _ = db;
  await table.put({ id: "s1", user: "ada", expires: seconds(START) + 60 });
  assert.notEqual(await table.get({ id: "s1" }), undefined);
  clock.now += 60_000;
  assert.equal(await table.get({ id: "s1" }), undefined);
  assert.deepEqual((await table.scan()).items, []);
  assert.deepEqual(
    (await table.query({
      indexName: "by_user",
      keyConditionExpression: "#u = :u",
      expressionAttributeNames: { "#u": "user" },
      expressionAttributeValues: { ":u": "ada" },
    })).items,
    [],
  );
});

test("TTL: Database.sweepExpired() deletes expired items with their index entries and a service REMOVE", async () => {
  const { db, table, clock, seconds } = await ttlDatabase();
  await using _ = db;
  await table.put({ id: "s1", user: "ada", expires: seconds(START) + 60 });
  await table.put({ id: "s2", user: "ada", expires: seconds(START) + 3600 });
  await table.put({ id: "s3", user: "bob" });
  clock.now += 61_000;
  assert.equal(await db.sweepExpired(), 1);
  assert.equal(await db.sweepExpired(), 0);
  // the item and its index entry are gone from the store, not only hidden
  clock.now = START;
  assert.equal(await table.get({ id: "s1" }), undefined);
  const byUser = await table.query({
    indexName: "by_user",
    keyConditionExpression: "#u = :u",
    expressionAttributeNames: { "#u": "user" },
    expressionAttributeValues: { ":u": "ada" },
  });
  assert.deepEqual(byUser.items.map((item) => item.id), ["s2"]);
  const remove = (await table.readStream()).records.at(-1)!;
  assert.equal(remove.eventName, "REMOVE");
  assert.deepEqual(remove.keys, { id: "s1" });
  assert.deepEqual(remove.oldImage, { id: "s1", user: "ada", expires: seconds(START) + 60 });
  assert.deepEqual(remove.userIdentity, SERVICE);
});

test("TTL: values that are not numbers or lie more than five years in the past never expire", async () => {
  const { db, table, clock, seconds } = await ttlDatabase();
  await using _ = db;
  const now = seconds(START);
  await table.put({ id: "text", expires: String(now - 10) });
  await table.put({ id: "millis", expires: START - 10 }); // milliseconds by mistake: far future
  await table.put({ id: "ancient", expires: now - MAX_EXPIRY_AGE_SECONDS - 1 });
  await table.put({ id: "old", expires: now - MAX_EXPIRY_AGE_SECONDS + 1 });
  await table.put({ id: "none" });
  clock.now += 1;
  assert.equal(await db.sweepExpired(), 1);
  const left = (await table.scan()).items.map((item) => item.id).sort();
  assert.deepEqual(left, ["ancient", "millis", "none", "text"]);
});

test("TTL: a write over an expired item records a service REMOVE, then an INSERT", async () => {
  const { db, table, clock, seconds } = await ttlDatabase();
  await using _ = db;
  await table.put({ id: "s1", user: "ada", expires: seconds(START) + 60 });
  clock.now += 120_000;
  await table.put({ id: "s1", user: "bob" }, { conditionExpression: "attribute_not_exists(id)" });
  const records = (await table.readStream()).records;
  assert.deepEqual(records.map((r) => r.eventName), ["INSERT", "REMOVE", "INSERT"]);
  assert.deepEqual(records[1]!.userIdentity, SERVICE);
  assert.equal(records[2]!.userIdentity, undefined);
  assert.equal(records[2]!.oldImage, undefined);
  assert.deepEqual(records[2]!.newImage, { id: "s1", user: "bob" });
  assert.equal(records[1]!.sequenceNumber.slice(0, 16), records[2]!.sequenceNumber.slice(0, 16));
  assert.equal(await db.sweepExpired(), 0);
});

test("TTL: the sweeper spares an item whose expiry was pushed back, and stops with TTL off", async () => {
  const { db, table, clock, seconds } = await ttlDatabase();
  await using _ = db;
  for (let i = 0; i < 300; i++) await table.put({ id: `s${i}`, expires: seconds(START) + 10 });
  await table.put({ id: "s0", expires: seconds(START) + 3600 });
  clock.now += 20_000;
  assert.equal(await db.sweepExpired(), 299);
  assert.deepEqual((await table.scan()).items.map((item) => item.id), ["s0"]);
  await db.updateTimeToLive("sessions", { attributeName: "expires", enabled: false });
  clock.now += 7200_000;
  assert.equal(await db.sweepExpired(), 0);
  assert.equal((await table.scan()).items.length, 1);
});

test("TTL: compaction drops the tombstones of the sweeper's deletions", async () => {
  const { db, table, clock, seconds } = await ttlDatabase();
  await using _ = db;
  await table.put({ id: "s1", expires: seconds(START) + 1 });
  await db.flush();
  clock.now += 2_000;
  assert.equal(await db.sweepExpired(), 1);
  await db.flush();
  await db.compact();
  const stats = await db.stats();
  assert.ok(stats.compaction.total_tombstones_removed >= 1, JSON.stringify(stats.compaction));
});

test("TTL: a database with a sweep interval closes without waiting for its timer", async () => {
  const db = await Database.memory({ ttlSweepIntervalMs: 3_600_000 });
  await db.createTable("sessions", KEYS, { ttl: { attributeName: "expires" } });
  await db.close();
});
