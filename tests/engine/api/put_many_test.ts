import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, MemoryFileSystem, NumberValue } from "../../../mod.ts";
import { WAL_MAX_PAYLOAD } from "../../../engine/wal/format.ts";

const DIR = "/data/many.keystone";

/** Items of every kind the single-pass encoder takes, and some it leaves to the general path. */
function mixedItems(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    pk: `user#${i % 37}`,
    sk: `item#${String(i).padStart(4, "0")}`,
    name: `name ${i}`,
    n: i % 5 === 0 ? 0.5 + i : i,
    big: i % 7 === 0 ? new NumberValue(`12345678901234567890.${i}`) : undefined,
    when: i % 11 === 0 ? BigInt(i) * 10n ** 20n : undefined,
    tags: i % 3 === 0 ? new Set([`t${i}`, "x"]) : [`t${i}`],
    scores: i % 13 === 0 ? new Set([1, 2, i + 3]) : undefined,
    blob: i % 17 === 0 ? new Uint8Array([i & 255, 1, 2]) : undefined,
    nested: { flag: i % 2 === 0, none: null },
  })).map((item) =>
    Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined))
  );
}

test("putMany() stores what the same puts one by one store, as one commit", async () => {
  await using many = await Database.memory();
  await using single = await Database.memory();
  const items = mixedItems(500);
  const before = (await many.stats()).operations.batches;
  await many.putMany(items);
  assert.equal((await many.stats()).operations.batches, before + 1, "one WAL record");
  for (const item of items) {
    await single.put({ pk: item.pk as string, sk: item.sk as string }, item);
  }
  const all = async (db: Database) => await Array.fromAsync(db.scanAll());
  assert.deepEqual(await all(many), await all(single));
  assert.equal((await all(many)).length, 500);
});

test("putMany() replaces existing items and survives a reopen", async () => {
  const fs = new MemoryFileSystem();
  {
    await using db = await Database.create(DIR, { fs });
    await db.put("a", { v: 1 });
    await db.putMany([{ pk: "a", v: 2 }, { pk: "b", v: 3 }]);
  }
  await using db = await Database.open(DIR, { fs });
  assert.deepEqual(await Array.fromAsync(db.scanAll()), [{ pk: "a", v: 2 }, { pk: "b", v: 3 }]);
});

test("putMany() of a bad item writes nothing", async () => {
  await using db = await Database.memory();
  const items = mixedItems(100);
  await assert.rejects(db.putMany([...items, { sk: "no partition key" }]), {
    code: "VALIDATION",
    message: /pk/,
  });
  await assert.rejects(db.putMany([...items, { pk: "x", bad: new Date() }]), {
    code: "VALIDATION",
  });
  assert.deepEqual(await Array.fromAsync(db.scanAll()), []);
});

test("putMany() of items with the same key keeps the last, on every kind of table", async () => {
  await using db = await Database.memory();
  const table = await db.createTable("things", { partitionKey: { name: "id", type: "S" } }, {
    globalIndexes: [{ name: "by_g", partitionKey: { name: "g", type: "S" } }],
    stream: { viewType: "NEW_IMAGE" },
  });
  await db.putMany([{ pk: "a", v: 1 }, { pk: "b", v: 1 }, { pk: "a", v: 2 }]);
  assert.deepEqual(await Array.fromAsync(db.scanAll()), [{ pk: "a", v: 2 }, { pk: "b", v: 1 }]);
  await db.flush();
  assert.deepEqual(await db.get("a"), { pk: "a", v: 2 }, "and so after a flush");
  await table.putMany([{ id: "x", g: "old" }, { id: "y", g: "old" }, { id: "x", g: "new" }]);
  const byG = async (g: string) =>
    (await Array.fromAsync(table.queryAll({
      indexName: "by_g",
      keyConditionExpression: "g = :g",
      expressionAttributeValues: { ":g": g },
    }))).map((item) => item.id);
  assert.deepEqual([await byG("old"), await byG("new")], [["y"], ["x"]]);
  const { records } = await table.readStream();
  assert.deepEqual(records.map((r) => [r.keys.id, r.newImage?.g]), [["y", "old"], ["x", "new"]]);
});

test("putMany() of nothing commits nothing", async () => {
  await using db = await Database.memory();
  const before = (await db.stats()).operations.batches;
  await db.putMany([]);
  assert.equal((await db.stats()).operations.batches, before);
});

test("putMany() on a table with an index and a stream writes entries and records in the same commit", async () => {
  await using db = await Database.memory();
  const table = await db.createTable("orders", { partitionKey: { name: "id", type: "S" } }, {
    globalIndexes: [{ name: "by_customer", partitionKey: { name: "customer", type: "S" } }],
    stream: { viewType: "NEW_AND_OLD_IMAGES" },
  });
  await table.put({ id: "o0", customer: "c9", total: 1 });
  const items = Array.from(
    { length: 50 },
    (_, i) => ({ id: `o${i}`, customer: `c${i % 4}`, total: i }),
  );
  await table.putMany(items);
  const byCustomer = await Array.fromAsync(table.queryAll({
    indexName: "by_customer",
    keyConditionExpression: "customer = :c",
    expressionAttributeValues: { ":c": "c1" },
  }));
  assert.deepEqual(
    byCustomer.map((item) => item.id).sort(),
    items.filter((_, i) => i % 4 === 1).map((i) => i.id).sort(),
  );
  assert.deepEqual(
    await Array.fromAsync(table.queryAll({
      indexName: "by_customer",
      keyConditionExpression: "customer = :c",
      expressionAttributeValues: { ":c": "c9" },
    })),
    [],
    "o0's old index entry is gone",
  );
  const { records } = await table.readStream();
  assert.equal(records.length, 51);
  const replaced = records.find((r) => r.keys.id === "o0" && r.eventName === "MODIFY");
  assert.deepEqual(replaced?.oldImage, { id: "o0", customer: "c9", total: 1 });
  // The 50 records of the batch share its commit's LSN, the first 16 digits of their numbers.
  assert.equal(new Set(records.slice(1).map((r) => r.sequenceNumber.slice(0, 16))).size, 1);
});

test("putMany() too large for one WAL record fails with a validation error and writes nothing", async () => {
  await using db = await Database.memory();
  const pad = "x".repeat(390_000);
  const count = Math.ceil(WAL_MAX_PAYLOAD / pad.length) + 1;
  const items = Array.from({ length: count }, (_, i) => ({ pk: `p${i}`, pad }));
  await assert.rejects(db.putMany(items), {
    code: "VALIDATION",
    message: /too many to commit atomically.*over the WAL record limit of 67108864 bytes/,
  });
  assert.deepEqual(await Array.fromAsync(db.scanAll()), []);
  await db.putMany(items.slice(0, 100));
  assert.equal((await Array.fromAsync(db.scanAll())).length, 100);
});

test("putMany() interrupted by a crash leaves all of its items or none (seeded power cuts)", async () => {
  const items = mixedItems(300);
  const outcomes = new Set<number>();
  for (let seed = 1; seed <= 40; seed++) {
    // A power cut just after the batch's WAL write (keeping a random part of the unsynced
    // bytes), or just after its fdatasync: then every item must be there.
    const afterSync = seed % 4 === 0;
    let armed = false;
    let after: MemoryFileSystem | undefined;
    const fs: MemoryFileSystem = new MemoryFileSystem({
      onOperation: (operation) => {
        if (!armed || after !== undefined || !operation.path.endsWith("wal.log")) return;
        if ((operation.kind === "sync") === afterSync) {
          after = fs.crash({ seed, keepUnsynced: (seed % 3) / 2 });
        }
      },
    });
    const db = await Database.create(DIR, { fs });
    await db.put("before", { v: 1 });
    armed = true;
    await db.putMany(items);
    await db.close();
    assert.ok(after !== undefined, `seed ${seed}: the WAL was written`);
    await using reopened = await Database.open(DIR, { fs: after });
    const found = await Array.fromAsync(reopened.scanAll());
    assert.deepEqual(
      found.find((item) => item.pk === "before"),
      { pk: "before", v: 1 },
      `seed ${seed}`,
    );
    const loaded = found.length - 1;
    if (afterSync) assert.equal(loaded, items.length, `seed ${seed}: durable, so all there`);
    else assert.ok(loaded === 0 || loaded === items.length, `seed ${seed}: ${loaded} items`);
    outcomes.add(loaded);
  }
  assert.deepEqual([...outcomes].sort((a, b) => a - b), [0, items.length]);
});
