import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeItem,
  decodePlainItem,
  encodeItem,
  encodePlainItem,
  encodeValidItem,
  itemSize,
  utf8Length,
  validateItemSize,
} from "../../../engine/codec/item_codec.ts";
import type { AttributeMap, AttributeValue } from "../../../engine/model/attribute_value.ts";
import { KstoneError } from "../../../engine/errors.ts";
import { unmarshallItem } from "../../../engine/model/marshall.ts";
import { randomNumberText, Rng } from "../model/_rng.ts";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
const bytesOf = (text: string) => new Uint8Array(text.split(" ").map((h) => parseInt(h, 16)));

/** Golden vectors: item -> exact bytes (version 01, count, then name and tagged value). */
const GOLDEN: Array<[AttributeMap, string]> = [
  [{}, "01 00"],
  [{ a: { S: "hi" } }, "01 01 01 61 01 02 68 69"],
  [{ a: { S: "" } }, "01 01 01 61 01 00"],
  [{ a: { N: "-1.5" } }, "01 01 01 61 02 04 2d 31 2e 35"],
  [{ a: { B: new Uint8Array([0, 255]) } }, "01 01 01 61 03 02 00 ff"],
  [{ a: { BOOL: false } }, "01 01 01 61 04"],
  [{ a: { BOOL: true } }, "01 01 01 61 05"],
  [{ a: { NULL: true } }, "01 01 01 61 06"],
  [{ a: { L: [{ S: "x" }, { NULL: true }] } }, "01 01 01 61 07 02 01 01 78 06"],
  [{ a: { L: [] } }, "01 01 01 61 07 00"],
  [{ a: { M: { b: { BOOL: true } } } }, "01 01 01 61 08 01 01 62 05"],
  [{ a: { SS: ["x", "y"] } }, "01 01 01 61 09 02 01 78 01 79"],
  [{ a: { NS: ["1", "-2"] } }, "01 01 01 61 0a 02 01 31 02 2d 32"],
  [{ a: { BS: [new Uint8Array([1]), new Uint8Array([])] } }, "01 01 01 61 0b 02 01 01 00"],
  [{ "é": { S: "€" } }, "01 01 02 c3 a9 01 03 e2 82 ac"],
  [{ a: { S: "x".repeat(200) } }, "01 01 01 61 01 c8 01" + " 78".repeat(200)],
  [{ a: { S: "é".repeat(50) } }, "01 01 01 61 01 64" + " c3 a9".repeat(50)],
  [{ pk: { S: "u" }, n: { N: "7" } }, "01 02 02 70 6b 01 01 75 01 6e 02 01 37"],
];

test("encodeItem() writes the golden bytes and decodeItem() reads them back", () => {
  for (const [item, expected] of GOLDEN) {
    assert.equal(hex(encodeItem(item)), expected, JSON.stringify(item));
    assert.deepEqual(decodeItem(bytesOf(expected)), item);
  }
});

test("decodePlainItem() reads the golden bytes as unmarshallItem does; encodePlainItem() writes them", () => {
  for (const [item, expected] of GOLDEN) {
    const plain = unmarshallItem(item);
    assert.deepEqual(decodePlainItem(bytesOf(expected)), plain, expected);
    const encoded = encodePlainItem(plain);
    if (encoded !== undefined) assert.equal(hex(encoded), expected, expected);
  }
});

test("encodeItem() writes a varint count for maps of 128 or more attributes", () => {
  const item: Record<string, AttributeValue> = {};
  for (let i = 0; i < 300; i++) item[`a${i}`] = { N: String(i) };
  const bytes = encodeItem(item);
  assert.deepEqual(Array.from(bytes.subarray(0, 3)), [0x01, 0xac, 0x02]);
  assert.deepEqual(decodeItem(bytes), item);
  const nested = encodeItem({ m: { M: item } });
  assert.deepEqual(Array.from(nested.subarray(0, 7)), [0x01, 0x01, 0x01, 0x6d, 0x08, 0xac, 0x02]);
  assert.deepEqual(decodeItem(nested), { m: { M: item } });
});

const NAMES = ["pk", "sk", "a", "é", "__proto__", "constructor", "x".repeat(40), "0", ""];
const STRINGS = ["", "a", "hello", "\0", "é€😀", "x".repeat(100), "ünïcödé ".repeat(10)];

function randomValue(rng: Rng, depth: number): AttributeValue {
  const kind = rng.int(depth > 3 ? 8 : 10);
  switch (kind) {
    case 0:
      return { S: rng.pick(STRINGS) + rng.int(1000) };
    case 1:
      return { N: randomNumberText(rng) };
    case 2:
      return { B: Uint8Array.from({ length: rng.int(20) }, () => rng.int(256)) };
    case 3:
      return { BOOL: rng.int(2) === 0 };
    case 4:
      return { NULL: true };
    case 5:
      return {
        SS: Array.from(new Set(Array.from({ length: 1 + rng.int(4) }, () => rng.pick(STRINGS)))),
      };
    case 6:
      return {
        NS: Array.from(
          new Set(Array.from({ length: 1 + rng.int(4) }, () => randomNumberText(rng))),
        ),
      };
    case 7:
      return { BS: Array.from({ length: 1 + rng.int(3) }, () => Uint8Array.from([rng.int(256)])) };
    case 8:
      return { L: Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1)) };
    default:
      return { M: randomItem(rng, depth + 1) };
  }
}

function randomItem(rng: Rng, depth = 0): AttributeMap {
  const item: Record<string, AttributeValue> = {};
  const n = rng.int(6);
  for (let i = 0; i < n; i++) {
    const name = rng.pick(NAMES) + (rng.int(2) === 0 ? "" : String(i));
    const value = randomValue(rng, depth);
    if (name === "__proto__") {
      Object.defineProperty(item, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else if (name !== "") item[name] = value;
  }
  return item;
}

test("decodeItem(encodeItem(x)) equals x for random items (seeded)", () => {
  const rng = new Rng();
  for (let i = 0; i < 1000; i++) {
    const item = randomItem(rng);
    assert.deepEqual(decodeItem(encodeItem(item)), item, `seed ${rng.seed}`);
  }
});

test("encodeValidItem() counts sizes as itemSize() does: same bytes, same 400 KB boundary (seeded)", () => {
  const rng = new Rng();
  for (let i = 0; i < 300; i++) {
    const item = randomItem(rng);
    assert.deepEqual(encodeValidItem(item), encodeItem(item), `seed ${rng.seed}`);
    // Pad the item with a string that brings it to exactly 400 KB, then one byte over.
    const room = 409_600 - itemSize(item) - "pad".length;
    const full = { ...item, pad: { S: "x".repeat(room) } };
    assert.equal(itemSize(full), 409_600);
    encodeValidItem(full);
    const over = { ...item, pad: { S: "x".repeat(room + 1) } };
    assert.throws(() => encodeValidItem(over), /actual 409601 bytes/, `seed ${rng.seed}`);
  }
});

test("encodeValidItem() refuses empty and over-long (64 KiB) attribute names, nested ones too", () => {
  for (const item of [{ "": { S: "a" } }, { m: { M: { ["n".repeat(65_536)]: { NULL: true } } } }]) {
    assert.throws(() => encodeValidItem(item as AttributeMap), /attribute name size/);
  }
});

test("decodeItem() keeps an attribute named __proto__ as an own property", () => {
  const item = JSON.parse('{"__proto__":{"S":"x"},"a":{"M":{"__proto__":{"N":"1"}}}}');
  const decoded = decodeItem(encodeItem(item));
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  assert.deepEqual(Object.keys(decoded), ["__proto__", "a"]);
  assert.deepEqual(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value, { S: "x" });
});

test("decodeItem() copies bytes out of its input", () => {
  const input = encodeItem({ b: { B: new Uint8Array([1, 2, 3]) } });
  const decoded = decodeItem(input) as { b: { B: Uint8Array } };
  input.fill(0);
  assert.deepEqual(decoded.b.B, new Uint8Array([1, 2, 3]));
});

function assertKstoneError(fn: () => unknown, codes: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof KstoneError, String(error));
    assert.ok(codes.includes(error.code), error.code);
    return true;
  });
}

test("decodeItem() reports malformed input as corruption", () => {
  const cases: Array<[string, RegExp]> = [
    ["", /no format version/],
    ["00 00", /no format version/],
    ["01", /truncated/],
    ["01 01", /count 1 at offset 2 is too big/],
    ["01 01 01 61 0c", /unknown tag 12/],
    ["01 01 01 61 01 05 61", /cut/],
    ["01 01 01 61 02 01 78", /number at offset 6 is bad/],
    ["01 01 01 61 02 00", /number at offset 6 is empty/],
    ["01 01 01 61 09 00", /set at offset 6 is empty/],
    ["01 01 01 61 07 ff ff ff 7f", /count .* too big/],
    ["01 00 00", /1 extra bytes/],
    ["01 80 00", /not minimally encoded/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => decodeItem(bytesOf(input || "00").subarray(0, input ? undefined : 0)),
      (error: unknown) => {
        assert.ok(error instanceof KstoneError);
        assert.equal(error.code, "CORRUPTION", input);
        assert.match(error.message, message, input);
        return true;
      },
    );
  }
});

test("decodeItem() refuses a newer format version as NOT_SUPPORTED", () => {
  assert.throws(() => decodeItem(bytesOf("02 00")), {
    code: "NOT_SUPPORTED",
    message: "Item format version 2 is newer than this kstone supports (1)",
  });
});

test("decodeItem() never crashes or hangs on truncated, flipped or random bytes", () => {
  const rng = new Rng();
  for (let i = 0; i < 200; i++) {
    const bytes = encodeItem(randomItem(rng));
    for (let cut = 0; cut < bytes.length; cut++) {
      assertKstoneError(() => decodeItem(bytes.subarray(0, cut)), ["CORRUPTION"]);
    }
    const flipped = bytes.slice();
    const at = 1 + rng.int(bytes.length - 1);
    flipped[at] = flipped[at]! ^ (1 << rng.int(8));
    try {
      decodeItem(flipped);
    } catch (error) {
      assert.ok(error instanceof KstoneError, `seed ${rng.seed}: ${error}`);
    }
  }
  for (let i = 0; i < 2000; i++) {
    const noise = Uint8Array.from({ length: rng.int(40) }, () => rng.int(256));
    noise[0] = 1;
    try {
      decodeItem(noise);
    } catch (error) {
      assert.ok(error instanceof KstoneError, `seed ${rng.seed}: ${error}`);
    }
  }
  // Deep nesting in the input is corruption, not a stack overflow.
  const deep = new Uint8Array(3 + 100000 * 2);
  deep.set([1, 1, 1, 0x61]);
  for (let i = 4; i < deep.length - 1; i += 2) deep.set([0x07, 0x01], i);
  assertKstoneError(() => decodeItem(deep), ["CORRUPTION"]);
});

function nest(levels: number): AttributeValue {
  let value: AttributeValue = { S: "leaf" };
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { M: { n: value } } : { L: [value] };
  return value;
}

test("encodeItem() accepts 31 levels of L/M nesting and refuses 32 (DynamoDB's limit)", () => {
  const ok = { a: nest(31) };
  assert.deepEqual(decodeItem(encodeItem(ok)), ok);
  assert.equal(validateItemSize(ok) > 0, true);
  const message =
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";
  assert.throws(() => encodeItem({ a: nest(32) }), { code: "VALIDATION", message });
  assert.throws(() => itemSize({ a: nest(32) }), { code: "VALIDATION", message });
  // The limit counts containers, so a 32nd one is refused even when empty.
  let empty: AttributeValue = { M: {} };
  for (let i = 0; i < 30; i++) empty = { L: [empty] };
  assert.deepEqual(decodeItem(encodeItem({ a: empty })), { a: empty });
  assert.throws(() => encodeItem({ a: { L: [empty] } }), { code: "VALIDATION", message });
});

test("itemSize() follows DynamoDB's item size rules", () => {
  const cases: Array<[AttributeMap, number]> = [
    [{}, 0],
    [{ pk: { S: "abc" } }, 5],
    [{ "é": { S: "€😀" } }, 2 + 3 + 4],
    [{ b: { B: new Uint8Array(10) } }, 11],
    [{ t: { BOOL: true } }, 2],
    [{ z: { NULL: true } }, 2],
    [{ l: { L: [] } }, 4],
    [{ m: { M: {} } }, 4],
    [{ l: { L: [{ S: "xy" }] } }, 1 + 3 + 1 + 2],
    [{ m: { M: { a: { N: "1" } } } }, 1 + 3 + 1 + 1 + 2],
    [{ s: { SS: ["ab", "c"] } }, 1 + 3],
    [{ s: { NS: ["1", "-1"] } }, 1 + 2 + 3],
    [{ s: { BS: [new Uint8Array(2), new Uint8Array(3)] } }, 1 + 5],
  ];
  for (const [item, size] of cases) assert.equal(itemSize(item), size, JSON.stringify(item));
});

test("itemSize() sizes numbers as digit pairs aligned on the point, + 1, + 1 if negative", () => {
  const cases: Array<[string, number]> = [
    ["0", 1],
    ["1", 2],
    ["9", 2],
    ["10", 2],
    ["12", 2],
    ["123", 3],
    ["1.2", 3],
    ["12.3", 3],
    ["0.12", 2],
    ["0.012", 3],
    ["12345", 4],
    ["-1", 3],
    ["-12345", 5],
    ["1" + "0".repeat(125), 2],
    ["12345678901234567890123456789012345678", 20],
    ["1.2345678901234567890123456789012345678", 21],
    ["0." + "0".repeat(129) + "1", 2],
  ];
  for (const [n, size] of cases) assert.equal(itemSize({ x: { N: n } }), 1 + size, n);
});

test("validateItemSize() allows 400 KB and refuses a byte more, naming both sizes", () => {
  const name = "a";
  const fits = { [name]: { S: "x".repeat(409600 - 1) } };
  assert.equal(validateItemSize(fits), 409600);
  assert.throws(() => validateItemSize({ [name]: { S: "x".repeat(409600) } }), {
    code: "VALIDATION",
    message:
      "Item size has exceeded the maximum allowed size: limit 409600 bytes (400 KB), actual 409601 bytes",
  });
});

test("itemSize() refuses empty and over-long attribute names", () => {
  assert.throws(() => itemSize({ "": { S: "x" } }), { code: "VALIDATION", message: /actual 0$/ });
  assert.throws(() => itemSize({ m: { M: { "": { S: "x" } } } }), { code: "VALIDATION" });
  itemSize({ ["n".repeat(65535)]: { S: "x" } });
  assert.throws(() => itemSize({ ["n".repeat(65536)]: { S: "x" } }), /actual 65536$/);
});

test("utf8Length() agrees with TextEncoder, lone surrogates included", () => {
  const rng = new Rng();
  const units = [0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0xd83d, 0xde00, 0xdbff, 0xdc00, 0];
  for (let i = 0; i < 3000; i++) {
    const text = String.fromCharCode(...Array.from({ length: rng.int(8) }, () => rng.pick(units)));
    assert.equal(utf8Length(text), new TextEncoder().encode(text).length, JSON.stringify(text));
  }
});

test("encodeItem() refuses what decodeItem() could not read back", () => {
  const cases: Array<[AttributeMap, RegExp]> = [
    [{ s: { SS: [] } }, /An string set may not be empty/],
    [{ s: { NS: [] } }, /An number set may not be empty/],
    [{ s: { BS: [] } }, /An binary set may not be empty/],
    [{ n: { N: "1e3" } }, /number "1e3" is not canonical/],
    [{ n: { N: "" } }, /number "" is not canonical/],
    [{ n: { NS: ["1", "NaN"] } }, /number "NaN" is not canonical/],
    [{ x: {} as AttributeValue }, /no known type/],
  ];
  for (const [item, message] of cases) {
    assert.throws(() => encodeItem(item), { code: "VALIDATION", message });
  }
  // The scratch buffer is reset after a failure.
  assert.equal(hex(encodeItem({ a: { NULL: true } })), "01 01 01 61 06");
});
