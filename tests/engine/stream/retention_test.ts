import { test } from "node:test";
import assert from "node:assert/strict";
import { Database } from "../../../engine/db/database.ts";
import type { KstoneError } from "../../../engine/errors.ts";
import { checkNotTrimmed, oldestSequence } from "../../../engine/stream/reader.ts";

const HOUR = 3600_000;
const KEYS = { partitionKey: { name: "id", type: "S" } } as const;

test("Database.trimStreams() removes records older than the retention period, oldest first", async () => {
  let now = Date.UTC(2026, 0, 1);
  await using db = await Database.memory({ clock: () => now });
  const table = await db.createTable("events", KEYS, { stream: { viewType: "KEYS_ONLY" } });
  await table.put({ id: "old" });
  now += 12 * HOUR;
  await table.put({ id: "recent" });
  now += 12 * HOUR; // "old" is now exactly 24 hours old: kept
  assert.equal(await db.trimStreams(), 0);
  now += 1;
  assert.equal(await db.trimStreams(), 1);
  const { records } = await table.readStream();
  assert.deepEqual(records.map((r) => r.keys.id), ["recent"]);
  now += 12 * HOUR + 1;
  assert.equal(await db.trimStreams(), 1);
  assert.deepEqual((await table.readStream()).records, []);
});

test("Database.trimStreams() honours streamRetentionMs and trims in chunks", async () => {
  let now = Date.UTC(2026, 0, 1);
  await using db = await Database.memory({ clock: () => now, streamRetentionMs: 1000 });
  const table = await db.createTable("events", KEYS, { stream: { viewType: "NEW_IMAGE" } });
  for (let i = 0; i < 600; i++) await table.put({ id: `item${i}` });
  now += 1001;
  assert.equal(await db.trimStreams(), 600);
  assert.equal(oldestSequence(db.apiContext().store, db.streams()[0]!.stream.id), undefined);
});

test("checkNotTrimmed() refuses a position before the oldest kept record", async () => {
  let now = Date.UTC(2026, 0, 1);
  await using db = await Database.memory({ clock: () => now, streamRetentionMs: HOUR });
  const table = await db.createTable("events", KEYS, { stream: { viewType: "KEYS_ONLY" } });
  await table.put({ id: "a" });
  await table.put({ id: "b" });
  now += 2 * HOUR;
  await table.put({ id: "c" });
  const [a, b, c] = (await table.readStream()).records.map((r) => r.sequenceNumber);
  await db.trimStreams();
  const store = db.apiContext().store;
  const id = db.streams()[0]!.stream.id;
  const trimmed = (position: object) =>
    assert.throws(() => checkNotTrimmed(store, id, position), (error: KstoneError) => {
      assert.equal(error.code, "TRIMMED_DATA_ACCESS");
      return true;
    });
  trimmed({ from: a });
  trimmed({ from: b });
  trimmed({ after: a });
  checkNotTrimmed(store, id, { after: b }); // nothing after b was lost
  checkNotTrimmed(store, id, { from: c });
  checkNotTrimmed(store, id, {});
  assert.equal(oldestSequence(store, id), c);
});

test("stream retention keeps the records of a deleted table until they age out", async () => {
  let now = Date.UTC(2026, 0, 1);
  await using db = await Database.memory({ clock: () => now });
  const table = await db.createTable("events", KEYS, { stream: { viewType: "KEYS_ONLY" } });
  await table.put({ id: "a" });
  await db.deleteTable("events");
  await db.compact();
  assert.equal(await db.trimStreams(), 0);
  assert.equal(db.streams().length, 1);
  assert.equal((await table.readStream()).records.length, 1);
  now += 25 * HOUR;
  assert.equal(await db.trimStreams(), 1);
  assert.deepEqual(db.streams(), []);
});
