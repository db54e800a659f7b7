import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, type Item, MemoryFileSystem } from "../../../mod.ts";
import { HandleCountingFileSystem } from "../../helpers/memory_fs_tools.ts";

const DIR = "/data/snap.keystone";

/** A database whose default table holds `count` items of partition `p`, spread over three SSTs and the memtable. */
async function layered(count: number) {
  const db = await Database.create(DIR, { fs: new MemoryFileSystem(), autoCompact: false });
  const expected = new Map<string, number>();
  for (let round = 0; round < 4; round++) {
    for (let i = round; i < count; i += round + 1) {
      const sk = `item#${String(i).padStart(4, "0")}`;
      await db.put({ pk: "p", sk }, { round });
      expected.set(sk, round);
    }
    if (round < 3) await db.flush();
  }
  return { db, expected };
}

/** Rewrites, deletes and adds items of partition `p`, flushes and compacts. */
async function churn(db: Database, count: number) {
  for (let i = 0; i < count; i++) {
    const sk = `item#${String(i).padStart(4, "0")}`;
    if (i % 3 === 0) await db.delete({ pk: "p", sk });
    else await db.put({ pk: "p", sk }, { round: 99 });
  }
  await db.put({ pk: "p", sk: "item#0000a" }, { round: 99 });
  await db.flush();
  await db.compact();
  const stats = await db.stats();
  assert.ok(
    stats.compaction.total_compactions >= 1,
    "a compaction ran while the iterator was open",
  );
}

function summary(items: Item[]): [string, number][] {
  return items.map((item) => [item.sk as string, item.round as number]);
}

test("Database.queryPages() keeps returning its snapshot through writes, flushes and compactions", async () => {
  const { db, expected } = await layered(400);
  const iterator = db.queryPages({
    keyConditionExpression: "pk = :p",
    expressionAttributeValues: { ":p": "p" },
    limit: 60,
  });
  const seen: Item[] = [];
  const first = await iterator.next();
  assert.equal(first.done, false);
  seen.push(...(first.value as { items: Item[] }).items);
  await churn(db, 400);
  for await (const page of iterator) seen.push(...page.items);
  assert.deepEqual(summary(seen), [...expected].sort(([a], [b]) => (a < b ? -1 : 1)));
  const now = await Array.fromAsync(
    db.queryAll({ keyConditionExpression: "pk = :p", expressionAttributeValues: { ":p": "p" } }),
  );
  assert.equal(now.length, 400 - Math.ceil(400 / 3) + 1, "a new iteration sees the churn");
  await db.close();
});

test("Database.scanAll() keeps returning its snapshot through writes, flushes and compactions", async () => {
  const { db, expected } = await layered(300);
  const iterator = db.scanAll({ limit: 25 });
  const seen: Item[] = [];
  const first = await iterator.next();
  seen.push(first.value as Item);
  await churn(db, 300);
  for await (const item of iterator) seen.push(item);
  assert.deepEqual(new Map(summary(seen)), expected);
  assert.equal(seen.length, expected.size);
  await db.close();
});

test("Database.queryPages() released its snapshot: the SSTs a compaction replaced are closed after the loop", async () => {
  const fs = new HandleCountingFileSystem(new MemoryFileSystem());
  await using db = await Database.create(DIR, { fs, autoCompact: false });
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 50; i++) await db.put({ pk: "p", sk: `item#${i}` }, { round });
    await db.flush();
  }
  const query = { keyConditionExpression: "pk = :p", expressionAttributeValues: { ":p": "p" } };
  const withThree = fs.openHandles;
  const held = db.queryPages({ ...query, limit: 10 });
  await held.next();
  await db.compact();
  assert.equal(fs.openHandles, withThree + 1, "the open iterator still reads the three old SSTs");
  await held.return(undefined);
  assert.equal(fs.openHandles, withThree - 2, "one SST is left, once the iterator is done");
  for await (const _page of db.queryPages({ ...query, limit: 10 })) break;
  for (let i = 0; i < 50; i++) await db.put({ pk: "p", sk: `item#${i}` }, { round: 3 });
  await db.flush();
  await db.compact();
  assert.equal(fs.openHandles, withThree - 2, "a loop left by break held nothing back");
});
