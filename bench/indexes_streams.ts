/**
 * The cost of secondary indexes and the speed of index queries and stream reads, on the real
 * disk, in one run:
 *
 * - durable puts of the same ~200-byte items into tables with 0, 1 and 5 global secondary
 *   indexes (projection ALL, the most expensive), 100 in flight, and the cost of each index
 *   relative to the table without;
 * - the same with a NEW_AND_OLD_IMAGES stream and no index;
 * - queries of one GSI partition (20 items each, random partitions), and for reference queries
 *   of 20 items of one table partition;
 * - reading the stream from its trim horizon with `Table.readStream` (pages of 1000), and
 *   following it with `Table.streamRecords` while a writer commits.
 *
 * ```sh
 * node_modules/.bin/deno run -A bench/indexes_streams.ts [--quick] [--json]
 * node_modules/.bin/bun bench/indexes_streams.ts [--quick] [--json]
 * ```
 *
 * Flags: `--quick` (fewer items), `--items N`, `--dir DIR` (where the temp directories go),
 * `--json`.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Database } from "../mod.ts";
import type { GlobalIndexOptions } from "../engine/db/admin_options.ts";
import type { Table } from "../engine/db/table.ts";
import { ItemSet } from "./_items.ts";
import { benchDir, flag, hasFlag, runtime } from "./_cli.ts";

const quick = hasFlag("--quick");
const json = hasFlag("--json");
const count = Number(flag("--items") ?? (quick ? 5_000 : 20_000));
const base = benchDir();
const IN_FLIGHT = 100;
/** Items per GSI partition: `group` takes `count / GROUP_SIZE` values. */
const GROUP_SIZE = 20;

interface Row {
  name: string;
  value: number;
  unit: string;
  note: string;
}

const items = new ItemSet(count / 100, 100, 7);

/** Item `i`: the workload's document plus five attributes the indexes key on. */
function itemAt(i: number): Record<string, unknown> {
  return {
    pk: items.pk(i),
    sk: items.sk(i),
    ...items.doc(i),
    group: `g${String(i % (count / GROUP_SIZE)).padStart(6, "0")}`,
    rnk: i,
    city: `c${i % 97}`,
    day: `d${i % 365}`,
    kind: `k${i % 13}`,
  };
}

const GSIS: GlobalIndexOptions[] = [
  {
    name: "byGroup",
    partitionKey: { name: "group", type: "S" },
    sortKey: { name: "rnk", type: "N" },
  },
  {
    name: "byCity",
    partitionKey: { name: "city", type: "S" },
    sortKey: { name: "rnk", type: "N" },
  },
  { name: "byDay", partitionKey: { name: "day", type: "S" } },
  { name: "byKind", partitionKey: { name: "kind", type: "S" }, sortKey: { name: "sk", type: "S" } },
  { name: "byEmail", partitionKey: { name: "email", type: "S" } },
];

async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, "kstone-bench-ix-"));
  const db = await Database.create(join(dir, "db.keystone"));
  try {
    return await work(db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Puts every item, `IN_FLIGHT` at a time; returns items/s. */
async function load(table: Table): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) await table.put(itemAt(next++));
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return count / ((performance.now() - started) / 1000);
}

const keySchema = {
  partitionKey: { name: "pk", type: "S" as const },
  sortKey: { name: "sk", type: "S" as const },
};

async function writeRate(indexes: number, stream: boolean): Promise<number> {
  return await withDatabase(async (db) => {
    const table = await db.createTable("bench", keySchema, {
      globalIndexes: GSIS.slice(0, indexes),
      ...(stream ? { stream: { viewType: "NEW_AND_OLD_IMAGES" as const } } : {}),
    });
    return await load(table);
  });
}

async function readRates(): Promise<Row[]> {
  return await withDatabase(async (db) => {
    const table = await db.createTable("bench", keySchema, {
      globalIndexes: [GSIS[0]!],
      stream: { viewType: "NEW_AND_OLD_IMAGES" },
    });
    await load(table);
    const rows: Row[] = [];
    const groups = count / GROUP_SIZE;
    const queries = quick ? 1_000 : 5_000;
    let seen = 0;
    let started = performance.now();
    for (let q = 0; q < queries; q++) {
      const group = `g${String((q * 7919) % groups).padStart(6, "0")}`;
      const page = await table.query({
        indexName: "byGroup",
        keyConditionExpression: "#g = :g",
        expressionAttributeNames: { "#g": "group" },
        expressionAttributeValues: { ":g": group },
      });
      seen += page.items?.length ?? 0;
    }
    let seconds = (performance.now() - started) / 1000;
    if (seen !== queries * GROUP_SIZE) {
      throw new Error(`GSI queries returned ${seen} items, expected ${queries * GROUP_SIZE}`);
    }
    rows.push({
      name: `GSI query, ${GROUP_SIZE} items each`,
      value: queries / seconds,
      unit: "queries/s",
      note: `${Math.round(seen / seconds).toLocaleString("en-US")} items/s`,
    });

    started = performance.now();
    for (let q = 0; q < queries; q++) {
      const page = await table.query({
        keyConditionExpression: "pk = :p",
        expressionAttributeValues: { ":p": items.pk((q * 7919) % count) },
        limit: GROUP_SIZE,
      });
      if (page.items?.length !== GROUP_SIZE) throw new Error("table query came back short");
    }
    seconds = (performance.now() - started) / 1000;
    rows.push({
      name: `table query, ${GROUP_SIZE} items each (for reference)`,
      value: queries / seconds,
      unit: "queries/s",
      note: `${Math.round((queries * GROUP_SIZE) / seconds).toLocaleString("en-US")} items/s`,
    });

    started = performance.now();
    let records = 0;
    let after: string | undefined;
    for (;;) {
      const page = await table.readStream({ after, limit: 1000 });
      records += page.records.length;
      if (page.last === undefined) break;
      after = page.last;
    }
    seconds = (performance.now() - started) / 1000;
    if (records !== count) throw new Error(`stream held ${records} records, expected ${count}`);
    rows.push({
      name: "stream read from trim horizon",
      value: records / seconds,
      unit: "records/s",
      note: "readStream, pages of 1000",
    });

    const follow = quick ? 2_000 : 5_000;
    const controller = new AbortController();
    const changes = table.streamRecords({ from: "LATEST", signal: controller.signal });
    const first = changes.next();
    started = performance.now();
    const writer = (async () => {
      for (let i = 0; i < follow; i++) {
        await table.update({ pk: items.pk(i), sk: items.sk(i) }, {
          updateExpression: "SET rnk = rnk + :one",
          expressionAttributeValues: { ":one": 1 },
        });
      }
    })();
    let followed = (await first).done ? 0 : 1;
    while (followed < follow) {
      const next = await changes.next();
      if (next.done) break;
      followed++;
    }
    seconds = (performance.now() - started) / 1000;
    await writer;
    controller.abort();
    await changes.return(undefined);
    rows.push({
      name: "stream follow while writing",
      value: followed / seconds,
      unit: "records/s",
      note: "streamRecords; bound by the writer's durable updates",
    });
    return rows;
  });
}

const rows: Row[] = [];
const plain = await writeRate(0, false);
rows.push({ name: "puts, 0 GSIs", value: plain, unit: "items/s", note: "baseline" });
for (const indexes of [1, 5]) {
  const rate = await writeRate(indexes, false);
  const costPerIndex = (plain / rate - 1) / indexes;
  rows.push({
    name: `puts, ${indexes} GSI${indexes > 1 ? "s" : ""} (ALL)`,
    value: rate,
    unit: "items/s",
    note: `${(rate / plain).toFixed(2)}x baseline; +${
      (costPerIndex * 100).toFixed(0)
    }% time per index`,
  });
}
const streamed = await writeRate(0, true);
rows.push({
  name: "puts, stream NEW_AND_OLD_IMAGES",
  value: streamed,
  unit: "items/s",
  note: `${(streamed / plain).toFixed(2)}x baseline`,
});
rows.push(...await readRates());

if (json) {
  console.log(JSON.stringify({ runtime, items: count, rows }, null, 2));
} else {
  console.log(
    `kstone indexes and streams, ${runtime}, ${
      count.toLocaleString("en-US")
    } items, ${IN_FLIGHT} puts in flight`,
  );
  console.log("| measure | rate | unit | note |");
  console.log("|---|---:|---|---|");
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${
        Math.round(row.value).toLocaleString("en-US")
      } | ${row.unit} | ${row.note} |`,
    );
  }
}
