/**
 * Power cuts during a workload on a table with a local index, two global indexes, a stream and
 * time to live: after every recovery the table, its indexes and its stream agree.
 *
 * The workload mixes puts, updates, deletes, two-item transactions, batch writes, TTL sweeps,
 * flushes and compactions, several in flight at once, under an injected clock that expires
 * items. At sampled points the filesystem is cloned as a power cut would leave it. Each clone
 * must open and hold:
 *
 * - indexes equal to a recomputation from the table's stored items;
 * - a stream whose records, replayed in order from nothing, rebuild exactly the stored items,
 *   each record's old image being the item as the previous records left it (so no record is
 *   lost, duplicated or reordered), with increasing sequence numbers;
 * - a record for every acknowledged put and update (its unique token in the new image);
 * - service (TTL) removals only of items expired by then.
 *
 * `KSTONE_DERIVED_CRASH_POINTS` raises the number of crash points (default 40);
 * `KSTONE_SEED` replays a run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Database } from "../../../engine/db/database.ts";
import type { StreamChange } from "../../../engine/db/stream_api.ts";
import type { Item } from "../../../engine/db/table.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { unmarshallItem } from "../../../engine/model/marshall.ts";
import { SMALL_OPTIONS } from "../../helpers/crash_campaign.ts";
import {
  actualTableIndexEntries,
  expectedIndexEntries,
  storedItems,
} from "../../helpers/index_model.ts";
import { baseSeed, envCount, Rng } from "../../helpers/random.ts";

const DIR = "/data/derived.keystone";
const START = Date.UTC(2026, 0, 1);
const KEYS = {
  partitionKey: { name: "id", type: "S" },
  sortKey: { name: "n", type: "N" },
} as const;
const TABLE_OPTIONS = {
  localIndexes: [{
    name: "byScore",
    sortKey: { name: "score", type: "N" },
    projection: { type: "KEYS_ONLY" },
  }],
  globalIndexes: [
    {
      name: "byGroup",
      partitionKey: { name: "group", type: "S" },
      sortKey: { name: "score", type: "N" },
      projection: { type: "INCLUDE", nonKeyAttributes: ["token"] },
    },
    { name: "byTag", partitionKey: { name: "tag", type: "S" } },
  ],
  stream: { viewType: "NEW_AND_OLD_IMAGES" },
  ttl: { attributeName: "exp" },
} as const;

interface Clone {
  fs: MemoryFileSystem;
  /** Tokens of the puts and updates acknowledged when the power was cut. */
  acked: number[];
  /** The clock then. */
  nowMs: number;
  at: number;
}

const rowKey = (item: Item) => `${String(item.id)}|${String(item.n)}`;
const byKey = (a: Item, b: Item) => rowKey(a).localeCompare(rowKey(b));

/** What the clones held, in total: proof the checks had something to check. */
interface Checked {
  clones: number;
  records: number;
  entries: number;
  serviceRemovals: number;
}

async function runCampaign(seed: number, points: number): Promise<Checked> {
  const rng = new Rng(seed);
  const sampler = new Rng(seed ^ 0x2545f491);
  let nowMs = START;
  const acked: number[] = [];
  const clones: Clone[] = [];
  let armed = false;
  let seen = 0;
  const fs = new MemoryFileSystem({
    onOperation(operation) {
      if (!armed) return;
      seen++;
      const slot = clones.length < points ? clones.length : sampler.int(seen);
      if (slot >= points) return;
      clones[slot] = {
        fs: fs.crash({ seed: sampler.int(2 ** 31), keepUnsynced: sampler.pick([0, 0.5, 1]) }),
        acked: [...acked],
        nowMs,
        at: operation.count,
      };
    },
  });
  const clock = () => nowMs;
  const options = { ...SMALL_OPTIONS, ttlSweepIntervalMs: 0 };
  const db = await Database.create(DIR, { fs, clock, ...options });
  const table = await db.createTable("things", KEYS, TABLE_OPTIONS);
  armed = true;

  const ids = Array.from({ length: 12 }, (_, i) => `id${i}`);
  let token = 0;
  const randomKey = () => ({ id: rng.pick(ids), n: rng.int(3) });
  const randomItem = (): Item => {
    const item: Item = { ...randomKey(), token: ++token, pad: "p".repeat(rng.int(120)) };
    if (rng.chance(0.8)) item.score = rng.int(50);
    if (rng.chance(0.6)) item.group = rng.pick(["a", "b", "c"]);
    if (rng.chance(0.5)) item.tag = rng.pick(["x", "y"]);
    if (rng.chance(0.3)) item.exp = Math.floor(nowMs / 1000) + rng.int(40);
    return item;
  };
  const inFlight = new Set<Promise<void>>();
  const issue = (work: Promise<unknown>, tokens: number[]) => {
    const done: Promise<void> = work.then(
      () => void acked.push(...tokens),
      (error: unknown) => {
        // A transaction may be cancelled by nothing here (no conditions), so any error is a bug.
        throw new Error(`write failed (seed ${seed}): ${String(error)}`);
      },
    ).finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  for (let step = 0; step < 300; step++) {
    nowMs += rng.int(4) * 1000;
    const roll = rng.int(100);
    if (roll < 35) {
      const item = randomItem();
      issue(table.put(item), [item.token as number]);
    } else if (roll < 55) {
      const t = ++token;
      const key = randomKey();
      const clauses = rng.chance(0.5) ? " REMOVE #g" : "";
      issue(
        table.update(key, {
          updateExpression: `SET #t = :t, score = :s${clauses}`,
          expressionAttributeNames: { "#t": "token", ...(clauses ? { "#g": "group" } : {}) },
          expressionAttributeValues: { ":t": t, ":s": rng.int(50) },
        }),
        [t],
      );
    } else if (roll < 68) {
      issue(table.delete(randomKey()), []);
    } else if (roll < 78) {
      const first = randomItem();
      let second = randomItem();
      while (rowKey(second) === rowKey(first)) second = randomItem();
      issue(
        db.transactWrite([
          { put: { tableName: "things", item: first } },
          { delete: { tableName: "things", key: { id: second.id, n: second.n } } },
        ]),
        [first.token as number],
      );
    } else if (roll < 88) {
      const puts = new Map<string, Item>();
      for (let i = 0; i < 3; i++) {
        const item = randomItem();
        puts.set(rowKey(item), item);
      }
      issue(
        db.batchWrite({ things: [...puts.values()].map((item) => ({ put: item })) }),
        [...puts.values()].map((item) => item.token as number),
      );
    } else if (roll < 93) {
      issue(db.sweepExpired(), []);
    } else if (roll < 97) {
      issue(db.flush(), []);
    } else {
      issue(db.compact(), []);
    }
    if (inFlight.size >= 4 || rng.chance(0.3)) await Promise.race(inFlight);
  }
  while (inFlight.size > 0) await Promise.all(inFlight);
  armed = false;
  await db.close();

  const checked: Checked = { clones: 0, records: 0, entries: 0, serviceRemovals: 0 };
  for (const clone of clones) {
    const found = await checkClone(clone, `seed ${seed}, crash at operation ${clone.at}`, options);
    checked.clones++;
    checked.records += found.records;
    checked.entries += found.entries;
    checked.serviceRemovals += found.serviceRemovals;
  }
  return checked;
}

async function checkClone(
  clone: Clone,
  where: string,
  options: object,
): Promise<Omit<Checked, "clones">> {
  const db = await Database.open(DIR, { fs: clone.fs, clock: () => clone.nowMs, ...options });
  try {
    const store = db.apiContext().store;
    const table = db.apiContext().table("things");
    const stored = storedItems(store, table.id);
    const entries = actualTableIndexEntries(store, table);
    assert.deepEqual(
      entries,
      expectedIndexEntries(stored, table),
      `${where}: indexes disagree with the table`,
    );

    const records: StreamChange[] = [];
    const things = db.table("things");
    for (
      let page = await things.readStream();
      page.records.length > 0;
      page = await things.readStream({ after: page.last })
    ) {
      records.push(...page.records);
    }
    const replayed = new Map<string, Item>();
    let previous = "";
    for (const record of records) {
      assert.ok(record.sequenceNumber > previous, `${where}: sequence numbers out of order`);
      previous = record.sequenceNumber;
      const key = rowKey(record.keys);
      assert.deepEqual(record.oldImage, replayed.get(key), `${where}: old image of ${key}`);
      if (record.userIdentity !== undefined) {
        assert.equal(record.eventName, "REMOVE", where);
        const exp = record.oldImage?.exp;
        assert.ok(
          typeof exp === "number" && exp * 1000 <= clone.nowMs,
          `${where}: TTL removed ${key} before it expired`,
        );
      }
      if (record.newImage === undefined) replayed.delete(key);
      else replayed.set(key, record.newImage);
    }
    assert.deepEqual(
      [...replayed.values()].sort(byKey),
      stored.map((item) => unmarshallItem(item)).sort(byKey),
      `${where}: the stream does not rebuild the table`,
    );

    const recorded = new Set(records.map((record) => record.newImage?.token));
    const lost = clone.acked.filter((token) => !recorded.has(token));
    assert.deepEqual(lost, [], `${where}: acknowledged writes without a record`);
    const serviceRemovals = records.filter((record) => record.userIdentity !== undefined).length;
    return { records: records.length, entries: entries.length, serviceRemovals };
  } finally {
    await db.close();
  }
}

test("a power cut leaves a table, its indexes and its stream in agreement", async () => {
  const seed = baseSeed("derived-crash");
  const points = envCount("KSTONE_DERIVED_CRASH_POINTS", 40);
  const checked = await runCampaign(seed, points);
  assert.ok(checked.clones >= Math.min(points, 20), `only ${checked.clones} crash points`);
  assert.ok(
    checked.records > 0 && checked.entries > 0,
    `nothing to check: ${JSON.stringify(checked)}`,
  );
  assert.ok(checked.serviceRemovals > 0, `no TTL removal was checked: ${JSON.stringify(checked)}`);
});
