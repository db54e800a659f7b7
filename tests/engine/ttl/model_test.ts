/**
 * The engine against a model, with time to live, a stream and a global index at once, under an
 * injected clock: random puts, updates, deletes, transactions, sweeps, flushes and reopens, and
 * after every step the reads, the index and the stream are exactly what the model says.
 *
 * The model is a map of stored items (expired ones included, until a sweep or a write removes
 * them) and the list of stream records DynamoDB's rules give, as kstone applies them:
 * an expired item is invisible at once; a write over it, or a delete of it, first records its
 * removal as the service's, then the write's own change; a write that changes nothing records
 * nothing; a sweep removes every expired item as the service.
 *
 * `KSTONE_SEED` replays a run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, type Item, MemoryFileSystem } from "../../../mod.ts";
import type { StreamChange } from "../../../engine/db/stream_api.ts";
import { MAX_EXPIRY_AGE_SECONDS } from "../../../engine/ttl/expiry.ts";
import { baseSeed, Rng } from "../../helpers/random.ts";

const DIR = "/data/ttl-model.keystone";
const STEPS = 400;
const KEYS = { partitionKey: { name: "id", type: "S" } } as const;
const OPTIONS = {
  globalIndexes: [{
    name: "byColor",
    partitionKey: { name: "color", type: "S" },
    sortKey: { name: "id", type: "S" },
    projection: { type: "KEYS_ONLY" },
  }],
  stream: { viewType: "NEW_AND_OLD_IMAGES" },
  ttl: { attributeName: "exp" },
} as const;
const SERVICE = { type: "Service", principalId: "dynamodb.amazonaws.com" };

/** A stream record as the model predicts it. */
interface Expected {
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  keys: Item;
  newImage?: Item;
  oldImage?: Item;
  service: boolean;
}

/** Item equality that ignores attribute order. */
function same(a: Item, b: Item): boolean {
  const sorted = (item: Item) =>
    JSON.stringify(Object.entries(item).sort(([x], [y]) => x < y ? -1 : 1));
  return sorted(a) === sorted(b);
}

class Model {
  readonly stored = new Map<string, Item>();
  readonly records: Expected[] = [];

  constructor(readonly now: () => number) {}

  expired(item: Item): boolean {
    const exp = item.exp;
    const seconds = this.now() / 1000;
    return typeof exp === "number" && exp <= seconds && exp >= seconds - MAX_EXPIRY_AGE_SECONDS;
  }

  visible(id: string): Item | undefined {
    const item = this.stored.get(id);
    return item === undefined || this.expired(item) ? undefined : item;
  }

  /** Applies a write whose result, given the visible item, is `next`. */
  write(id: string, next: Item | undefined): void {
    const stored = this.stored.get(id);
    const keys = { id };
    let old = stored;
    if (stored !== undefined && this.expired(stored)) {
      this.records.push({ eventName: "REMOVE", keys, oldImage: stored, service: true });
      old = undefined;
    }
    if (old === undefined && next !== undefined) {
      this.records.push({ eventName: "INSERT", keys, newImage: next, service: false });
    } else if (old !== undefined && next === undefined) {
      this.records.push({ eventName: "REMOVE", keys, oldImage: old, service: false });
    } else if (old !== undefined && next !== undefined && !same(old, next)) {
      this.records.push({
        eventName: "MODIFY",
        keys,
        newImage: next,
        oldImage: old,
        service: false,
      });
    }
    if (next === undefined) this.stored.delete(id);
    else this.stored.set(id, next);
  }

  /** A sweep: every expired item goes, as the service's removal (in key order). */
  sweep(): void {
    for (const id of [...this.stored.keys()].sort()) {
      const item = this.stored.get(id)!;
      if (!this.expired(item)) continue;
      this.records.push({ eventName: "REMOVE", keys: { id }, oldImage: item, service: true });
      this.stored.delete(id);
    }
  }
}

function predicted(record: StreamChange): Expected {
  const out: Expected = {
    eventName: record.eventName,
    keys: record.keys,
    service: record.userIdentity !== undefined,
  };
  if (record.newImage !== undefined) out.newImage = record.newImage;
  if (record.oldImage !== undefined) out.oldImage = record.oldImage;
  if (record.userIdentity !== undefined) assert.deepEqual(record.userIdentity, SERVICE);
  return out;
}

/** Sweeps remove in the engine's order (by stripe); compare each sweep's run by key. */
function normalise(records: Expected[], sweeps: Set<number>): Expected[] {
  const out = [...records];
  for (const start of sweeps) {
    let end = start;
    while (end < out.length && out[end]!.service && out[end]!.eventName === "REMOVE") end++;
    const run = out.slice(start, end).sort((a, b) =>
      String(a.keys.id) < String(b.keys.id) ? -1 : 1
    );
    out.splice(start, run.length, ...run);
  }
  return out;
}

test("reads, a global index and the stream follow the model through expiry, sweeps and reopens", async () => {
  const seed = baseSeed("ttl-model");
  const rng = new Rng(seed);
  let nowMs = Date.UTC(2026, 5, 1);
  const clock = () => nowMs;
  const fs = new MemoryFileSystem();
  const open = { fs, clock, ttlSweepIntervalMs: 0, maxStripeRecords: 16 };
  let db = await Database.create(DIR, open);
  await db.createTable("things", KEYS, OPTIONS);
  const model = new Model(clock);
  const sweepsAt = new Set<number>();
  const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
  const expiry = () => {
    const seconds = Math.floor(nowMs / 1000);
    return rng.pick([
      seconds + rng.int(30),
      seconds - rng.int(5),
      seconds - MAX_EXPIRY_AGE_SECONDS - 100,
    ]);
  };
  const randomItem = (id: string): Item => {
    const item: Item = { id, v: rng.int(4) };
    if (rng.chance(0.6)) item.color = rng.pick(["red", "blue"]);
    if (rng.chance(0.5)) item.exp = expiry();
    return item;
  };

  for (let step = 0; step < STEPS; step++) {
    nowMs += rng.int(6) * 1000;
    const things = db.table("things");
    const id = rng.pick(ids);
    const roll = rng.int(100);
    const where = `seed ${seed}, step ${step}`;
    if (roll < 35) {
      const item = randomItem(id);
      await things.put(item);
      model.write(id, item);
    } else if (roll < 55) {
      const v = rng.int(4);
      const exp = expiry();
      await things.update({ id }, {
        updateExpression: "SET v = :v, exp = :e",
        expressionAttributeValues: { ":v": v, ":e": exp },
      });
      model.write(id, { ...(model.visible(id) ?? { id }), v, exp });
    } else if (roll < 70) {
      await things.delete({ id });
      model.write(id, undefined);
    } else if (roll < 78) {
      const other = rng.pick(ids.filter((x) => x !== id));
      const item = randomItem(id);
      await db.transactWrite([
        { put: { tableName: "things", item } },
        { delete: { tableName: "things", key: { id: other } } },
      ]);
      model.write(id, item);
      model.write(other, undefined);
    } else if (roll < 86) {
      sweepsAt.add(model.records.length);
      await db.sweepExpired();
      model.sweep();
    } else if (roll < 92) {
      await db.flush();
    } else {
      await db.close();
      db = await Database.open(DIR, open);
    }

    // Reads see exactly the unexpired items.
    const table = db.table("things");
    for (const key of ids) {
      assert.deepEqual(await table.get({ id: key }), model.visible(key), `${where}: get ${key}`);
    }
    const visible = ids.map((key) => model.visible(key)).filter((item) => item !== undefined);
    const scanned = await Array.fromAsync(table.scanAll());
    assert.deepEqual(
      scanned.sort((a, b) => String(a.id) < String(b.id) ? -1 : 1),
      visible,
      `${where}: scan`,
    );
    for (const color of ["red", "blue"]) {
      const page = await table.query({
        indexName: "byColor",
        keyConditionExpression: "color = :c",
        expressionAttributeValues: { ":c": color },
      });
      assert.deepEqual(
        page.items,
        visible.filter((item) => item.color === color).map((item) => ({ id: item.id, color })),
        `${where}: index ${color}`,
      );
    }
  }

  const records: StreamChange[] = [];
  const things = db.table("things");
  for (let page = await things.readStream(); page.records.length > 0;) {
    records.push(...page.records);
    page = await things.readStream({ after: page.last });
  }
  assert.ok(model.records.some((record) => record.service), `seed ${seed}: no TTL removal`);
  assert.deepEqual(
    normalise(records.map(predicted), sweepsAt),
    normalise(model.records, sweepsAt),
    `seed ${seed}: the stream`,
  );
  await db.close();
});
