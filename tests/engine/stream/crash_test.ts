import { test } from "node:test";
import assert from "node:assert/strict";
import { Database } from "../../../engine/db/database.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import type { StreamChange } from "../../../engine/db/stream_api.ts";
import type { Item } from "../../../engine/db/table.ts";
import { SMALL_OPTIONS } from "../../helpers/crash_campaign.ts";

const DIR = "/data/stream.keystone";
const KEYS = { partitionKey: { name: "id", type: "S" } } as const;
const WRITES = 160;

/** Write i: a put of a fresh value, or every fourth a delete of a key that exists then. */
function workload(): { key: string; item: Item | undefined }[] {
  const writes: { key: string; item: Item | undefined }[] = [];
  const live = new Set<string>();
  for (let i = 0; i < WRITES; i++) {
    const key = `k${(i * 7) % 11}`;
    if (i % 4 === 3 && live.has(key)) {
      writes.push({ key, item: undefined });
      live.delete(key);
    } else {
      writes.push({ key, item: { id: key, v: i, pad: "x".repeat(200) } });
      live.add(key);
    }
  }
  return writes;
}

test("stream after a power cut: every acknowledged write has exactly one record, and no record outlives its change", async () => {
  const writes = workload();
  const clones: { fs: MemoryFileSystem; acked: number; at: number }[] = [];
  let acked = 0;
  let tableReady = false;
  const fs = new MemoryFileSystem({
    onOperation(operation) {
      if (tableReady && operation.count % 5 === 0) {
        clones.push({
          fs: fs.crash({ seed: operation.count, keepUnsynced: 0.5 }),
          acked,
          at: operation.count,
        });
      }
    },
  });
  const db = await Database.create(DIR, { fs, ...SMALL_OPTIONS });
  const table = await db.createTable("events", KEYS, { stream: { viewType: "NEW_IMAGE" } });
  tableReady = true;
  for (const write of writes) {
    if (write.item === undefined) await table.delete({ id: write.key });
    else await table.put(write.item);
    acked++;
  }
  await db.close();
  assert.ok(clones.length >= 20, `only ${clones.length} crash points`);

  for (const { fs: clone, acked, at } of clones) {
    const where = `crash at operation ${at} (${acked} writes acknowledged)`;
    const recovered = await Database.open(DIR, { fs: clone, ...SMALL_OPTIONS });
    const events = recovered.table("events");
    const records: StreamChange[] = [];
    for (
      let page = await events.readStream();
      page.records.length > 0;
      page = await events.readStream({ after: page.last })
    ) {
      records.push(...page.records);
    }
    // The records are exactly the first N writes, N at least the acknowledged ones.
    assert.ok(records.length >= acked, `${where}: ${records.length} records`);
    assert.ok(records.length <= writes.length, where);
    const model = new Map<string, Item>();
    records.forEach((record, i) => {
      const write = writes[i]!;
      assert.deepEqual(record.keys, { id: write.key }, `${where}: record ${i}`);
      assert.equal(
        record.eventName,
        write.item === undefined ? "REMOVE" : model.has(write.key) ? "MODIFY" : "INSERT",
        `${where}: record ${i}`,
      );
      assert.deepEqual(record.newImage, write.item, `${where}: record ${i}`);
      if (write.item === undefined) model.delete(write.key);
      else model.set(write.key, write.item);
    });
    const sequences = records.map((r) => r.sequenceNumber);
    assert.ok(sequences.every((s, i) => i === 0 || s > sequences[i - 1]!), `${where}: order`);
    // The table holds what those writes left, no more and no less.
    const items = await Array.fromAsync(events.scanAll());
    const expected = [...model.values()];
    assert.deepEqual(
      items.sort((a, b) => String(a.id).localeCompare(String(b.id))),
      expected.sort((a, b) => String(a.id).localeCompare(String(b.id))),
      where,
    );
    // Numbering goes on after the recovered records.
    await events.put({ id: "after-crash" });
    const last = (await events.readStream({ after: sequences.at(-1) })).records;
    assert.deepEqual(last.map((r) => r.keys.id), ["after-crash"], where);
    await recovered.close();
  }
});
