import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, type KstoneError } from "../../../mod.ts";
import { WAL_MAX_PAYLOAD } from "../../../engine/wal/format.ts";

test("batchWrite() whose index entries and stream images outgrow one WAL record commits each item with its own", async () => {
  await using db = await Database.memory();
  const names = ["a", "b", "c", "d", "e"];
  const table = await db.createTable("big", { partitionKey: { name: "id", type: "S" } }, {
    globalIndexes: names.map((name) => ({
      name: `by_${name}`,
      partitionKey: { name, type: "S" as const },
    })),
    stream: { viewType: "NEW_IMAGE" },
  });
  const pad = "x".repeat(390_000);
  const items = Array.from({ length: 25 }, (_, i) => ({
    id: `item${i}`,
    ...Object.fromEntries(names.map((name) => [name, `${name}${i % 3}`])),
    pad,
  }));
  // The items, five ALL projections and the stream's new images: about 25 x 390 KB x 7.
  assert.ok(25 * pad.length * 7 > WAL_MAX_PAYLOAD);
  await db.batchWrite({ big: items.map((item) => ({ put: item })) });

  for (const item of items) assert.deepEqual(await table.get({ id: item.id }), item);
  for (const name of names) {
    const found = await Array.fromAsync(table.queryAll({
      indexName: `by_${name}`,
      keyConditionExpression: "#k = :v",
      expressionAttributeNames: { "#k": name },
      expressionAttributeValues: { ":v": `${name}0` },
    }));
    assert.equal(found.length, items.filter((_, i) => i % 3 === 0).length, name);
  }
  const { records } = await table.readStream();
  assert.deepEqual(records.map((r) => r.keys.id).sort(), items.map((item) => item.id).sort());
  // A record's sequence number starts with its commit's LSN: 25 commits, one per item.
  assert.equal(new Set(records.map((r) => r.sequenceNumber.slice(0, 16))).size, 25);
});

test("transactWrite() too large for one WAL record fails with a validation error and writes nothing", async () => {
  await using db = await Database.memory();
  const names = [..."abcdefghijklmnopqr"];
  await db.createTable("big", { partitionKey: { name: "id", type: "S" } }, {
    globalIndexes: names.map((name) => ({
      name: `by_${name}`,
      partitionKey: { name, type: "S" as const },
    })),
    stream: { viewType: "NEW_AND_OLD_IMAGES" },
  });
  const pad = "x".repeat(39_000);
  // 100 items of ~39 KB (under DynamoDB's 4 MB per transaction), each stored 19 times over by
  // the item and 18 ALL projections, plus its stream image: over 64 MiB.
  const actions = Array.from({ length: 100 }, (_, i) => ({
    put: {
      tableName: "big",
      item: { id: `item${i}`, ...Object.fromEntries(names.map((n) => [n, `${n}${i}`])), pad },
    },
  }));
  await assert.rejects(
    db.transactWrite(actions),
    (error: KstoneError) =>
      error.code === "VALIDATION" &&
      /Transaction is too large to commit atomically/.test(error.message),
  );
  assert.deepEqual(await Array.fromAsync(db.table("big").scanAll()), []);
  assert.deepEqual((await db.table("big").readStream()).records, []);
});
