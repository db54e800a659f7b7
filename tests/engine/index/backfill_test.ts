import { test } from "node:test";
import assert from "node:assert/strict";
import { deleteItem, putItem, query, updateItem } from "../../../engine/api/mod.ts";
import type { ApiContext } from "../../../engine/api/context.ts";
import type { IndexDefinition, TableDefinition } from "../../../engine/db/catalog.ts";
import { TableRegistry } from "../../../engine/db/table_registry.ts";
import { backfillIndex } from "../../../engine/index/backfill.ts";
import { createStore } from "../../../engine/store/open.ts";
import { MemoryFileSystem } from "../../../mod.ts";
import { Rng } from "../../helpers/random.ts";
import {
  actualIndexEntries,
  expectedIndexEntries,
  storedItems,
} from "../../helpers/index_model.ts";
import { indexFixture } from "./_fixture.ts";

/** A store with table `users` (pk `id` S) and a registry over it. */
async function users() {
  const store = await createStore(new MemoryFileSystem(), "/b.keystone", {});
  const tables = new TableRegistry(store);
  const ctx: ApiContext = { store, table: (name) => tables.api(name) };
  const definition: TableDefinition = {
    id: tables.allocateId(),
    name: "users",
    keySchema: { partitionKey: { name: "id", type: "S" } },
    createdAt: 0,
    status: "ACTIVE",
  };
  await tables.save(definition);
  return { store, tables, ctx, definition };
}

/** Adds a CREATING global index on `email` (or `group` and `age`) to `users`. */
async function addIndex(
  tables: TableRegistry,
  definition: TableDefinition,
  projection: IndexDefinition["projection"] = { type: "ALL" },
): Promise<IndexDefinition> {
  const index: IndexDefinition = {
    id: tables.allocateId(),
    name: "byGroup",
    kind: "GLOBAL",
    keySchema: {
      partitionKey: { name: "group", type: "S" },
      sortKey: { name: "age", type: "N" },
    },
    projection,
    status: "CREATING",
    createdAt: 0,
  };
  await tables.save({ ...definition, indexes: [index] });
  return index;
}

function user(rng: Rng, i: number) {
  const item: Record<string, { S: string } | { N: string }> = { id: { S: `u${i}` } };
  if (rng.chance(0.8)) item.group = { S: `g${rng.int(5)}` };
  if (rng.chance(0.8)) item.age = { N: String(rng.int(90)) };
  if (rng.chance(0.5)) item.name = { S: `name${rng.int(1000)}` };
  return item;
}

function assertIndexEqualsTable(ctx: ApiContext, index: IndexDefinition) {
  const table = ctx.table("users");
  assert.deepEqual(
    actualIndexEntries(ctx.store, index),
    expectedIndexEntries(storedItems(ctx.store, table.id), table, index),
  );
}

test("backfillIndex() indexes existing items while concurrent writes go on; the index ends equal to the table", async () => {
  const { store, tables, ctx, definition } = await users();
  const rng = new Rng(42);
  for (let i = 0; i < 1500; i++) {
    await putItem(ctx, { TableName: "users", Item: user(rng, i) });
  }
  const index = await addIndex(tables, definition, { type: "INCLUDE", nonKeyAttributes: ["name"] });
  let done = false;
  const backfill = backfillIndex(ctx, "users", "byGroup", { chunk: 50 }).then(() => {
    done = true;
  });
  let writes = 0;
  while (!done) {
    const i = rng.int(1700);
    const op = rng.int(3);
    if (op === 0) await putItem(ctx, { TableName: "users", Item: user(rng, i) });
    else if (op === 1) {
      await updateItem(ctx, {
        TableName: "users",
        Key: { id: { S: `u${i}` } },
        UpdateExpression: "SET #g = :g",
        ExpressionAttributeNames: { "#g": "group" },
        ExpressionAttributeValues: { ":g": { S: `g${rng.int(5)}` } },
      });
    } else await deleteItem(ctx, { TableName: "users", Key: { id: { S: `u${i}` } } });
    writes++;
  }
  await backfill;
  assert.ok(writes > 10, `only ${writes} writes ran during the backfill`);
  assertIndexEqualsTable(ctx, index);
  await store.close();
});

test("backfillIndex() skips items whose index key attributes have another type, and stops when aborted; running it again completes it", async () => {
  const { store, tables, ctx, definition } = await users();
  for (let i = 0; i < 300; i++) {
    const group = i % 10 === 0 ? { N: "7" } : { S: `g${i % 3}` };
    await putItem(ctx, {
      TableName: "users",
      Item: { id: { S: `u${i}` }, group, age: { N: "1" } },
    });
  }
  const index = await addIndex(tables, definition);
  const controller = new AbortController();
  let chunks = 0;
  const original = store.commit.bind(store);
  store.commit = (mutations) => {
    if (++chunks === 2) controller.abort(new Error("stop"));
    return original(mutations);
  };
  await assert.rejects(
    backfillIndex(ctx, "users", "byGroup", { chunk: 10, signal: controller.signal }),
    { message: "stop" },
  );
  store.commit = original;
  const partial = actualIndexEntries(store, index).length;
  assert.ok(partial > 0 && partial < 270, `partial backfill wrote ${partial} entries`);
  await backfillIndex(ctx, "users", "byGroup");
  assert.equal(actualIndexEntries(store, index).length, 270);
  assertIndexEqualsTable(ctx, index);
  await store.close();
});

test("backfillIndex() resolves at once when the index is gone", async () => {
  const { store, ctx } = await users();
  await backfillIndex(ctx, "users", "byNothing");
  await backfillIndex(ctx, "missing", "byNothing");
  await store.close();
});

test("Database.updateTable() adds a GSI that is backfilled and then queryable", async () => {
  const { db, ctx } = await indexFixture();
  const orders = db.table("orders");
  for (let i = 0; i < 200; i++) {
    await orders.put({ customer: `c${i % 7}`, id: `o${i}`, lane: `r${i % 4}` });
  }
  await db.updateTable("orders", {
    globalIndexUpdates: [{
      create: { name: "byLane", partitionKey: { name: "lane", type: "S" } },
    }],
  });
  for (let i = 0; i < 20; i++) await orders.delete({ customer: `c${i % 7}`, id: `o${i}` });
  await db.waitForTable("orders");
  const page = await query(ctx, {
    TableName: "orders",
    IndexName: "byLane",
    KeyConditionExpression: "lane = :r",
    ExpressionAttributeValues: { ":r": { S: "r1" } },
  });
  assert.equal(page.Count, 45);
  const table = ctx.table("orders");
  const index = table.indexes!.find((index) => index.name === "byLane")!;
  assert.equal(index.status, "ACTIVE");
  assert.deepEqual(
    actualIndexEntries(ctx.store, index),
    expectedIndexEntries(storedItems(ctx.store, table.id), table, index),
  );
  await db.close();
});
