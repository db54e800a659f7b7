import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, KstoneError } from "../../../mod.ts";
import { encodeKey, stripeOf } from "../../../engine/codec/key_codec.ts";
import { actualIndexEntries } from "../../helpers/index_model.ts";
import { rejectsWith } from "../api/_helpers.ts";
import { assertIndexesMatch, DIR, indexFixture, indexOf } from "./_fixture.ts";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

const FULL = {
  customer: "c1",
  id: "o1",
  amount: 25,
  status: "open",
  placed: "2026-01-02",
  email: "ada@example.com",
  note: "fragile",
  extra: { deep: [1, 2] },
};

test("put stores an entry in each index under index key then table key, projecting only what the index projects", async () => {
  const { db, ctx } = await indexFixture();
  await db.table("orders").put(FULL);
  const byAmount = indexOf(ctx, "byAmount");
  const [keysOnly] = actualIndexEntries(ctx.store, byAmount);
  assert.deepEqual(keysOnly!.item, {
    customer: { S: "c1" },
    id: { S: "o1" },
    amount: { N: "25" },
  });
  assert.equal(
    keysOnly!.key,
    hex(encodeKey(byAmount.id, { S: "c1" }, { N: "25" })) +
      hex(encodeKey(ctx.table("orders").id, { S: "c1" }, { S: "o1" }).subarray(4)),
  );
  assert.equal(keysOnly!.stripe, stripeOf({ S: "c1" }));
  const [include] = actualIndexEntries(ctx.store, indexOf(ctx, "byStatus"));
  assert.deepEqual(Object.keys(include!.item).sort(), [
    "amount",
    "customer",
    "id",
    "note",
    "placed",
    "status",
  ]);
  assert.equal(include!.stripe, stripeOf({ S: "open" }));
  const [all] = actualIndexEntries(ctx.store, indexOf(ctx, "byEmail"));
  assert.deepEqual(Object.keys(all!.item).sort(), Object.keys(FULL).sort());
  assert.equal(all!.stripe, stripeOf({ S: "ada@example.com" }));
  await db.close();
});

test("an item lacking an index key attribute is not in that index (sparse)", async () => {
  const { db, ctx } = await indexFixture();
  const orders = db.table("orders");
  await orders.put({ customer: "c1", id: "o1", status: "open" }); // byStatus needs placed too
  await orders.put({ customer: "c1", id: "o2", amount: 3 });
  assert.equal(actualIndexEntries(ctx.store, indexOf(ctx, "byStatus")).length, 0);
  assert.equal(actualIndexEntries(ctx.store, indexOf(ctx, "byEmail")).length, 0);
  assert.equal(actualIndexEntries(ctx.store, indexOf(ctx, "byAmount")).length, 1);
  assertIndexesMatch(ctx);
  await db.close();
});

test("updates move, drop and rewrite entries, and leave an index alone when nothing it stores changed", async () => {
  const { db, ctx } = await indexFixture();
  const orders = db.table("orders");
  await orders.put(FULL);
  const key = { customer: "c1", id: "o1" };
  await orders.update(key, {
    updateExpression: "SET email = :e, amount = :t",
    expressionAttributeValues: { ":e": "bob@example.com", ":t": 30 },
  });
  const emails = actualIndexEntries(ctx.store, indexOf(ctx, "byEmail"));
  assert.deepEqual(emails.map((entry) => entry.item.email), [{ S: "bob@example.com" }]);
  assert.deepEqual(
    actualIndexEntries(ctx.store, indexOf(ctx, "byAmount")).map((entry) => entry.item.amount),
    [{ N: "30" }],
  );
  assert.deepEqual(
    actualIndexEntries(ctx.store, indexOf(ctx, "byStatus")).map((entry) => entry.item.amount),
    [{ N: "30" }],
  );
  await orders.update(key, {
    updateExpression: "SET note = :n",
    expressionAttributeValues: { ":n": "ok" },
  });
  assert.deepEqual(
    actualIndexEntries(ctx.store, indexOf(ctx, "byStatus")).map((entry) => entry.item.note),
    [{ S: "ok" }],
  );
  // `extra` is projected by byEmail (ALL) only: the write is the item and that one entry.
  const before = ctx.store.stats.mutations;
  await orders.update(key, {
    updateExpression: "SET extra = :x",
    expressionAttributeValues: { ":x": 1 },
  });
  assert.equal(ctx.store.stats.mutations - before, 2);
  await orders.update(key, { updateExpression: "REMOVE email, placed" });
  assert.equal(actualIndexEntries(ctx.store, indexOf(ctx, "byEmail")).length, 0);
  assert.equal(actualIndexEntries(ctx.store, indexOf(ctx, "byStatus")).length, 0);
  assert.equal(actualIndexEntries(ctx.store, indexOf(ctx, "byAmount")).length, 1);
  assertIndexesMatch(ctx);
  await db.close();
});

test("a put replacing an item removes the entries the new item no longer has", async () => {
  const { db, ctx } = await indexFixture();
  const orders = db.table("orders");
  await orders.put(FULL);
  await orders.put({ customer: "c1", id: "o1", status: "closed", placed: "2026-02-01" });
  const statuses = actualIndexEntries(ctx.store, indexOf(ctx, "byStatus"));
  assert.deepEqual(statuses.map((entry) => entry.item.status), [{ S: "closed" }]);
  assert.equal(actualIndexEntries(ctx.store, indexOf(ctx, "byAmount")).length, 0);
  assert.equal(actualIndexEntries(ctx.store, indexOf(ctx, "byEmail")).length, 0);
  assertIndexesMatch(ctx);
  await db.close();
});

test("delete removes the item's entries from every index", async () => {
  const { db, ctx } = await indexFixture();
  const orders = db.table("orders");
  await orders.put(FULL);
  await orders.put({ ...FULL, id: "o2" });
  await orders.delete({ customer: "c1", id: "o1" });
  for (const name of ["byAmount", "byStatus", "byEmail"]) {
    const entries = actualIndexEntries(ctx.store, indexOf(ctx, name));
    assert.deepEqual(entries.map((entry) => entry.item.id), [{ S: "o2" }], name);
  }
  assertIndexesMatch(ctx);
  await db.close();
});

test("batch writes and transactions maintain indexes in their commit", async () => {
  const { db, ctx } = await indexFixture();
  const orders = db.table("orders");
  await orders.put(FULL);
  await db.batchWrite({
    orders: [
      { put: { ...FULL, id: "o2", email: "cy@example.com" } },
      { put: { ...FULL, id: "o3", status: "closed" } },
      { delete: { customer: "c1", id: "o1" } },
    ],
  });
  assertIndexesMatch(ctx);
  await db.transactWrite([
    { put: { tableName: "orders", item: { ...FULL, id: "o4", amount: 1 } } },
    {
      update: {
        tableName: "orders",
        key: { customer: "c1", id: "o2" },
        updateExpression: "SET #s = :s REMOVE email",
        expressionAttributeNames: { "#s": "status" },
        expressionAttributeValues: { ":s": "shipped" },
      },
    },
    { delete: { tableName: "orders", key: { customer: "c1", id: "o3" } } },
  ]);
  assertIndexesMatch(ctx);
  const statuses = actualIndexEntries(ctx.store, indexOf(ctx, "byStatus"));
  assert.deepEqual(statuses.map((entry) => [entry.item.id, entry.item.status]), [
    [{ S: "o4" }, { S: "open" }],
    [{ S: "o2" }, { S: "shipped" }],
  ]);
  await db.close();
});

test("an index key attribute of the wrong type is a validation error and nothing is written", async () => {
  const { db, ctx } = await indexFixture();
  const orders = db.table("orders");
  await rejectsWith(
    orders.put({ customer: "c1", id: "o1", email: 42 }),
    "VALIDATION",
    "One or more parameter values were invalid: Type mismatch for Index Key email Expected: S Actual: N IndexName: byEmail",
  );
  assert.equal(await orders.get({ customer: "c1", id: "o1" }), undefined);
  await orders.put(FULL);
  await rejectsWith(
    orders.update({ customer: "c1", id: "o1" }, {
      updateExpression: "SET amount = :t",
      expressionAttributeValues: { ":t": "lots" },
    }),
    "VALIDATION",
    "One or more parameter values were invalid: Type mismatch for Index Key amount Expected: N Actual: S IndexName: byAmount",
  );
  assert.equal((await orders.get({ customer: "c1", id: "o1" }))?.amount, 25);
  await rejectsWith(
    db.batchWrite({
      orders: [{ put: { ...FULL, id: "o2" } }, { put: { ...FULL, id: "o3", placed: 1 } }],
    }),
    "VALIDATION",
    /Type mismatch for Index Key placed Expected: S Actual: N IndexName: byStatus/,
  );
  assert.equal(await orders.get({ customer: "c1", id: "o2" }), undefined);
  let caught: unknown;
  try {
    await db.transactWrite([
      { put: { tableName: "orders", item: { ...FULL, id: "o4" } } },
      { put: { tableName: "orders", item: { ...FULL, id: "o5", status: true } } },
    ]);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof KstoneError);
  assert.match(caught.message, /Type mismatch for Index Key status Expected: S Actual: BOOL/);
  assert.equal(await orders.get({ customer: "c1", id: "o4" }), undefined);
  assertIndexesMatch(ctx);
  await db.close();
});

test("empty and oversized index key values are validation errors", async () => {
  const { db } = await indexFixture();
  const orders = db.table("orders");
  await rejectsWith(
    orders.put({ customer: "c1", id: "o1", email: "" }),
    "VALIDATION",
    "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byEmail, IndexKey: email",
  );
  await rejectsWith(
    orders.put({ customer: "c1", id: "o1", email: "é".repeat(1025) }),
    "VALIDATION",
    "One or more parameter values were invalid: Size limit exceeded for Index Key email Actual Size: 2050 bytes Max Size: 2048 bytes IndexName: byEmail",
  );
  await rejectsWith(
    orders.put({ customer: "c1", id: "o1", status: "open", placed: "x".repeat(1025) }),
    "VALIDATION",
    "One or more parameter values were invalid: Size limit exceeded for Index Key placed Actual Size: 1025 bytes Max Size: 1024 bytes IndexName: byStatus",
  );
  // An empty string is fine outside index keys.
  await orders.put({ customer: "c1", id: "o1", note: "" });
  await db.close();
});

test("index entries survive a flush and a reopen", async () => {
  const { fs, db } = await indexFixture();
  const orders = db.table("orders");
  for (let i = 0; i < 20; i++) await orders.put({ ...FULL, id: `o${i}`, amount: i });
  await db.flush();
  for (let i = 20; i < 30; i++) await orders.put({ ...FULL, id: `o${i}`, amount: i });
  await orders.delete({ customer: "c1", id: "o3" });
  await db.close();
  const reopened = await Database.open(DIR, { fs });
  const ctx = reopened.apiContext();
  assertIndexesMatch(ctx);
  assert.equal(actualIndexEntries(ctx.store, indexOf(ctx, "byAmount")).length, 29);
  await reopened.close();
});
