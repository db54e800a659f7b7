import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeItem,
  decodePlainItem,
  encodeItem,
  encodePlainItem,
  encodePlainItemUnderKey,
  encodeValidItem,
} from "../../../engine/codec/item_codec.ts";
import { marshallItem, unmarshallItem } from "../../../engine/model/marshall.ts";
import { NumberValue } from "../../../engine/model/number_value.ts";
import { Database } from "../../../mod.ts";
import { type DefaultKey, DefaultTableMethods } from "../../../engine/db/default_table.ts";
import { randomNumberText, Rng } from "../model/_rng.ts";

const STRINGS = [
  "",
  "a",
  "user#1",
  "é",
  "日本",
  "😀",
  "\ud800",
  "a\0b",
  "x".repeat(50),
  "ü".repeat(60),
];
const NAMES = ["a", "pk", "sk", "n", "é", "__proto__", "constructor", "1", "b".repeat(40)];

/** A random JS value: mostly what items hold, sometimes something marshall or encode rejects. */
function value(rng: Rng, depth: number): unknown {
  switch (rng.int(depth > 3 ? 9 : 14)) {
    case 0:
      return rng.pick(STRINGS);
    case 1:
      return rng.pick([
        0,
        -0,
        1,
        -1,
        0.1,
        1.5e-7,
        1e21,
        123456789.25,
        2 ** 53,
        999999999999999,
        1e16,
      ]);
    case 2:
      return (rng.next() - 0.5) * 10 ** (rng.int(40) - 20);
    case 3:
      return rng.pick([true, false, null]);
    case 4:
      return new NumberValue(randomNumberText(rng));
    case 5:
      return new Uint8Array(Array.from({ length: rng.int(4) }, () => rng.int(256)));
    case 6:
      return new Set(Array.from({ length: rng.int(3) }, () => rng.pick(STRINGS)));
    case 7:
      return rng.pick<unknown>([
        NaN,
        Infinity,
        5e-324,
        1e126,
        12n,
        new Date(0),
        new Set([1, 2]),
        new Set([1, "a"]),
        new Map([["m", 1]]),
        new ArrayBuffer(2),
        new Uint16Array(1),
        () => 1,
        Symbol("s"),
        new NumberValue("12345678901234567890.5"),
        Object.create(null),
      ]);
    case 8:
      return rng.pick(["s", 7, undefined]);
    case 9:
    case 10:
      return Array.from({ length: rng.int(4) }, () => value(rng, depth + 1));
    default:
      return object(rng, depth + 1);
  }
}

function object(rng: Rng, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = rng.int(5); i > 0; i--) {
    Object.defineProperty(out, rng.pick(NAMES), {
      value: value(rng, depth),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

test("encodePlainItem() gives marshallItem + encodeValidItem's bytes, or undefined where they fail", () => {
  const rng = new Rng();
  let fast = 0;
  for (let i = 0; i < 5000; i++) {
    const item = object(rng, 0);
    if (rng.int(20) === 0) item.big = "x".repeat(409_590);
    if (rng.int(20) === 0) item[rng.pick(["", "n".repeat(65_536)])] = 1;
    if (rng.int(20) === 0) item.deep = JSON.parse("[".repeat(32) + "]".repeat(32));
    const expected = outcome(() => encodeValidItem(marshallItem(item)));
    const actual = encodePlainItem(item);
    if (actual === undefined) continue;
    fast++;
    assert.deepEqual({ value: actual }, expected, `seed ${rng.seed}`);
  }
  assert.ok(fast > 1000, `only ${fast} items took the fast path`);
});

test("encodePlainItem() declines what it does not handle", () => {
  for (const item of [{ a: new Map() }, { a: new Set([1]) }, { a: 1n }, { a: [undefined] }]) {
    assert.equal(encodePlainItem(item), undefined);
  }
  assert.equal(encodePlainItem(new Map() as unknown as Record<string, unknown>), undefined);
  assert.deepEqual(encodePlainItem({ a: 1, b: undefined }), encodeItem({ a: { N: "1" } }));
});

/** A random item to store under a key: its key attributes absent, equal, other or undefined. */
function itemUnderKey(rng: Rng, key: { pk: string; sk?: string }): Record<string, unknown> {
  // Half of them of values every path stores.
  const item = rng.int(2) === 0 ? object(rng, 0) : { a: rng.pick(STRINGS), n: rng.int(9) };
  for (const name of ["pk", "sk"] as const) {
    switch (rng.int(6)) {
      case 0:
        item[name] = key[name];
        break;
      case 1:
        item[name] = "other";
        break;
      case 2:
        item[name] = undefined;
        break;
    }
  }
  if (rng.int(4) === 0) {
    // Key attributes first, last or between the others, as callers write them.
    const reordered: Record<string, unknown> = {};
    for (const name of Object.keys(item).reverse()) reordered[name] = item[name];
    return reordered;
  }
  return item;
}

test("encodePlainItemUnderKey() gives encodePlainItem's bytes of the merged item, or undefined", () => {
  const rng = new Rng();
  let fast = 0;
  for (let i = 0; i < 5000; i++) {
    const pk = rng.pick(STRINGS);
    const key = rng.int(3) === 0 ? { pk } : { pk, sk: rng.pick(STRINGS) };
    const item = itemUnderKey(rng, key);
    if (rng.int(30) === 0) item[String(rng.int(3))] = 1;
    const actual = encodePlainItemUnderKey("pk", key.pk, "sk", key.sk, item)?.slice();
    const expected = encodePlainItem({ ...key, ...item });
    if (actual === undefined) continue;
    fast++;
    assert.deepEqual(actual, expected, `seed ${rng.seed}`);
  }
  assert.ok(fast > 600, `only ${fast} items took the fast path`);
});

test("encodePlainItemUnderKey() declines items it cannot merge for sure", () => {
  const under = (sk: string | undefined, item: Record<string, unknown>) =>
    encodePlainItemUnderKey("pk", "a", "sk", sk, item);
  assert.equal(under("b", { pk: "other" }), undefined);
  assert.equal(under("b", { sk: undefined }), undefined);
  assert.equal(under(undefined, { sk: "b" }), undefined);
  assert.equal(under("b", { 1: "x" }), undefined);
  assert.equal(under("b", Object.create(null)), undefined);
  assert.equal(under("b", { n: new Map() }), undefined);
  assert.equal(encodePlainItemUnderKey("k", "a", "k", "b", {}), undefined);
  assert.deepEqual(
    under("b", { n: 1, pk: "a" })?.slice(),
    encodePlainItem({ pk: "a", sk: "b", n: 1 }),
  );
});

test("decodePlainItem() gives unmarshallItem(decodeItem()), errors included", () => {
  const rng = new Rng();
  for (let i = 0; i < 3000; i++) {
    let bytes: Uint8Array;
    try {
      bytes = encodeValidItem(marshallItem(object(rng, 0)));
    } catch {
      continue;
    }
    if (rng.int(3) === 0 && bytes.length > 1) {
      bytes = bytes.slice(0, bytes.length - rng.int(2));
      bytes[rng.int(bytes.length)] = rng.pick([0, 1, 2, 0x2d, 0x39, 0x80, 0xff, rng.int(256)]);
    }
    assert.deepEqual(
      outcome(() => decodePlainItem(bytes)),
      outcome(() => unmarshallItem(decodeItem(bytes))),
      `seed ${rng.seed}`,
    );
  }
});

test("decodePlainItem() reports decodeItem's fault before a bad number text", () => {
  // N "--1" then an unknown tag: decodeItem fails on the tag before anything is unmarshalled.
  const bytes = new Uint8Array([1, 2, 1, 0x61, 2, 3, 0x2d, 0x2d, 0x31, 1, 0x62, 0x63]);
  assert.deepEqual(outcome(() => decodePlainItem(bytes)), outcome(() => decodeItem(bytes)));
  const proto = decodePlainItem(encodeItem(marshallItem(JSON.parse('{"__proto__":{"a":1}}'))));
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepEqual(Object.keys(proto), ["__proto__"]);
});

test("db.put(key, item) behaves as the merged item's put, errors and attribute order included", async () => {
  await using fast = await Database.memory();
  await using general = await Database.memory();
  const rng = new Rng();
  let stored = 0;
  for (let i = 0; i < 1500; i++) {
    const pk = rng.pick<unknown>(["p", "q", "é", "p", "q", "é", "", 5, undefined]);
    const sk = rng.pick<unknown>([undefined, "s", "日本", undefined, "s", "日本", "", 3]);
    const key = (rng.int(3) === 0 && sk === undefined ? pk : { pk, sk }) as DefaultKey;
    const item = itemUnderKey(rng, { pk: pk as string, sk: sk as string });
    const expected = await DefaultTableMethods.prototype.put.call(general, key, item)
      .then(() => "ok", (error) => `${error.code} ${error.message}`);
    const actual = await fast.put(key, item)
      .then(() => "ok", (error) => `${error.code} ${error.message}`);
    assert.equal(actual, expected, `seed ${rng.seed}`);
    if (actual !== "ok") continue;
    stored++;
    // The item read back as a list of entries, so that attribute order counts.
    const read = (db: Database) =>
      db.get(key).then((found) => Object.entries(found ?? {}), (error) => error.message);
    assert.deepEqual(await read(fast), await read(general), `seed ${rng.seed}`);
  }
  assert.ok(stored > 250, `only ${stored} puts were stored`);
  assert.deepEqual(await fast.scan({ limit: 10_000 }), await general.scan({ limit: 10_000 }));
});

test("Table put and get on the encoded path behave as the general path", async () => {
  await using db = await Database.memory();
  const t = await db.createTable("things", {
    partitionKey: { name: "pk", type: "S" },
    sortKey: { name: "sk", type: "N" },
  });
  const rng = new Rng();
  for (let i = 0; i < 500; i++) {
    const item = {
      ...object(rng, 0),
      pk: rng.pick(["p", "", 1, undefined]),
      sk: rng.pick([1, "s", 2.5]),
    };
    // returnValues "NONE" is the same request, but takes the general path.
    const general = await t.put(item, { returnValues: "NONE" }).then(() => "ok", (e) => e.message);
    const expected = general === "ok" ? await t.get({ pk: item.pk, sk: item.sk }) : undefined;
    await t.delete({ pk: "p", sk: 1 }).catch(() => {});
    const fast = await t.put(item).then(() => "ok", (e) => e.message);
    assert.equal(fast, general, `seed ${rng.seed}`);
    if (fast === "ok") assert.deepEqual(await t.get({ pk: item.pk, sk: item.sk }), expected);
  }
});
