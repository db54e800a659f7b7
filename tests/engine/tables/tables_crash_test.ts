import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, MemoryFileSystem } from "../../../mod.ts";

const DIR = "/data/tables_crash.keystone";
const USERS = { partitionKey: { name: "id", type: "S" as const } };
const ORDERS = {
  partitionKey: { name: "customer", type: "S" as const },
  sortKey: { name: "id", type: "S" as const },
};
const SMALL = { memtableBudgetBytes: 64 * 1024, maxStripeRecords: 8, sstThreshold: 3 };

/** The workload: each step is acknowledged once its promise resolves. */
const STEPS: ((db: Database) => Promise<unknown>)[] = [
  (db) =>
    db.createTable("orders", ORDERS, {
      localIndexes: [{ name: "by_date", sortKey: { name: "date", type: "S" } }],
      globalIndexes: [{ name: "by_status", partitionKey: { name: "status", type: "S" } }],
      stream: { viewType: "NEW_AND_OLD_IMAGES" },
    }),
  (db) =>
    db.batchWrite({
      orders: Array.from({ length: 20 }, (_, i) => ({
        put: {
          customer: `c${i % 3}`,
          id: `o${i}`,
          ...(i % 4 === 0 ? {} : { date: `2026-01-${10 + i}` }),
          ...(i % 5 === 0 ? {} : { status: i % 2 === 0 ? "open" : "shipped" }),
          total: i,
        },
      })),
    }),
  (db) => db.updateTimeToLive("orders", { attributeName: "expires", enabled: true }),
  async (db) => {
    await db.updateTable("orders", {
      globalIndexUpdates: [{
        create: { name: "by_total", partitionKey: { name: "total", type: "N" } },
      }],
    });
    await db.waitForTable("orders");
  },
  (db) => db.updateTable("orders", { stream: { enabled: false } }),
  async (db) => {
    const temp = await db.createTable("temp", USERS);
    await temp.put({ id: "t1" });
  },
  (db) => db.deleteTable("temp"),
  async (db) => {
    await db.updateTable("orders", { globalIndexUpdates: [{ delete: "by_status" }] });
    await db.waitForTable("orders");
  },
  async (db) => {
    await db.flush();
    await db.compact();
  },
];

interface IndexCheck {
  readonly name: string;
  readonly attribute: string;
  readonly count: number;
}

/** The catalog as the tests compare it, after every table's background work has finished. */
async function catalog(db: Database): Promise<string> {
  const tables: Record<string, unknown> = {};
  for (const name of ["", ...db.listTables()]) {
    await db.waitForTable(name);
    const d = await db.describeTable(name);
    tables[name] = {
      attributes: d.attributeDefinitions,
      local: d.localIndexes.map((index) => `${index.name}:${index.status}`),
      global: d.globalIndexes.map((index) => `${index.name}:${index.status}`),
      ttl: d.ttl,
      stream: d.stream === undefined ? "none" : `${d.stream.viewType}:${d.stream.enabled}`,
    };
  }
  return JSON.stringify(tables);
}

/** Every index holds exactly the items that have its key attribute. */
async function checkIndexes(db: Database, at: string): Promise<void> {
  for (const name of db.listTables()) {
    const d = await db.describeTable(name);
    const items: Record<string, unknown>[] = [];
    for await (const item of db.table(name).scanAll()) items.push(item);
    assert.equal(d.itemCount, items.length, `${at}: ${name} item count`);
    const checks: IndexCheck[] = [
      ...d.localIndexes.map((index) => ({
        name: index.name,
        attribute: index.keySchema.sortKey!.name,
        count: index.itemCount,
      })),
      ...d.globalIndexes.map((index) => ({
        name: index.name,
        attribute: index.keySchema.partitionKey.name,
        count: index.itemCount,
      })),
    ];
    for (const check of checks) {
      const expected: number = items.filter((item) => item[check.attribute] !== undefined).length;
      assert.equal(check.count, expected, `${at}: ${name}.${check.name} entries`);
    }
  }
}

test("a power cut around createTable, updateTable and deleteTable leaves a catalog that is a prefix of the acknowledged changes", async () => {
  // The reference run: the catalog after each acknowledged step.
  const reference = await Database.memory(SMALL);
  const expected = [await catalog(reference)];
  for (const step of STEPS) {
    await step(reference);
    expected.push(await catalog(reference));
  }
  await reference.close();

  const clones: { fs: MemoryFileSystem; acked: number; at: string }[] = [];
  let acked = -1;
  const fs = new MemoryFileSystem({
    onOperation(operation) {
      if (acked < 0) return;
      const keepUnsynced = operation.count % 3 / 2;
      clones.push({
        fs: fs.crash({ seed: operation.count, keepUnsynced }),
        acked,
        at: `${operation.count} ${operation.kind} ${operation.path} (keepUnsynced ${keepUnsynced})`,
      });
    },
  });
  const db = await Database.create(DIR, { fs, ...SMALL });
  acked = 0;
  for (const step of STEPS) {
    await step(db);
    acked++;
  }
  await db.close();
  assert.ok(clones.length > 50, `the workload made only ${clones.length} operations`);

  for (const { fs: clone, acked, at } of clones) {
    const recovered = await Database.open(DIR, { fs: clone, ...SMALL });
    const state = await catalog(recovered);
    const possible = expected.slice(acked, acked + 2);
    assert.ok(
      possible.includes(state),
      `after ${at} with ${acked} steps acknowledged:\n${state}\nexpected one of\n${
        possible.join("\n")
      }`,
    );
    await checkIndexes(recovered, at);
    await recovered.close();
  }
});
