import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, KstoneError, MemoryFileSystem, NumberValue } from "../../../mod.ts";

const DIR = "/data/mydb.keystone";

async function fresh(options = {}) {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs, ...options });
  return { fs, db };
}

test("Database.create() makes the seed's directory layout", async () => {
  const { fs, db } = await fresh();
  await db.put("user#123", { name: "Ada" });
  await db.flush();
  const names = (await fs.list(DIR)).sort();
  assert.ok(names.includes("wal.log"));
  assert.ok(names.includes("MANIFEST"));
  assert.ok(names.includes("125-1.sst"), `user#123 lives in stripe 125: ${names}`);
  const sst = await fs.readFile(`${DIR}/125-1.sst`);
  assert.deepEqual([...sst.subarray(0, 4)], [0x53, 0x53, 0x54, 0x4d]);
  await db.close();
});

test("Database.create() on an existing database fails with the seed's message", async () => {
  const { fs, db } = await fresh();
  await db.close();
  await assert.rejects(Database.create(DIR, { fs }), (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, "ALREADY_EXISTS");
    assert.equal(error.message, `Database already exists at ${DIR}`);
    return true;
  });
});

test("Database.open() of a missing directory fails with IO error (os error 2)", async () => {
  await assert.rejects(
    Database.open("/nowhere.keystone", { fs: new MemoryFileSystem() }),
    (error: unknown) => {
      assert.ok(error instanceof KstoneError);
      assert.equal(error.code, "IO_ERROR");
      assert.match(error.message, /^IO error: No such file or directory \(os error 2\)/);
      return true;
    },
  );
});

test("Database.put() and get() round-trip every value type", async () => {
  const { db } = await fresh();
  const item = {
    s: "text",
    n: 42.5,
    big: new NumberValue("12345678901234567890123456789012345678"),
    bool: true,
    nothing: null,
    bytes: new Uint8Array([1, 2, 3]),
    list: [1, "two", [3]],
    map: { nested: { deep: "yes" } },
    strings: new Set(["a", "b"]),
    numbers: new Set([1, 2]),
    blobs: new Set([new Uint8Array([9])]),
  };
  await db.put("user#1", item);
  assert.deepEqual(await db.get("user#1"), { pk: "user#1", ...item });
  await db.close();
});

test("Database.get() returns undefined for a missing item", async () => {
  const { db } = await fresh();
  assert.equal(await db.get("nobody"), undefined);
  await db.close();
});

test("Database.delete() hides the item, including after flush and reopen", async () => {
  const { fs, db } = await fresh();
  await db.put("k", { v: 1 });
  await db.flush();
  await db.delete("k");
  assert.equal(await db.get("k"), undefined);
  await db.close();
  const again = await Database.open(DIR, { fs });
  assert.equal(await again.get("k"), undefined);
  await again.close();
});

test("Database sort keys address separate items of one partition", async () => {
  const { db } = await fresh();
  await db.put("user#1", { kind: "root" });
  await db.put({ pk: "user#1", sk: "profile" }, { kind: "profile" });
  assert.equal((await db.get("user#1"))?.kind, "root");
  assert.equal((await db.get({ pk: "user#1", sk: "profile" }))?.kind, "profile");
  await db.close();
});

test("Database.put() rejects an item over 400 KB naming the limit and size", async () => {
  const { db } = await fresh();
  await assert.rejects(db.put("big", { blob: "x".repeat(410_000) }), (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, "VALIDATION");
    assert.match(error.message, /400 KB|409600/);
    return true;
  });
  assert.equal(await db.get("big"), undefined);
  await db.close();
});

test("Database.put() rejects a partition key over 2048 bytes", async () => {
  const { db } = await fresh();
  await assert.rejects(db.put("k".repeat(2049), {}), /2048/);
  await db.close();
});

test("Database data survives close and reopen, from the WAL or from SSTs", async () => {
  const { fs, db } = await fresh({ flushOnClose: false });
  for (let i = 0; i < 500; i++) await db.put(`user#${i}`, { i });
  await db.close();
  const again = await Database.open(DIR, { fs });
  for (let i = 0; i < 500; i++) assert.equal((await again.get(`user#${i}`))?.i, i);
  await again.flush();
  await again.close();
  const third = await Database.open(DIR, { fs });
  assert.equal((await third.get("user#77"))?.i, 77);
  const stats = await third.stats();
  assert.ok(stats.total_sst_files > 0);
  await third.close();
});

test("Database.compact() merges a stripe's SSTs and keeps the newest values", async () => {
  const { db } = await fresh({ autoCompact: false });
  for (let round = 0; round < 3; round++) {
    await db.put("user#123", { round });
    await db.put("gone", { round });
    await db.flush();
  }
  await db.delete("gone");
  await db.flush();
  let stats = await db.stats();
  assert.equal(stats.sst_files_per_stripe[125], 3);
  await db.compact();
  stats = await db.stats();
  assert.equal(stats.sst_files_per_stripe[125], 1);
  assert.equal(stats.compaction.total_compactions >= 1, true);
  assert.ok(stats.compaction.total_bytes_read > 0);
  assert.ok(stats.compaction.total_bytes_written > 0);
  assert.equal((await db.get("user#123"))?.round, 2);
  assert.equal(await db.get("gone"), undefined);
  await db.close();
});

test("Database compacts a stripe by itself once it holds sstThreshold SSTs", async () => {
  const { db } = await fresh({ sstThreshold: 3 });
  for (let round = 0; round < 3; round++) {
    await db.put("user#123", { round });
    await db.flush();
  }
  await db.compact();
  const stats = await db.stats();
  assert.equal(stats.sst_files_per_stripe[125], 1);
  await db.close();
});

test("Database.open() of a database open elsewhere fails with LOCKED naming the lock file", async () => {
  const { fs, db } = await fresh();
  await assert.rejects(Database.open(DIR, { fs }), (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, "LOCKED");
    assert.match(error.message, /LOCK/);
    return true;
  });
  await db.close();
  const again = await Database.open(DIR, { fs });
  await again.close();
});

test("Database operations after close() fail with CLOSED", async () => {
  const { db } = await fresh();
  await db.close();
  await assert.rejects(
    db.put("k", {}),
    (error: unknown) => error instanceof KstoneError && error.code === "CLOSED",
  );
});

test("Database.createTable() makes named tables that survive reopen", async () => {
  const { fs, db } = await fresh();
  const orders = await db.createTable("orders", {
    partitionKey: { name: "customer", type: "S" },
    sortKey: { name: "orderId", type: "N" },
  });
  await orders.put({ customer: "c1", orderId: 7, total: 12.5 });
  await assert.rejects(
    orders.put({ customer: "c1", orderId: "7" }),
    /Type mismatch for key orderId expected: N actual: S/,
  );
  await assert.rejects(orders.put({ customer: "c1" }), /Missing the key orderId/);
  await assert.rejects(
    db.createTable("orders", { partitionKey: { name: "x", type: "S" } }),
    /already exists/,
  );
  await db.close();
  const again = await Database.open(DIR, { fs });
  assert.deepEqual(again.listTables(), ["orders"]);
  assert.deepEqual(await again.table("orders").get({ customer: "c1", orderId: 7 }), {
    customer: "c1",
    orderId: 7,
    total: 12.5,
  });
  await again.deleteTable("orders");
  assert.throws(
    () => again.table("orders"),
    (error: unknown) => (error as KstoneError).code === "RESOURCE_NOT_FOUND",
  );
  await again.close();
});

test("Database.stats() reports operations, sizes and LSN", async () => {
  const { db } = await fresh();
  await db.put("a", { v: 1 });
  await db.get("a");
  await db.delete("a");
  const stats = await db.stats();
  assert.equal(stats.operations.puts, 1);
  assert.equal(stats.operations.gets, 1);
  assert.equal(stats.operations.deletes, 1);
  assert.equal(stats.last_lsn, 2, "gets take no LSN");
  assert.ok(stats.wal_size_bytes > 0);
  assert.ok(stats.total_disk_size_bytes >= stats.wal_size_bytes);
  assert.equal(stats.sst_files_per_stripe.length, 256);
  await db.close();
});

test("Database.health() is healthy on a fresh database", async () => {
  const { db } = await fresh();
  assert.deepEqual(db.health(), { status: "healthy", warnings: [], errors: [] });
  await db.close();
});

test("Database.put() and delete() on the default table honour conditions and return values", async () => {
  const { db } = await fresh();
  await db.put("user#1", { v: 1 }, { conditionExpression: "attribute_not_exists(pk)" });
  await assert.rejects(
    db.put("user#1", { v: 2 }, { conditionExpression: "attribute_not_exists(pk)" }),
    (error: unknown) => (error as KstoneError).code === "CONDITIONAL_CHECK_FAILED",
  );
  const old = await db.put("user#1", { v: 3 }, { returnValues: "ALL_OLD" });
  assert.deepEqual(old, { pk: "user#1", v: 1 });
  await assert.rejects(
    db.delete("user#1", { conditionExpression: "v = :v", expressionAttributeValues: { ":v": 9 } }),
    (error: unknown) => (error as KstoneError).code === "CONDITIONAL_CHECK_FAILED",
  );
  assert.deepEqual(await db.delete("user#1", { returnValues: "ALL_OLD" }), { pk: "user#1", v: 3 });
  assert.deepEqual(await db.get("user#1", {}), undefined);
  await db.close();
});
