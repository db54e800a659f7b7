import { test } from "node:test";
import assert from "node:assert/strict";
import { Database } from "../../../engine/db/database.ts";

const KEYS = { partitionKey: { name: "id", type: "S" } } as const;

test("Table.streamRecords() yields the kept records, then waits and wakes for each new one", async () => {
  await using db = await Database.memory();
  const table = await db.createTable("events", KEYS, { stream: { viewType: "NEW_IMAGE" } });
  await table.put({ id: "a" });
  const records = table.streamRecords();
  assert.equal((await records.next()).value?.keys.id, "a");
  let settled = false;
  const next = records.next().then((result) => {
    settled = true;
    return result;
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(settled, false, "waits while there is no new record");
  await table.put({ id: "b" });
  assert.deepEqual((await next).value?.newImage, { id: "b" });
  await db.batchWrite({ events: [{ put: { id: "c" } }, { put: { id: "d" } }] });
  assert.equal((await records.next()).value?.keys.id, "c");
  assert.equal((await records.next()).value?.keys.id, "d");
  await records.return();
});

test("Table.streamRecords() from LATEST skips what was written before, from { after } resumes", async () => {
  await using db = await Database.memory();
  const table = await db.createTable("events", KEYS, { stream: { viewType: "KEYS_ONLY" } });
  await table.put({ id: "a" });
  await table.put({ id: "b" });
  const latest = table.streamRecords({ from: "LATEST" });
  const pending = latest.next();
  await table.put({ id: "c" });
  assert.equal((await pending).value?.keys.id, "c");
  const [a] = (await table.readStream({ limit: 1 })).records;
  const resumed = await Array.fromAsync(
    take(table.streamRecords({ from: { after: a!.sequenceNumber } }), 2),
  );
  assert.deepEqual(resumed.map((r) => r.keys.id), ["b", "c"]);
  const at = await Array.fromAsync(
    take(table.streamRecords({ from: { at: a!.sequenceNumber } }), 1),
  );
  assert.deepEqual(at.map((r) => r.keys.id), ["a"]);
  await latest.return();
});

test("Table.streamRecords() throws the abort reason when its signal aborts while waiting", async () => {
  await using db = await Database.memory();
  const table = await db.createTable("events", KEYS, { stream: { viewType: "KEYS_ONLY" } });
  const controller = new AbortController();
  const waiting = table.streamRecords({ signal: controller.signal }).next();
  controller.abort(new Error("stop watching"));
  await assert.rejects(waiting, /stop watching/);
  await assert.rejects(table.streamRecords({ signal: controller.signal }).next(), /stop watching/);
});

test("Table.streamRecords() ends when the database closes", async () => {
  const db = await Database.memory();
  const table = await db.createTable("events", KEYS, { stream: { viewType: "KEYS_ONLY" } });
  await table.put({ id: "a" });
  const records = table.streamRecords();
  assert.equal((await records.next()).value?.keys.id, "a");
  const waiting = records.next();
  await db.close();
  assert.deepEqual(await waiting, { done: true, value: undefined });
});

test("Table.streamRecords() on a table without a stream throws RESOURCE_NOT_FOUND", async () => {
  await using db = await Database.memory();
  const table = await db.createTable("plain", KEYS);
  assert.throws(() => table.streamRecords(), { code: "RESOURCE_NOT_FOUND" });
});

async function* take<T>(source: AsyncGenerator<T>, count: number): AsyncGenerator<T> {
  if (count === 0) return;
  for await (const value of source) {
    yield value;
    if (--count === 0) return;
  }
}
