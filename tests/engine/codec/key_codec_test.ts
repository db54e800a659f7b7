import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeKey,
  encodeKey,
  partitionKeyBytes,
  partitionPrefix,
  prefixEnd,
  sortKeyPrefix,
  stripeOf,
  tablePrefix,
  validateKeyValue,
} from "../../../engine/codec/key_codec.ts";
import { compareBytes, startsWith } from "../../../engine/codec/bytes.ts";
import { crc32 } from "../../../engine/codec/crc32.ts";
import { compareNumbers } from "../../../engine/model/decimal.ts";
import type { AttributeValue } from "../../../engine/model/attribute_value.ts";
import { KstoneError } from "../../../engine/errors.ts";
import { randomNumberText, Rng } from "../model/_rng.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
const bytesOf = (text: string) => new Uint8Array(text.split(" ").map((h) => parseInt(h, 16)));

/** Golden vectors: (table id, pk, sk) -> exact key bytes. */
const GOLDEN: Array<[number, AttributeValue, AttributeValue | undefined, string]> = [
  [
    1,
    { S: "user#123" },
    { S: "profile" },
    "00 00 00 01 53 75 73 65 72 23 31 32 33 00 01 53 70 72 6f 66 69 6c 65 00 01",
  ],
  [1, { S: "user#123" }, undefined, "00 00 00 01 53 75 73 65 72 23 31 32 33 00 01"],
  [0x01020304, { S: "" }, undefined, "01 02 03 04 53 00 01"],
  [2, { S: "a\0b" }, undefined, "00 00 00 02 53 61 00 ff 62 00 01"],
  [2, { S: "é" }, undefined, "00 00 00 02 53 c3 a9 00 01"],
  [2, { B: new Uint8Array([0, 0xff, 1]) }, undefined, "00 00 00 02 42 00 ff ff 01 00 01"],
  [2, { N: "0" }, undefined, "00 00 00 02 4e 02"],
  [2, { N: "1" }, undefined, "00 00 00 02 4e 03 82 0b 00"],
  [2, { N: "-1" }, undefined, "00 00 00 02 4e 01 7d f4 ff"],
  [2, { N: "123" }, undefined, "00 00 00 02 4e 03 84 0d 1f 00"],
  [2, { N: "12.5" }, undefined, "00 00 00 02 4e 03 83 0d 33 00"],
  [2, { N: "0.05" }, undefined, "00 00 00 02 4e 03 80 33 00"],
  [2, { N: "-0.05" }, undefined, "00 00 00 02 4e 01 7f cc ff"],
  [2, { N: "0." + "0".repeat(129) + "1" }, undefined, "00 00 00 02 4e 03 00 0b 00"],
  [
    2,
    { N: "9".repeat(38) + "0".repeat(88) },
    undefined,
    "00 00 00 02 4e 03 ff" + " 64".repeat(19) + " 00",
  ],
  [
    3,
    { N: "7" },
    { N: "-100" },
    "00 00 00 03 4e 03 82 47 00 4e 01 7b f4 ff",
  ],
];

test("encodeKey() writes the golden bytes and decodeKey() reads them back", () => {
  for (const [tableId, pk, sk, expected] of GOLDEN) {
    const key = encodeKey(tableId, pk, sk);
    assert.equal(hex(key), expected, JSON.stringify([pk, sk]));
    const decoded = decodeKey(bytesOf(expected));
    assert.deepEqual(decoded, sk === undefined ? { tableId, pk } : { tableId, pk, sk });
  }
});

const ALPHABET = [
  "a",
  "b",
  "z",
  "\0",
  "\x01",
  "\x7f",
  "é",
  "\u00ff",
  "€",
  "\uffff",
  "😀",
  "\u{10ffff}",
];

function randomString(rng: Rng): string {
  let out = "";
  const n = rng.int(6);
  for (let i = 0; i < n; i++) out += rng.pick(ALPHABET);
  return out;
}

function randomBytes(rng: Rng): Uint8Array {
  const out = new Uint8Array(rng.int(6));
  for (let i = 0; i < out.length; i++) {
    out[i] = rng.pick([0, 1, 0x7f, 0x80, 0xfe, 0xff, rng.int(256)]);
  }
  return out;
}

function randomKeyValue(rng: Rng, type: "S" | "N" | "B"): AttributeValue {
  if (type === "S") return { S: randomString(rng) };
  if (type === "B") return { B: randomBytes(rng) };
  return { N: randomNumberText(rng) };
}

function compareValues(a: AttributeValue, b: AttributeValue): number {
  if ("S" in a && "S" in b) return compareBytes(utf8(a.S), utf8(b.S));
  if ("B" in a && "B" in b) return compareBytes(a.B, b.B);
  if ("N" in a && "N" in b) return compareNumbers(a.N, b.N);
  throw new Error("mixed types");
}

for (const type of ["S", "N", "B"] as const) {
  test(`encodeKey() orders ${type} keys by value (random, seeded)`, () => {
    const rng = new Rng();
    const values = Array.from({ length: 300 }, () => randomKeyValue(rng, type));
    for (let i = 0; i < 3000; i++) {
      const a = rng.pick(values);
      const b = rng.pick(values);
      const expected = Math.sign(compareValues(a, b));
      const actual = Math.sign(compareBytes(encodeKey(2, a), encodeKey(2, b)));
      assert.equal(
        actual,
        expected,
        `seed ${rng.seed}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
      );
    }
    for (const value of values) {
      assert.deepEqual(
        decodeKey(encodeKey(2, value)),
        { tableId: 2, pk: value },
        `seed ${rng.seed}`,
      );
    }
  });
}

test("encodeKey() sorts by table, partition key, then no sort key first, then sort key", () => {
  const rng = new Rng();
  type Row = [number, AttributeValue, AttributeValue | undefined];
  const rows: Row[] = [];
  for (let i = 0; i < 400; i++) {
    const sk = rng.int(4) === 0 ? undefined : randomKeyValue(rng, "N");
    rows.push([rng.int(3), randomKeyValue(rng, "S"), sk]);
  }
  const expected = [...rows].sort((x, y) => {
    if (x[0] !== y[0]) return x[0] - y[0];
    const pk = compareValues(x[1], y[1]);
    if (pk !== 0) return pk;
    if (x[2] === undefined || y[2] === undefined) {
      return (x[2] === undefined ? 0 : 1) - (y[2] === undefined ? 0 : 1);
    }
    return compareValues(x[2], y[2]);
  }).map((r) => hex(encodeKey(...r)));
  const actual = rows.map((r) => encodeKey(...r)).sort(compareBytes).map(hex);
  assert.deepEqual(actual, expected, `seed ${rng.seed}`);
  for (const row of rows) {
    const decoded = decodeKey(encodeKey(...row));
    assert.deepEqual([decoded.tableId, decoded.pk, decoded.sk], row);
  }
});

test("partitionPrefix() is shared by exactly the keys of that partition", () => {
  const rng = new Rng();
  for (let i = 0; i < 2000; i++) {
    const type = rng.pick(["S", "B", "N"] as const);
    const pk = randomKeyValue(rng, type);
    const other = randomKeyValue(rng, type);
    const sk = rng.int(3) === 0
      ? undefined
      : randomKeyValue(rng, rng.pick(["S", "B", "N"] as const));
    const key = encodeKey(5, other, sk);
    const same = compareValues(pk, other) === 0;
    assert.equal(startsWith(key, partitionPrefix(5, pk)), same, `seed ${rng.seed}`);
    assert.ok(startsWith(key, tablePrefix(5)));
    assert.ok(!startsWith(key, tablePrefix(4)));
  }
  assert.deepEqual(partitionPrefix(1, { S: "a" }), encodeKey(1, { S: "a" }));
});

test("sortKeyPrefix() matches exactly the sort keys that begin with the prefix", () => {
  const rng = new Rng();
  const pk: AttributeValue = { S: "p" };
  for (let i = 0; i < 3000; i++) {
    const binary = rng.int(2) === 0;
    const sk = binary ? randomKeyValue(rng, "B") : randomKeyValue(rng, "S");
    const prefix = binary
      ? { B: randomBytes(rng).subarray(0, rng.int(3)) }
      : { S: randomString(rng).slice(0, 2) };
    const skBytes = "S" in sk ? utf8(sk.S) : (sk as { B: Uint8Array }).B;
    const prefixBytes = "S" in prefix ? utf8(prefix.S) : prefix.B;
    const expected = startsWith(skBytes, prefixBytes);
    const key = encodeKey(1, pk, sk);
    assert.equal(startsWith(key, sortKeyPrefix(1, pk, prefix)), expected, `seed ${rng.seed}`);
    // Never matches another partition or the item without a sort key.
    assert.ok(!startsWith(encodeKey(1, { S: "q" }, sk), sortKeyPrefix(1, pk, prefix)));
    assert.ok(!startsWith(encodeKey(1, pk), sortKeyPrefix(1, pk, prefix)));
  }
  assert.throws(() => sortKeyPrefix(1, pk, { N: "1" }), /begins_with, operand type: N/);
});

test("prefixEnd() bounds every string with the prefix and nothing else", () => {
  const cases: Array<[number[], number[] | undefined]> = [
    [[1, 2, 3], [1, 2, 4]],
    [[1, 0xff], [2]],
    [[1, 0xfe, 0xff, 0xff], [1, 0xff]],
    [[0xff, 0xff], undefined],
    [[], undefined],
  ];
  for (const [prefix, end] of cases) {
    const result = prefixEnd(new Uint8Array(prefix));
    assert.deepEqual(result === undefined ? undefined : Array.from(result), end);
  }
  const rng = new Rng();
  for (let i = 0; i < 2000; i++) {
    const prefix = randomBytes(rng);
    const end = prefixEnd(prefix);
    const s = new Uint8Array([
      ...prefix.subarray(0, rng.int(prefix.length + 1)),
      ...randomBytes(rng),
    ]);
    if (startsWith(s, prefix)) assert.ok(end === undefined || compareBytes(s, end) < 0);
    else if (compareBytes(s, prefix) > 0) assert.ok(end !== undefined && compareBytes(s, end) >= 0);
  }
});

test("tablePrefix() is the big-endian u32 table id", () => {
  assert.deepEqual(Array.from(tablePrefix(0)), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(tablePrefix(0xfffffffe)), [0xff, 0xff, 0xff, 0xfe]);
  assert.throws(() => tablePrefix(-1), RangeError);
  assert.throws(() => tablePrefix(2 ** 32), RangeError);
  assert.throws(() => encodeKey(1.5, { S: "a" }), RangeError);
});

test("encodeKey() rejects values that are not S, N or B", () => {
  assert.throws(() => encodeKey(1, { BOOL: true }), { code: "VALIDATION" });
  assert.throws(
    () => encodeKey(1, { S: "a" }, { NULL: true }),
    /sort key must be of type S, N or B/,
  );
});

function assertCorruption(bytes: number[], message: RegExp): void {
  assert.throws(() => decodeKey(new Uint8Array(bytes)), (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, "CORRUPTION");
    assert.match(error.message, message);
    return true;
  });
}

test("decodeKey() reports malformed keys as corruption", () => {
  assertCorruption([0, 0, 0], /too short/);
  assertCorruption([0, 0, 0, 1, 0x58, 0, 1], /unknown tag 88/);
  assertCorruption([0, 0, 0, 1, 0x53, 0x61], /unterminated/);
  assertCorruption([0, 0, 0, 1, 0x53, 0x61, 0], /unterminated|bad escape/);
  assertCorruption([0, 0, 0, 1, 0x53, 0x61, 0, 2], /bad escape/);
  assertCorruption([0, 0, 0, 1, 0x53, 0, 1, 0x53, 0, 1, 7], /1 extra bytes/);
  assertCorruption([0, 0, 0, 1, 0x4e, 0x07], /bad sign byte/);
  assertCorruption([0, 0, 0, 1, 0x4e, 0x03, 0x82], /cut/);
  assertCorruption([0, 0, 0, 1, 0x4e, 0x03, 0x82, 0x70, 0], /bad digit byte/);
  assertCorruption([0, 0, 0, 1, 0x4e, 0x03, 0x82, 0x01, 0], /not canonical/);
  assertCorruption([0, 0, 0, 1, 0x4e, 0x03, 0x82, 0], /not canonical/);
  assertCorruption([0, 0, 0, 1, 0x4e, 0x03, 0x82, ...new Array(20).fill(0x0c), 0], /bad digit/);
});

test("stripeOf() is crc32 of the partition key bytes mod 256, as in the Rust original", () => {
  const stripes: Array<[string, number]> = [
    ["user#123", 125],
    ["key0", 198],
    ["key1", 80],
    ["test1", 226],
    ["active", 2],
    ["electronics", 200],
  ];
  for (const [pk, stripe] of stripes) assert.equal(stripeOf({ S: pk }), stripe, pk);
  assert.equal(stripeOf({ S: "é".repeat(300) }), crc32(utf8("é".repeat(300))) % 256);
  assert.equal(stripeOf({ S: "x".repeat(300) }), crc32(utf8("x".repeat(300))) % 256);
  assert.equal(stripeOf({ N: "-1.5" }), crc32(utf8("-1.5")) % 256);
  assert.equal(stripeOf({ B: new Uint8Array([1, 2]) }), crc32(new Uint8Array([1, 2])) % 256);
  assert.deepEqual(partitionKeyBytes({ S: "é" }), new Uint8Array([0xc3, 0xa9]));
  assert.throws(() => stripeOf({ BOOL: true }), { code: "VALIDATION" });
});

test("validateKeyValue() enforces DynamoDB's key rules with their messages", () => {
  validateKeyValue("pk", { S: "x".repeat(2048) }, "partition");
  validateKeyValue("pk", { S: "é".repeat(1024) }, "partition");
  validateKeyValue("sk", { B: new Uint8Array(1024) }, "sort");
  validateKeyValue("sk", { N: "-1.5" }, "sort");
  const cases: Array<[string, AttributeValue, "partition" | "sort", string]> = [
    [
      "pk",
      { S: "x".repeat(3000) },
      "partition",
      "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes: actual 3000",
    ],
    [
      "pk",
      { S: "é".repeat(1025) },
      "partition",
      "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes: actual 2050",
    ],
    [
      "sk",
      { B: new Uint8Array(1025) },
      "sort",
      "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes: actual 1025",
    ],
    [
      "pk",
      { S: "" },
      "partition",
      "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
    ],
    [
      "sk",
      { B: new Uint8Array(0) },
      "sort",
      "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: sk",
    ],
    [
      "pk",
      { BOOL: true },
      "partition",
      "One or more parameter values were invalid: Type mismatch for key pk expected: S, N or B actual: BOOL",
    ],
    [
      "pk",
      { N: "1.0" },
      "partition",
      "One or more parameter values were invalid: Key pk is not a canonical number: 1.0",
    ],
  ];
  for (const [name, value, role, message] of cases) {
    assert.throws(() => validateKeyValue(name, value, role), { code: "VALIDATION", message });
  }
});
