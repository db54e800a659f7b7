import { test } from "node:test";
import assert from "node:assert/strict";
import { Database } from "../../../engine/db/database.ts";
import type { StreamViewType } from "../../../engine/db/catalog.ts";
import type { Table } from "../../../engine/db/table.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";

const KEYS = {
  partitionKey: { name: "id", type: "S" },
  sortKey: { name: "n", type: "N" },
} as const;

async function withStream(
  viewType: StreamViewType,
  run: (db: Database, table: Table) => Promise<void>,
): Promise<void> {
  await using db = await Database.memory({ clock: () => Date.UTC(2026, 0, 1, 12) });
  const table = await db.createTable("events", KEYS, { stream: { viewType } });
  await run(db, table);
}

test("stream: put, update and delete make INSERT, MODIFY and REMOVE with both images", async () => {
  await withStream("NEW_AND_OLD_IMAGES", async (_db, table) => {
    await table.put({ id: "a", n: 1, v: "x" });
    await table.update({ id: "a", n: 1 }, {
      updateExpression: "SET v = :v",
      expressionAttributeValues: { ":v": "y" },
    });
    await table.delete({ id: "a", n: 1 });
    const { records } = await table.readStream();
    assert.deepEqual(records.map((r) => r.eventName), ["INSERT", "MODIFY", "REMOVE"]);
    assert.deepEqual(records.map((r) => [r.oldImage, r.newImage]), [
      [undefined, { id: "a", n: 1, v: "x" }],
      [{ id: "a", n: 1, v: "x" }, { id: "a", n: 1, v: "y" }],
      [{ id: "a", n: 1, v: "y" }, undefined],
    ]);
    for (const record of records) {
      assert.deepEqual(record.keys, { id: "a", n: 1 });
      assert.equal(record.streamViewType, "NEW_AND_OLD_IMAGES");
      assert.equal(record.createdAtMs, Date.UTC(2026, 0, 1, 12));
      assert.match(record.sequenceNumber, /^[0-9]{21}$/);
      assert.equal(record.userIdentity, undefined);
    }
    // DynamoDB's item sizes: keys 6 ("id" "a" 3, "n" 1 3), each image 8 (the keys, "v" "x" 2)
    assert.deepEqual(records.map((r) => r.sizeBytes), [14, 22, 14]);
  });
});

test("stream: each view type carries only its images", async () => {
  const expected: Record<StreamViewType, [boolean, boolean]> = {
    KEYS_ONLY: [false, false],
    NEW_IMAGE: [true, false],
    OLD_IMAGE: [false, true],
    NEW_AND_OLD_IMAGES: [true, true],
  };
  for (const [viewType, [hasNew, hasOld]] of Object.entries(expected)) {
    await withStream(viewType as StreamViewType, async (_db, table) => {
      await table.put({ id: "a", n: 1, v: 1 });
      await table.put({ id: "a", n: 1, v: 2 });
      const modify = (await table.readStream()).records[1]!;
      assert.equal(modify.eventName, "MODIFY");
      assert.equal(modify.streamViewType, viewType);
      assert.equal(modify.newImage !== undefined, hasNew, viewType);
      assert.equal(modify.oldImage !== undefined, hasOld, viewType);
      assert.deepEqual(modify.keys, { id: "a", n: 1 });
    });
  }
});

test("stream: a write that changes nothing makes no record", async () => {
  await withStream("NEW_AND_OLD_IMAGES", async (_db, table) => {
    await table.put({ id: "a", n: 1, tags: new Set(["x", "y"]) });
    await table.put({ id: "a", n: 1, tags: new Set(["y", "x"]) }); // same item
    await table.update({ id: "a", n: 1 }, {
      updateExpression: "SET tags = :t",
      expressionAttributeValues: { ":t": new Set(["x", "y"]) },
    });
    await table.delete({ id: "missing", n: 1 });
    await table.update({ id: "a", n: 1 }, { updateExpression: "REMOVE nothing" });
    const { records } = await table.readStream();
    assert.deepEqual(records.map((r) => r.eventName), ["INSERT"]);
  });
});

test("stream: batch writes and transactions make one record per item, in order, in one commit", async () => {
  await withStream("KEYS_ONLY", async (db, table) => {
    await db.batchWrite({ events: [{ put: { id: "a", n: 1 } }, { put: { id: "b", n: 1 } }] });
    await db.transactWrite([
      { delete: { tableName: "events", key: { id: "a", n: 1 } } },
      {
        update: {
          tableName: "events",
          key: { id: "c", n: 1 },
          updateExpression: "SET v = :v",
          expressionAttributeValues: { ":v": 1 },
        },
      },
      {
        conditionCheck: {
          tableName: "events",
          key: { id: "b", n: 1 },
          conditionExpression: "attribute_exists(id)",
        },
      },
    ]);
    const { records } = await table.readStream();
    assert.deepEqual(
      records.map((r) => `${r.eventName} ${r.keys.id}`),
      ["INSERT a", "INSERT b", "REMOVE a", "INSERT c"],
    );
    const sequences = records.map((r) => r.sequenceNumber);
    assert.deepEqual([...sequences].sort(), sequences);
    assert.equal(new Set(sequences).size, 4);
    // one commit (LSN) per batch and per transaction, positions 0 and 1 within each
    assert.deepEqual(sequences.map((s) => s.slice(16)), ["00000", "00001", "00000", "00001"]);
    assert.equal(sequences[0]!.slice(0, 16), sequences[1]!.slice(0, 16));
  });
});

test("stream: reading resumes after a sequence number and pages by limit", async () => {
  await withStream("KEYS_ONLY", async (_db, table) => {
    for (let n = 0; n < 5; n++) await table.put({ id: "a", n });
    const first = await table.readStream({ limit: 2 });
    assert.deepEqual(first.records.map((r) => r.keys.n), [0, 1]);
    const rest = await table.readStream({ after: first.last });
    assert.deepEqual(rest.records.map((r) => r.keys.n), [2, 3, 4]);
    const none = await table.readStream({ after: rest.last });
    assert.deepEqual(none, { records: [], last: undefined });
  });
});

test("stream: reopening keeps the records and numbering goes on after them", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.create("/db.keystone", { fs });
  const table = await db.createTable("events", KEYS, { stream: { viewType: "NEW_IMAGE" } });
  await table.put({ id: "a", n: 1 });
  await db.flush();
  await table.put({ id: "b", n: 1 });
  const before = (await table.readStream()).records;
  await db.close();

  const reopened = await Database.open("/db.keystone", { fs });
  const again = reopened.table("events");
  assert.deepEqual((await again.readStream()).records, before);
  await again.put({ id: "c", n: 1 });
  const after = (await again.readStream()).records;
  assert.equal(after.length, 3);
  assert.ok(after[2]!.sequenceNumber > before[1]!.sequenceNumber);
  await reopened.close();
});

test("stream: a disabled stream and the stream of a deleted table stay readable", async () => {
  await using db = await Database.memory();
  const table = await db.createTable("events", KEYS, { stream: { viewType: "KEYS_ONLY" } });
  await table.put({ id: "a", n: 1 });
  await db.updateTable("events", { stream: { enabled: false } });
  await table.put({ id: "b", n: 1 });
  assert.deepEqual((await table.readStream()).records.map((r) => r.keys.id), ["a"]);
  await db.updateTable("events", { stream: { enabled: true, viewType: "NEW_IMAGE" } });
  await table.put({ id: "c", n: 1 });
  assert.deepEqual((await table.readStream()).records.map((r) => r.keys.id), ["c"]);
  assert.equal(db.streams().length, 2);
  await db.deleteTable("events");
  assert.deepEqual((await table.readStream()).records.map((r) => r.keys.id), ["c"]);
  assert.deepEqual(db.streams().map((s) => s.tableActive), [false, false]);
});
