// Model-based randomized tests: the engine and a plain Map receive the same seeded stream of
// writes, flushes, compactions, snapshots and reopens, and must always read the same.
// KSTONE_SEED replays a run; KSTONE_MODEL_STEPS sets its length (default 2,000).
import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesToLatin1, latin1ToBytes } from "../../../engine/codec/bytes.ts";
import { Database } from "../../../engine/db/database.ts";
import type { Item } from "../../../engine/db/table.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { createStore, openStore } from "../../../engine/store/open.ts";
import type { StoreOptions } from "../../../engine/store/options.ts";
import type { Snapshot, Store } from "../../../engine/store/store.ts";
import { baseSeed, envCount, Rng } from "../../helpers/random.ts";

const DIR = "/data/model.keystone";
const STEPS = envCount("KSTONE_MODEL_STEPS", 2000);
const STRIPES = [0, 3, 42, 125, 200, 255];

/** The model: per stripe, key (latin1) to value. */
type Model = Map<number, Map<string, Uint8Array>>;

function copyModel(model: Model): Model {
  return new Map([...model].map(([stripe, keys]) => [stripe, new Map(keys)]));
}

function hex(bytes: Uint8Array | undefined): string {
  return bytes === undefined
    ? "absent"
    : Array.from(bytes.subarray(0, 16), (b) => b.toString(16)).join("");
}

/** The model's entries of a stripe within `[start, end)`, in order. */
function modelRange(
  keys: Map<string, Uint8Array>,
  start: string | undefined,
  end: string | undefined,
  reverse: boolean,
): [string, Uint8Array][] {
  const entries = [...keys].filter(([key]) =>
    (start === undefined || key >= start) && (end === undefined || key < end)
  );
  entries.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return reverse ? entries.reverse() : entries;
}

function storeRange(
  read: (
    stripe: number,
    options: { start?: Uint8Array; end?: Uint8Array; reverse?: boolean },
  ) => Iterable<{ key: string; value: Uint8Array }>,
  stripe: number,
  start: string | undefined,
  end: string | undefined,
  reverse: boolean,
): [string, Uint8Array][] {
  const options: { start?: Uint8Array; end?: Uint8Array; reverse?: boolean } = { reverse };
  if (start !== undefined) options.start = latin1ToBytes(start);
  if (end !== undefined) options.end = latin1ToBytes(end);
  return [...read(stripe, options)].map((entry) => [entry.key, entry.value]);
}

test(
  `Store matches a Map model through ${STEPS} random batches, flushes, compactions, snapshots and reopens`,
  {
    timeout: 600_000,
  },
  async () => {
    const seed = baseSeed("store model");
    const rng = new Rng(seed);
    const keyCount = 60 + rng.int(200);
    const keys = Array.from(
      { length: keyCount },
      (_, i) => `key:${(i * 7919 % 1000).toString().padStart(3, "0")}`,
    );
    const stripeOf = (key: string) => STRIPES[key.charCodeAt(6) % STRIPES.length]!;
    const options: StoreOptions = {
      memtableBudgetBytes: 64 * 1024,
      maxWalBytes: 64 * 1024,
      maxStripeRecords: rng.pick([8, 32]),
      sstThreshold: rng.pick([2, 3, 4]),
      blockSize: 256,
    };
    const fs = new MemoryFileSystem();
    let store: Store = await createStore(fs, DIR, options);
    const model: Model = new Map(STRIPES.map((stripe) => [stripe, new Map()]));
    const snapshots: { snapshot: Snapshot; model: Model }[] = [];
    const log: string[] = [`seed ${seed}; options ${JSON.stringify(options)}`];
    const pending: Promise<void>[] = [];
    let flushes = 0;
    let compactions = 0;
    const fail = (message: string) =>
      assert.fail(
        `${message}\nseed ${seed} (replay with KSTONE_SEED=${seed})\n${log.slice(-40).join("\n")}`,
      );

    const checkRange = (
      read: Parameters<typeof storeRange>[0],
      keysOf: Map<string, Uint8Array>,
      stripe: number,
      what: string,
    ) => {
      const a = rng.chance(0.3) ? undefined : rng.pick(keys);
      const b = rng.chance(0.3) ? undefined : rng.pick(keys);
      const [start, end] = a !== undefined && b !== undefined && b < a ? [b, a] : [a, b];
      const reverse = rng.chance(0.5);
      const got = storeRange(read, stripe, start, end, reverse);
      const want = modelRange(keysOf, start, end, reverse);
      const show = (entries: [string, Uint8Array][]) =>
        entries.map(([k, v]) => `${k}=${hex(v)}`).join(" ");
      if (show(got) !== show(want)) {
        fail(
          `${what} range of stripe ${stripe} [${start}, ${end}) reverse ${reverse}:\n` +
            `  store ${show(got)}\n  model ${show(want)}`,
        );
      }
    };

    for (let step = 0; step < STEPS; step++) {
      const r = rng.next();
      if (r < 0.45) {
        const batch = [];
        const used = new Set<string>();
        for (let n = 1 + rng.int(rng.chance(0.2) ? 6 : 1); n > 0; n--) {
          const key = rng.pick(keys);
          if (used.has(key)) continue;
          used.add(key);
          const value = rng.chance(0.25)
            ? null
            : Uint8Array.from({ length: rng.int(300) }, () => rng.int(256));
          batch.push({ stripe: stripeOf(key), key: latin1ToBytes(key), value });
        }
        log.push(
          `commit ${
            batch.map((m) => `${m.value === null ? "del" : "put"} ${bytesToLatin1(m.key)}`).join(
              ", ",
            )
          }`,
        );
        const durable = store.commit(batch);
        for (const m of batch) {
          const stripeKeys = model.get(m.stripe)!;
          if (m.value === null) {
            stripeKeys.delete(bytesToLatin1(m.key));
          } else stripeKeys.set(bytesToLatin1(m.key), m.value);
        }
        if (rng.chance(0.5)) {
          await durable;
        } else pending.push(durable);
      } else if (r < 0.6) {
        const key = rng.pick(keys);
        const stripe = stripeOf(key);
        const got = store.get(stripe, latin1ToBytes(key));
        const want = model.get(stripe)!.get(key);
        if (hex(got) !== hex(want) || got?.length !== want?.length) {
          fail(`get ${key}: store ${hex(got)}, model ${hex(want)}`);
        }
      } else if (r < 0.7) {
        const stripe = rng.pick(STRIPES);
        checkRange((s, o) => store.range(s, o), model.get(stripe)!, stripe, "live");
      } else if (r < 0.74) {
        log.push("snapshot");
        snapshots.push({ snapshot: store.snapshot(), model: copyModel(model) });
      } else if (r < 0.8 && snapshots.length > 0) {
        const { snapshot, model: then } = rng.pick(snapshots);
        const stripe = rng.pick(STRIPES);
        const key = rng.pick(keys);
        const got = snapshot.get(stripeOf(key), latin1ToBytes(key));
        if (hex(got) !== hex(then.get(stripeOf(key))!.get(key))) {
          fail(`snapshot ${snapshot.seq} get ${key}: ${hex(got)}`);
        }
        checkRange(
          (s, o) => snapshot.range(s, o),
          then.get(stripe)!,
          stripe,
          `snapshot ${snapshot.seq}`,
        );
        if (rng.chance(0.3)) {
          log.push(`release snapshot ${snapshot.seq}`);
          snapshot.release();
          snapshots.splice(snapshots.findIndex((s) => s.snapshot === snapshot), 1);
        }
      } else if (r < 0.85) {
        log.push("flush");
        if (rng.chance(0.5)) await store.flush();
        else pending.push(store.flush());
      } else if (r < 0.88) {
        log.push("compact");
        await store.compact();
      } else if (r < 0.9) {
        log.push("reopen");
        await Promise.all(pending.splice(0));
        for (const { snapshot } of snapshots.splice(0)) snapshot.release();
        flushes += store.stats.flushes;
        compactions += store.stats.compaction.total_compactions;
        await store.close();
        store = await openStore(fs, DIR, { ...options, flushOnClose: rng.chance(0.5) });
      } else {
        await Promise.all(pending.splice(0));
      }
    }
    await Promise.all(pending.splice(0));
    for (const stripe of STRIPES) {
      const got = storeRange((s, o) => store.range(s, o), stripe, undefined, undefined, false);
      const want = modelRange(model.get(stripe)!, undefined, undefined, false);
      assert.equal(
        got.length,
        want.length,
        `stripe ${stripe} holds ${got.length} keys, model ${want.length}`,
      );
      got.forEach(([key, value], i) => {
        assert.equal(key, want[i]![0]);
        assert.deepEqual(value, want[i]![1]);
      });
    }
    for (const { snapshot } of snapshots) snapshot.release();
    flushes += store.stats.flushes;
    compactions += store.stats.compaction.total_compactions;
    assert.ok(
      flushes > 0 && compactions > 0,
      `the run flushed (${flushes}) and compacted (${compactions})`,
    );
    await store.close();
  },
);

/** An item built from the random stream, with every kind of attribute value. */
function randomItem(rng: Rng, version: number): Item {
  const item: Item = { version, name: `n${rng.int(1000)}` };
  if (rng.chance(0.5)) item.score = rng.int(1_000_000) / 100;
  if (rng.chance(0.3)) item.tags = new Set([`t${rng.int(5)}`, `u${rng.int(5)}`]);
  if (rng.chance(0.3)) item.blob = Uint8Array.from({ length: rng.int(40) }, () => rng.int(256));
  if (rng.chance(0.3)) {
    item.nested = { list: [rng.int(10), "x", { deep: rng.chance(0.5) }], nothing: null };
  }
  if (rng.chance(0.1)) item.pad = "p".repeat(rng.int(3000));
  return item;
}

test(
  `Database matches a Map model through ${STEPS} random puts, deletes, flushes, compactions and reopens`,
  {
    timeout: 600_000,
  },
  async () => {
    const seed = baseSeed("database model");
    const rng = new Rng(seed);
    const fs = new MemoryFileSystem();
    const options = {
      fs,
      memtableBudgetBytes: 64 * 1024,
      maxWalBytes: 64 * 1024,
      maxStripeRecords: 16,
      sstThreshold: 2,
    };
    let db = await Database.create(DIR, options);
    await db.createTable("orders", {
      partitionKey: { name: "customer", type: "S" },
      sortKey: { name: "order", type: "N" },
    });
    type Key = { table: "default"; key: string | { pk: string; sk: string } } | {
      table: "orders";
      key: { customer: string; order: number };
    };
    const keys: Key[] = [];
    for (let i = 0; i < 40; i++) keys.push({ table: "default", key: `user#${i}` });
    for (let i = 0; i < 40; i++) {
      keys.push({
        table: "default",
        key: { pk: `user#${i % 10}`, sk: `s${i}` },
      });
    }
    for (let i = 0; i < 40; i++) {
      keys.push({
        table: "orders",
        key: { customer: `c${i % 8}`, order: i * 1.5 },
      });
    }
    const model = new Map<string, Item>();
    const name = (key: Key) => JSON.stringify(key);
    const log: string[] = [];
    const read = async (key: Key) =>
      key.table === "default" ? await db.get(key.key) : await db.table("orders").get(key.key);
    const expectedItem = (key: Key, item: Item) =>
      key.table === "default"
        ? { ...(typeof key.key === "string" ? { pk: key.key } : key.key), ...item }
        : { ...key.key, ...item };
    const compareAll = async (when: string) => {
      for (const key of keys) {
        const want = model.get(name(key));
        const got = await read(key);
        assert.deepEqual(
          got,
          want === undefined ? undefined : expectedItem(key, want),
          `${name(key)} ${when}\nseed ${seed} (replay with KSTONE_SEED=${seed})\n${
            log.slice(-30).join("\n")
          }`,
        );
      }
    };

    for (let step = 0; step < STEPS; step++) {
      const r = rng.next();
      const key = rng.pick(keys);
      if (r < 0.55) {
        const item = randomItem(rng, step);
        log.push(`put ${name(key)}`);
        const written = key.table === "default"
          ? db.put(key.key, item)
          : db.table("orders").put({ ...key.key, ...item });
        model.set(name(key), item);
        if (rng.chance(0.5)) {
          // The commit applied synchronously: the write is visible before it is durable.
          assert.deepEqual(
            await read(key),
            expectedItem(key, item),
            `read-your-write ${name(key)}`,
          );
        }
        await written;
      } else if (r < 0.7) {
        log.push(`delete ${name(key)}`);
        if (key.table === "default") await db.delete(key.key);
        else await db.table("orders").delete(key.key);
        model.delete(name(key));
      } else if (r < 0.9) {
        const want = model.get(name(key));
        assert.deepEqual(
          await read(key),
          want === undefined ? undefined : expectedItem(key, want),
          name(key),
        );
      } else if (r < 0.95) {
        log.push("flush");
        await db.flush();
      } else if (r < 0.98) {
        log.push("compact");
        await db.compact();
      } else {
        log.push("reopen");
        await db.close();
        db = await Database.open(DIR, options);
        await compareAll("after reopen");
      }
    }
    await compareAll("at the end");
    await db.close();
    db = await Database.open(DIR, options);
    await compareAll("after the last reopen");
    assert.deepEqual(db.listTables(), ["orders"]);
    await db.close();
  },
);
