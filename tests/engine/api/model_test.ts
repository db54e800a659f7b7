import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import {
  Database,
  KstoneError,
  MemoryFileSystem,
  type Table,
  TransactionCanceledError,
} from "../../../mod.ts";
import { deleteItem, putItem, updateItem } from "../../../engine/api/mod.ts";
import { marshallItem, unmarshallItem } from "../../../engine/model/marshall.ts";
import type { AttributeMap } from "../../../engine/model/attribute_value.ts";
import { Rng, seedFromEnv } from "../model/_rng.ts";
import {
  type ErrorShape,
  type Item,
  Model,
  type Outcome,
  type PlainPage,
  type QuerySpec,
  type ScanSpec,
  type WriteSpec,
} from "./_model.ts";
import { keyCondition, randomStep, type Step } from "./_model_gen.ts";
import { queryModel, scanModel } from "./_model_read.ts";

const DIR = "/data/model.keystone";
const STEPS = Number(process.env.KSTONE_MODEL_STEPS ?? 400);
const TUNING = { maxStripeRecords: 6, sstThreshold: 3, memtableBudgetBytes: 4 * 1024 * 1024 };

/** The database under test, reopened now and then. */
class Subject {
  fs = new MemoryFileSystem();
  db!: Database;
  tables = new Map<string, Table>();

  async open(create: boolean, flushOnClose = true): Promise<void> {
    const options = { fs: this.fs, ...TUNING, flushOnClose };
    this.db = create ? await Database.create(DIR, options) : await Database.open(DIR, options);
    if (create) {
      await this.db.createTable("orders", {
        partitionKey: { name: "customer", type: "S" },
        sortKey: { name: "ts", type: "N" },
      });
      await this.db.createTable("users", { partitionKey: { name: "id", type: "S" } });
    }
    for (const name of ["orders", "users"]) this.tables.set(name, this.db.table(name));
  }

  /** A single write: named tables through `Table`, the default table through `engine/api/`. */
  write(spec: WriteSpec): Promise<unknown> {
    const options = {
      conditionExpression: spec.condition,
      expressionAttributeNames: spec.names,
      expressionAttributeValues: spec.values,
      returnValuesOnConditionCheckFailure: spec.onFailure,
      returnValues: spec.returnValues as never,
    };
    const table = this.tables.get(spec.table);
    if (table !== undefined) {
      if (spec.kind === "put") return table.put(spec.item!, options);
      if (spec.kind === "update") {
        return table.update(spec.key!, { ...options, updateExpression: spec.update });
      }
      return table.delete(spec.key!, options);
    }
    const ctx = this.db.apiContext();
    const values = spec.values === undefined ? undefined : marshallItem(spec.values);
    const input = {
      TableName: "",
      ConditionExpression: spec.condition,
      ExpressionAttributeNames: spec.names,
      ExpressionAttributeValues: values,
      ReturnValues: spec.returnValues,
      ReturnValuesOnConditionCheckFailure: spec.onFailure,
    };
    const plain = (output: { Attributes?: AttributeMap }) =>
      output.Attributes === undefined ? undefined : unmarshallItem(output.Attributes);
    if (spec.kind === "put") {
      return putItem(ctx, { ...input, Item: marshallItem(spec.item!) }).then(plain);
    }
    if (spec.kind === "update") {
      return updateItem(ctx, {
        ...input,
        Key: marshallItem(spec.key!),
        UpdateExpression: spec.update,
      }).then(plain);
    }
    return deleteItem(ctx, { ...input, Key: marshallItem(spec.key!) }).then(plain);
  }

  readOptions(spec: QuerySpec | ScanSpec, start: Item | undefined) {
    return {
      limit: spec.limit,
      filterExpression: spec.filter,
      projectionExpression: spec.projection,
      expressionAttributeNames: spec.names,
      expressionAttributeValues: spec.values,
      select: spec.countOnly ? "COUNT" as const : undefined,
      exclusiveStartKey: start,
    };
  }

  reader(table: string): Table | Database {
    return this.tables.get(table) ?? this.db;
  }
}

function transactAction(spec: WriteSpec) {
  const common = {
    tableName: spec.table,
    conditionExpression: spec.condition,
    expressionAttributeNames: spec.names,
    expressionAttributeValues: spec.values,
    returnValuesOnConditionCheckFailure: spec.onFailure,
  };
  switch (spec.kind) {
    case "put":
      return { put: { ...common, item: spec.item! } };
    case "update":
      return {
        update: { ...common, key: spec.key!, updateExpression: spec.update ?? "REMOVE nothing" },
      };
    case "delete":
      return { delete: { ...common, key: spec.key! } };
    case "check":
      return {
        conditionCheck: { ...common, key: spec.key!, conditionExpression: spec.condition! },
      };
  }
}

function shape(error: unknown): ErrorShape {
  if (!(error instanceof KstoneError)) throw error;
  const out: ErrorShape = { code: error.code };
  const item = (error as { item?: Item }).item;
  if (item !== undefined) out.item = item;
  if (error instanceof TransactionCanceledError) {
    out.reasons = error.reasons.map((
      r,
    ) => (r.item === undefined ? { code: r.code } : { code: r.code, item: r.item }));
  }
  return out;
}

function clean(outcome: Outcome): Outcome {
  if ("ok" in outcome) return outcome;
  const error: ErrorShape = { code: outcome.error.code };
  if (outcome.error.item !== undefined) error.item = outcome.error.item;
  if (outcome.error.reasons !== undefined) error.reasons = outcome.error.reasons;
  return { error };
}

async function actual(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await run() };
  } catch (error) {
    return { error: shape(error) };
  }
}

/** Runs one step on both and compares every response. */
async function step(s: Subject, model: Model, st: Step, where: string): Promise<void> {
  const same = async (run: () => Promise<unknown>, expect: () => unknown, what = where) => {
    const expected = clean(model.outcome(expect));
    assert.deepEqual(await actual(run), expected, what);
  };
  switch (st.op) {
    case "write":
      return same(() => s.write(st.spec), () => model.write(st.spec));
    case "burst": {
      const runs = st.specs.map((spec) => actual(() => s.write(spec)));
      const expected = st.specs.map((spec) => clean(model.outcome(() => model.write(spec))));
      assert.deepEqual(await Promise.all(runs), expected, where);
      return;
    }
    case "get": {
      const key = st.key;
      const run = st.table === ""
        ? () => s.db.get(key as never)
        : () => s.tables.get(st.table)!.get(key);
      return same(run, () => model.get(st.table, key));
    }
    case "batchWrite": {
      const byTable: Record<string, ({ put: Item } | { delete: Item })[]> = {};
      for (const w of st.writes) {
        (byTable[w.table] ??= []).push(
          w.put !== undefined ? { put: w.put } : { delete: w.delete! },
        );
      }
      const flat = Object.entries(byTable).flatMap(([table, ws]) =>
        ws.map((w) => ({ table, ...w }))
      );
      return same(() => s.db.batchWrite(byTable), () => model.batchWrite(flat));
    }
    case "batchGet": {
      const byTable: Record<string, Item[]> = {};
      for (const g of st.gets) (byTable[g.table] ??= []).push(g.key);
      const flat = Object.entries(byTable).flatMap(([table, keys]) =>
        keys.map((key) => ({ table, key }))
      );
      return same(() => s.db.batchGet(byTable), () => model.batchGet(flat));
    }
    case "transactWrite":
      return same(
        () => s.db.transactWrite(st.actions.map(transactAction) as never),
        () => model.transactWrite(st.actions),
      );
    case "transactGet":
      return same(
        () => s.db.transactGet(st.gets.map((g) => ({ tableName: g.table, key: g.key }))),
        () => model.transactGet(st.gets),
      );
    case "query":
    case "scan":
      return read(s, model, st, where);
    case "flush":
      return s.db.flush();
    case "compact":
      return s.db.compact();
    case "reopen":
      await s.db.close();
      return s.open(false, st.flushOnClose);
  }
}

async function read(
  s: Subject,
  model: Model,
  st: Extract<Step, { op: "query" | "scan" }>,
  where: string,
) {
  const reader = s.reader(st.spec.table);
  const page = (start: Item | undefined): Promise<PlainPage> => {
    const options = s.readOptions(st.spec, start);
    if (st.op === "query") {
      const spec = st.spec as QuerySpec;
      return reader.query({
        ...options,
        keyConditionExpression: keyCondition(spec),
        scanIndexForward: !spec.reverse,
      });
    }
    const spec = st.spec as ScanSpec;
    return reader.scan({ ...options, segment: spec.segment, totalSegments: spec.totalSegments });
  };
  const expectPage = (start: Item | undefined) =>
    st.op === "query"
      ? queryModel(model, st.spec as QuerySpec, start)
      : scanModel(model, st.spec as ScanSpec, start);
  const expectedItems: Item[] = [];
  let start: Item | undefined;
  for (let n = 0; n < 500; n++) {
    const expected = expectPage(start);
    expectedItems.push(...expected.items);
    if (!st.all) assert.deepEqual(await page(start), expected, `${where}, page ${n}`);
    start = expected.lastEvaluatedKey;
    if (start === undefined) break;
  }
  if (st.all) {
    const options = s.readOptions(st.spec, undefined);
    const spec = st.spec;
    const items = st.op === "query"
      ? reader.queryAll({
        ...options,
        keyConditionExpression: keyCondition(spec as QuerySpec),
        scanIndexForward: !(spec as QuerySpec).reverse,
      })
      : reader.scanAll({
        ...options,
        segment: (spec as ScanSpec).segment,
        totalSegments: (spec as ScanSpec).totalSegments,
      });
    assert.deepEqual(await Array.fromAsync(items), expectedItems, `${where}, all items`);
  }
}

function describe(st: Step): string {
  return JSON.stringify(
    st,
    (_, value) =>
      typeof value === "string" && value.length > 40
        ? `<${value.length} chars>`
        : value instanceof Set
        ? [...value]
        : value,
  );
}

async function run(seed: number): Promise<void> {
  const rng = new Rng(seed);
  const s = new Subject();
  await s.open(true);
  const model = new Model();
  const log: string[] = [];
  try {
    for (let i = 0; i < STEPS; i++) {
      const st = randomStep(rng);
      log.push(`${i}: ${describe(st)}`);
      await step(s, model, st, `step ${i} ${st.op}`);
    }
    // Finally every table, read whole, equals the model.
    for (const table of ["", "orders", "users"]) {
      await read(s, model, { op: "scan", spec: { table }, all: true }, `final scan of "${table}"`);
    }
  } catch (error) {
    console.error(
      `model test failed: KSTONE_SEED=${seed}; last steps:\n${log.slice(-8).join("\n")}`,
    );
    throw error;
  } finally {
    await s.db.close();
  }
}

test("operations match the reference model over random writes, batches, transactions, reads, flushes and reopens", async () => {
  const seeds = process.env.KSTONE_SEED
    ? [seedFromEnv()]
    : [seedFromEnv(), seedFromEnv() ^ 0x5bd1e995];
  for (const seed of seeds) {
    console.log(`model test seed ${seed >>> 0} (replay with KSTONE_SEED=${seed >>> 0})`);
    await run(seed >>> 0);
  }
});
