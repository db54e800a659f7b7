import { test } from "node:test";
import assert from "node:assert/strict";
import {
  marshall,
  marshallItem,
  unmarshall,
  unmarshallItem,
} from "../../../engine/model/marshall.ts";
import { NumberValue } from "../../../engine/model/number_value.ts";
import type { AttributeValue } from "../../../engine/model/attribute_value.ts";

test("marshall() maps each JS type to its AttributeValue", () => {
  const bytes = new Uint8Array([1, 2]);
  const cases: Array<[unknown, AttributeValue]> = [
    ["", { S: "" }],
    ["hi", { S: "hi" }],
    [0, { N: "0" }],
    [-0, { N: "0" }],
    [1.5, { N: "1.5" }],
    [1e21, { N: "1000000000000000000000" }],
    [12345678901234567890n, { N: "12345678901234567890" }],
    [new NumberValue("1.50"), { N: "1.5" }],
    [true, { BOOL: true }],
    [false, { BOOL: false }],
    [null, { NULL: true }],
    [bytes, { B: bytes }],
    [[], { L: [] }],
    [[1, "a", null], { L: [{ N: "1" }, { S: "a" }, { NULL: true }] }],
    [{}, { M: {} }],
    [{ a: { b: [true] } }, { M: { a: { M: { b: { L: [{ BOOL: true }] } } } } }],
    [Object.assign(Object.create(null), { x: 1 }), { M: { x: { N: "1" } } }],
    [new Map([["k", "v"]]), { M: { k: { S: "v" } } }],
    [new Set(["a", "b"]), { SS: ["a", "b"] }],
    [new Set([1, 2n, new NumberValue("3.0")]), { NS: ["1", "2", "3"] }],
    [new Set([bytes]), { BS: [bytes] }],
  ];
  for (const [value, expected] of cases) assert.deepEqual(marshall(value), expected);
});

test("marshall() takes every ArrayBuffer view and ArrayBuffer as B, without copying", () => {
  const buffer = new ArrayBuffer(4);
  new Uint8Array(buffer).set([1, 2, 3, 4]);
  const b = (value: unknown) => (marshall(value) as { B: Uint8Array }).B;
  assert.deepEqual(b(buffer), new Uint8Array([1, 2, 3, 4]));
  assert.deepEqual(b(new DataView(buffer, 1, 2)), new Uint8Array([2, 3]));
  assert.deepEqual(b(new Uint16Array(buffer, 2, 1)), new Uint8Array([3, 4]));
  assert.deepEqual(b(new Int8Array([-1])), new Uint8Array([255]));
  assert.equal(b(new Uint8Array(buffer)).buffer, buffer);
  assert.deepEqual(marshall(new Set([new Uint16Array([0x0101])])), {
    BS: [new Uint8Array([1, 1])],
  });
});

test("marshallItem() leaves out undefined properties, as JSON does", () => {
  assert.deepEqual(marshallItem({ a: 1, b: undefined, c: { d: undefined, e: "x" } }), {
    a: { N: "1" },
    c: { M: { e: { S: "x" } } },
  });
  assert.deepEqual(
    marshallItem(new Map<string, unknown>([["a", undefined], ["b", true]]) as never),
    {
      b: { BOOL: true },
    },
  );
});

test("marshall() refuses unsupported values and names their path", () => {
  class Point {
    x = 1;
  }
  const cases: Array<[unknown, string]> = [
    [{ a: { b: [0, 1, new Date(0)] } }, "Cannot marshall value at 'a.b[2]': unsupported type Date"],
    [{ a: [undefined] }, "Cannot marshall value at 'a[0]': unsupported type undefined"],
    [{ f() {} }, "Cannot marshall value at 'f': unsupported type function"],
    [{ s: Symbol("x") }, "Cannot marshall value at 's': unsupported type symbol"],
    [{ p: new Point() }, "Cannot marshall value at 'p': unsupported type Point"],
    [{ r: /x/ }, "Cannot marshall value at 'r': unsupported type RegExp"],
    [{ n: new Number(1) }, "Cannot marshall value at 'n': unsupported type Number"],
    [
      { m: new Map([[1, "x"]]) },
      "Cannot marshall value at 'm': Map key of type number is not a string",
    ],
    [{ m: new Map([["k", new Date(0)]]) }, "Cannot marshall value at 'm.k': unsupported type Date"],
    [
      { x: NaN },
      "Cannot marshall value at 'x': The parameter cannot be converted to a numeric value: NaN",
    ],
    [
      { x: [Infinity] },
      "Cannot marshall value at 'x[0]': The parameter cannot be converted to a numeric value: Infinity",
    ],
    [
      { x: 10n ** 40n + 1n },
      "Cannot marshall value at 'x': Attempting to store more than 38 significant digits in a Number: 10000000000000000000000000000000000000001",
    ],
    [
      { tags: new Set() },
      "Cannot marshall value at 'tags': an empty Set has no DynamoDB type (DynamoDB sets may not be empty)",
    ],
    [
      { tags: new Set(["a", 1]) },
      "Cannot marshall value at 'tags': Set mixes string and number elements",
    ],
    [
      { tags: new Set([null]) },
      "Cannot marshall value at 'tags': Set element of unsupported type object",
    ],
    [
      { tags: new Set([true]) },
      "Cannot marshall value at 'tags': Set element of unsupported type boolean",
    ],
    [
      { n: new Set([1, 1n]) },
      "Cannot marshall value at 'n': Input collection contains duplicates: 1",
    ],
    [
      { n: new Set([1.5, new NumberValue("1.50")]) },
      "Cannot marshall value at 'n': Input collection contains duplicates: 1.5",
    ],
    [
      { b: new Set([new Uint8Array([1]), new Uint8Array([1])]) },
      "Cannot marshall value at 'b': Input collection contains duplicates: [1]",
    ],
  ];
  for (const [item, message] of cases) {
    assert.throws(() => marshallItem(item as Record<string, unknown>), {
      code: "VALIDATION",
      message,
    });
  }
  assert.throws(() => marshall(undefined), {
    message: "Cannot marshall value: unsupported type undefined",
  });
  assert.throws(() => marshall([new Date(0)], "list"), {
    message: "Cannot marshall value at 'list[0]': unsupported type Date",
  });
  assert.throws(() => marshallItem([] as never), {
    message: "Cannot marshall value: an item must be a plain object, not Array",
  });
  assert.throws(() => marshallItem(null as never), {
    message: "Cannot marshall value: an item must be a plain object, not object",
  });
});

test("marshall() allows 31 nested lists and maps, refuses 32, and so stops on cycles", () => {
  const message =
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";
  let ok: unknown = "leaf";
  for (let i = 0; i < 31; i++) ok = i % 2 ? [ok] : { n: ok };
  marshallItem({ a: ok });
  assert.throws(() => marshallItem({ a: [ok] }), {
    code: "VALIDATION",
    message: new RegExp(message),
  });
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => marshallItem({ cycle }), /Nesting Levels have exceeded/);
  const list: unknown[] = [];
  list.push(list);
  assert.throws(() => marshall(list), /Nesting Levels have exceeded/);
});

test("unmarshall() maps each AttributeValue back to JS", () => {
  const bytes = new Uint8Array([7]);
  const cases: Array<[AttributeValue, unknown]> = [
    [{ S: "x" }, "x"],
    [{ N: "-1.5" }, -1.5],
    [{ N: "12345678901234567890" }, new NumberValue("12345678901234567890")],
    [{ N: "0.1000000000000000001" }, new NumberValue("0.1000000000000000001")],
    [{ BOOL: false }, false],
    [{ NULL: true }, null],
    [{ B: bytes }, bytes],
    [{ L: [{ N: "1" }, { S: "a" }] }, [1, "a"]],
    [{ M: { a: { M: {} } } }, { a: {} }],
    [{ SS: ["a", "b"] }, new Set(["a", "b"])],
    [{ NS: ["1", "99999999999999999999"] }, new Set([1, new NumberValue("99999999999999999999")])],
    [{ BS: [bytes] }, new Set([bytes])],
  ];
  for (const [value, expected] of cases) assert.deepEqual(unmarshall(value), expected);
  assert.throws(() => unmarshall({} as AttributeValue), TypeError);
});

test("unmarshallItem() returns plain objects, keeping __proto__ as an own property", () => {
  const item = JSON.parse('{"__proto__":{"S":"x"},"m":{"M":{"__proto__":{"N":"1"}}}}');
  const plain = unmarshallItem(item) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(plain), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(plain, "__proto__")?.value, "x");
  const m = plain.m as object;
  assert.equal(Object.getPrototypeOf(m), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(m, "__proto__")?.value, 1);
  // And back: marshallItem reads own __proto__ properties too.
  assert.deepEqual(marshallItem(plain), item);
});

test("unmarshallItem(marshallItem(x)) gives back x", () => {
  const value = {
    pk: "user#1",
    n: 3.25,
    big: new NumberValue("123456789012345678901234567890"),
    ok: true,
    none: null,
    bytes: new Uint8Array([0, 255]),
    list: [1, ["nested", { deep: false }]],
    map: { a: { b: "c" } },
    ss: new Set(["x", "y"]),
    ns: new Set([1, 2.5]),
    bs: new Set([new Uint8Array([1])]),
  };
  assert.deepEqual(unmarshallItem(marshallItem(value)), value);
});
