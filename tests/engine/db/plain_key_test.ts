import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ItemLocation,
  type KeySchema,
  locate,
  locatePlain,
  locatePlainKey,
} from "../../../engine/db/key_schema.ts";
import { locatePlainItem } from "../../../engine/api/_items.ts";
import type { ApiTable } from "../../../engine/api/context.ts";
import { encodeKey, encodePlainKey } from "../../../engine/codec/key_codec.ts";
import type { KeyType } from "../../../engine/model/attribute_value.ts";
import { marshall, marshallItem } from "../../../engine/model/marshall.ts";
import { NumberValue } from "../../../engine/model/number_value.ts";
import { Rng } from "../model/_rng.ts";

const TYPES: KeyType[] = ["S", "N", "B"];

function randomString(rng: Rng): string {
  const lengths = [0, 1, 2, 5, 12, 40, 341, 342, 682, 683, 700, 1024, 1025, 2048, 2049];
  const n = rng.int(3) === 0 ? rng.pick(lengths) : 1 + rng.int(30);
  const alphabet = rng.int(3) === 0
    ? ["a", "\0", "é", "€", "😀", "\ud800", "Z", "#"]
    : ["a", "b", "#", "1"];
  let text = "";
  while (text.length < n) text += rng.pick(alphabet);
  return text.slice(0, n);
}

function randomKeyValue(rng: Rng): unknown {
  switch (rng.int(12)) {
    case 0:
    case 1:
    case 2:
      return randomString(rng);
    case 3:
    case 4:
      return rng.int(2000) - 1000;
    case 5:
      return rng.pick([
        0,
        -0,
        999999999999999,
        -999999999999999,
        1000000000000000,
        -1000000000000000,
        2 ** 53 - 1,
        2 ** 53 + 2,
        1e21,
        1e200,
        1e-200,
        0.5,
        -12.5,
        1200,
        -1200,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
      ]);
    case 6:
      return Math.floor((rng.next() - 0.5) * 2 ** (rng.int(54)));
    case 7:
      return rng.pick([0n, -7n, 12345678901234567890n, 10n ** 40n]);
    case 8:
      return new NumberValue(rng.pick(["1", "-0.5", "1E+10", "12345678901234567890"]));
    case 9: {
      const bytes = new Uint8Array(rng.pick([0, 1, 3, 1024, 1025, 2048, 2049]));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
      return bytes;
    }
    case 10:
      return rng.pick([true, null, undefined, { S: "a" }, ["a"], new Set(["a"])]);
    default:
      return undefined;
  }
}

function randomSchema(rng: Rng): { schema: KeySchema; sortKeyOptional: boolean } {
  const partitionKey = { name: rng.pick(["pk", "id"]), type: rng.pick(TYPES) };
  if (rng.int(3) === 0) return { schema: { partitionKey }, sortKeyOptional: false };
  const schema = { partitionKey, sortKey: { name: "sk", type: rng.pick(TYPES) } };
  return { schema, sortKeyOptional: rng.int(3) === 0 };
}

function randomItem(rng: Rng, schema: KeySchema): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  if (rng.int(20) !== 0) item[schema.partitionKey.name] = randomKeyValue(rng);
  if (schema.sortKey !== undefined && rng.int(10) !== 0) {
    item[schema.sortKey.name] = randomKeyValue(rng);
  }
  if (rng.int(4) === 0) item[rng.pick(["x", "sk", "n"])] = rng.pick([1, "v", undefined]);
  return item;
}

type Outcome = ItemLocation | { error: string; name: string };

function outcome(fn: () => ItemLocation): Outcome {
  try {
    return fn();
  } catch (error) {
    return { error: (error as Error).message, name: (error as Error).name };
  }
}

/** The path before the direct key path: marshall the key (or the put's key attributes). */
function reference(
  table: ApiTable,
  item: Record<string, unknown>,
  exact: boolean,
): ItemLocation {
  let map;
  if (exact) map = marshallItem(item);
  else {
    map = {} as Record<string, ReturnType<typeof marshall>>;
    for (const attribute of [table.keySchema.partitionKey, table.keySchema.sortKey]) {
      const value = attribute === undefined ? undefined : item[attribute.name];
      if (value !== undefined) map[attribute!.name] = marshall(value, attribute!.name);
    }
  }
  return locate(table.id, table.keySchema, map, table.sortKeyOptional, exact);
}

test("locatePlainItem() gives the bytes, stripe and errors of locate() on the marshalled key", () => {
  const rng = new Rng();
  let direct = 0;
  for (let i = 0; i < 20000; i++) {
    const { schema, sortKeyOptional } = randomSchema(rng);
    const table: ApiTable = { id: 1 + rng.int(5), name: "t", keySchema: schema, sortKeyOptional };
    const item = randomItem(rng, schema);
    const exact = rng.int(2) === 0;
    const expected = outcome(() => reference(table, item, exact));
    const fast = locatePlain(table.id, schema, item, sortKeyOptional, exact);
    const context = `seed ${rng.seed}, case ${i}: ${
      JSON.stringify({ schema, sortKeyOptional, exact })
    }`;
    if (fast !== undefined) {
      direct++;
      assert.deepEqual(fast, expected, context);
    }
    assert.deepEqual(outcome(() => locatePlainItem(table, item, exact)), expected, context);
  }
  // The common shapes are common here too: the direct path is exercised.
  assert.ok(direct > 500, `seed ${rng.seed}: only ${direct} direct`);
});

test("locatePlainKey() locates the key values as locatePlain() the item holding them", () => {
  const rng = new Rng();
  let direct = 0;
  for (let i = 0; i < 10000; i++) {
    const { schema, sortKeyOptional } = randomSchema(rng);
    const item = randomItem(rng, schema);
    const pk = item[schema.partitionKey.name];
    const sk = schema.sortKey === undefined ? undefined : item[schema.sortKey.name];
    const expected = locatePlain(3, schema, item, sortKeyOptional);
    if (expected !== undefined) direct++;
    assert.deepEqual(
      locatePlainKey(3, schema, pk, sk, sortKeyOptional),
      expected,
      `seed ${rng.seed}`,
    );
  }
  assert.ok(direct > 500, `seed ${rng.seed}: only ${direct} direct`);
});

test("locatePlain() leaves keys that are not plain objects to the marshalled path", () => {
  const schema: KeySchema = { partitionKey: { name: "pk", type: "S" } };
  class Key {
    pk = "a";
  }
  for (const key of [null, new Map([["pk", "a"]]), new Key(), "pk"]) {
    assert.equal(
      locatePlain(1, schema, key as unknown as Record<string, unknown>, false, true),
      undefined,
    );
  }
  assert.throws(
    () =>
      locatePlainItem(
        { id: 1, name: "t", keySchema: schema, sortKeyOptional: false },
        new Key() as unknown as Record<string, unknown>,
        true,
      ),
    /must be a plain object/,
  );
});

test("encodePlainKey() matches encodeKey() on integers and strings", () => {
  const rng = new Rng();
  for (let i = 0; i < 5000; i++) {
    const n = Math.floor((rng.next() - 0.5) * 2 * 10 ** rng.int(16));
    const s = randomString(rng) || "x";
    assert.deepEqual(
      encodePlainKey(3, s, n),
      encodeKey(3, { S: s }, { N: String(n) }),
      `seed ${rng.seed}: ${n}`,
    );
    assert.deepEqual(
      encodePlainKey(3, n),
      encodeKey(3, { N: String(n) }),
      `seed ${rng.seed}: ${n}`,
    );
  }
});
