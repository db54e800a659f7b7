import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, type Item, KstoneError } from "../../../mod.ts";
import type { ApiContext } from "../../../engine/api/context.ts";
import { marshallItem } from "../../../engine/model/marshall.ts";
import { baseSeed, Rng } from "../../helpers/random.ts";
import {
  actualTableIndexEntries,
  expectedIndexEntries,
  storedItems,
} from "../../helpers/index_model.ts";
import { DIR, indexFixture } from "./_fixture.ts";

const OPS = 1000;
const CHECK_EVERY = 50;

/** Attributes the ops write, with values that collide often; some have a wrong type. */
const VALUES: Record<string, (rng: Rng) => unknown> = {
  amount: (rng) => rng.chance(0.05) ? "lots" : rng.int(6),
  status: (rng) => rng.pick(["open", "closed", "shipped"]),
  placed: (rng) => rng.chance(0.05) ? 2026 : rng.pick(["d0", "d1", "d2", "d3"]),
  email: (rng) => rng.chance(0.03) ? "" : rng.pick(["e0", "e1", "e2"]),
  note: (rng) => rng.pick(["n0", "n1", ""]),
  extra: (rng) => ({ n: rng.int(3) }),
};
const NAMES = Object.keys(VALUES);

function keyOf(rng: Rng): { customer: string; id: string } {
  return { customer: `c${rng.int(3)}`, id: `o${rng.int(12)}` };
}

function identity(key: Record<string, unknown>): string {
  return `${key.customer}/${key.id}`;
}

function randomItem(rng: Rng): Item {
  const item: Item = keyOf(rng);
  for (const name of NAMES) if (rng.chance(0.6)) item[name] = VALUES[name]!(rng);
  return item;
}

/** Whether the fixture's indexes accept an item (types right, no empty index key). */
function acceptable(item: Item): boolean {
  if (item.amount !== undefined && typeof item.amount !== "number") return false;
  if (item.placed !== undefined && typeof item.placed !== "string") return false;
  return item.email !== "";
}

function assertModel(ctx: ApiContext, model: Map<string, Item>, step: string) {
  const table = ctx.table("orders");
  const stored = storedItems(ctx.store, table.id);
  const expectedItems = [...model.values()].map((item) => marshallItem(item));
  const sortById = (items: typeof stored) =>
    items.toSorted((a, b) => identity(unwrap(a)) < identity(unwrap(b)) ? -1 : 1);
  assert.deepEqual(sortById(stored), sortById(expectedItems), `items after ${step}`);
  assert.deepEqual(
    actualTableIndexEntries(ctx.store, table),
    expectedIndexEntries(expectedItems, table),
    `indexes after ${step}`,
  );
}

/** Queries one partition of each index and compares it with the recomputed entries. */
async function assertQueries(db: Database, model: Map<string, Item>, rng: Rng, step: string) {
  const table = db.apiContext().table("orders");
  const expected = expectedIndexEntries(
    [...model.values()].map((item) => marshallItem(item)),
    table,
  );
  const partitions: [string, string, unknown][] = [
    ["byAmount", "customer", `c${rng.int(3)}`],
    ["byStatus", "status", VALUES.status!(rng)],
    ["byEmail", "email", rng.pick(["e0", "e1", "e2"])],
  ];
  for (const [indexName, attribute, value] of partitions) {
    const items = await Array.fromAsync(
      db.table("orders").queryAll({
        indexName,
        keyConditionExpression: "#k = :v",
        expressionAttributeNames: { "#k": attribute },
        expressionAttributeValues: { ":v": value },
        limit: 3,
      }),
    );
    const wanted = expected.filter((entry) =>
      entry.index === indexName && (entry.item[attribute] as { S: string }).S === value
    );
    assert.deepEqual(
      items.map((item) => identity(item)),
      wanted.map((entry) => identity(unwrap(entry.item))),
      `${indexName} ${attribute} = ${value} after ${step}`,
    );
  }
}

function unwrap(item: Record<string, unknown>): Record<string, unknown> {
  return {
    customer: (item.customer as { S: string }).S,
    id: (item.id as { S: string }).S,
  };
}

async function expectWrite(
  write: Promise<unknown>,
  accepted: boolean,
  apply: () => void,
): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (accepted || !(error instanceof KstoneError)) throw error;
    return;
  }
  assert.ok(accepted, "a write with a bad index key went through");
  apply();
}

test("random puts, updates, deletes, batches and transactions keep every index equal to its recomputation", async () => {
  const seed = baseSeed("index model");
  const rng = new Rng(seed);
  let { fs, db, ctx } = await indexFixture({ memtableBudgetBytes: 64 * 1024 });
  const model = new Map<string, Item>();
  for (let op = 1; op <= OPS; op++) {
    const orders = db.table("orders");
    const kind = rng.int(10);
    if (kind < 4) {
      const item = randomItem(rng);
      await expectWrite(orders.put(item), acceptable(item), () => model.set(identity(item), item));
    } else if (kind < 7) {
      const key = keyOf(rng);
      const set = NAMES.filter(() => rng.chance(0.3));
      const remove = NAMES.filter((name) => !set.includes(name) && rng.chance(0.2));
      const values: Record<string, unknown> = {};
      const next: Item = { ...(model.get(identity(key)) ?? key) };
      for (const name of set) next[name] = values[`:${name}`] = VALUES[name]!(rng);
      for (const name of remove) delete next[name];
      const clauses = [
        set.length > 0 ? `SET ${set.map((name) => `#${name} = :${name}`).join(", ")}` : "",
        remove.length > 0 ? `REMOVE ${remove.map((name) => `#${name}`).join(", ")}` : "",
      ].join(" ").trim();
      if (clauses === "") continue;
      const names = Object.fromEntries([...set, ...remove].map((name) => [`#${name}`, name]));
      await expectWrite(
        orders.update(key, {
          updateExpression: clauses,
          expressionAttributeNames: names,
          ...(set.length > 0 ? { expressionAttributeValues: values } : {}),
        }),
        acceptable(next),
        () => model.set(identity(key), next),
      );
    } else if (kind < 8) {
      const key = keyOf(rng);
      await orders.delete(key);
      model.delete(identity(key));
    } else {
      const writes = new Map<string, Item | { customer: string; id: string; delete: true }>();
      for (let i = rng.int(6) + 1; i > 0; i--) {
        const item = rng.chance(0.7) ? randomItem(rng) : { ...keyOf(rng), delete: true as const };
        writes.set(identity(item), item);
      }
      const list = [...writes.values()];
      const accepted = list.every((w) => w.delete === true || acceptable(w));
      const apply = () => {
        for (const w of list) {
          if (w.delete === true) model.delete(identity(w));
          else model.set(identity(w), w);
        }
      };
      const request = kind === 8
        ? db.batchWrite({
          orders: list.map((w) =>
            w.delete === true ? { delete: { customer: w.customer, id: w.id } } : { put: w }
          ),
        })
        : db.transactWrite(
          list.map((w) =>
            w.delete === true
              ? { delete: { tableName: "orders", key: { customer: w.customer, id: w.id } } }
              : { put: { tableName: "orders", item: w } }
          ),
        );
      await expectWrite(request, accepted, apply);
    }
    if (op % CHECK_EVERY === 0) {
      assertModel(ctx, model, `op ${op} (seed ${seed})`);
      await assertQueries(db, model, rng, `op ${op} (seed ${seed})`);
    }
    if (op === OPS / 2) await db.flush();
  }
  await db.close();
  db = await Database.open(DIR, { fs });
  ctx = db.apiContext();
  assertModel(ctx, model, `reopen (seed ${seed})`);
  await db.close();
});
