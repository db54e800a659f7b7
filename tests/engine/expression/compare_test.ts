import { test } from "node:test";
import assert from "node:assert/strict";
import {
  beginsWith,
  compareUtf8,
  contains,
  orderValues,
  sizeOf,
  utf8Length,
  valuesEqual,
} from "../../../engine/expression/compare.ts";

const utf8 = new TextEncoder();

test("compareUtf8() agrees with comparing the UTF-8 bytes", () => {
  const samples = [
    "",
    "a",
    "ab",
    "b",
    "Z",
    "é",
    "\u07ff",
    "\u0800",
    "\uffff",
    "\ue000",
    "\ud7ff",
    "😀",
    "😀a",
    "\u{10ffff}",
    "～",
  ];
  for (const a of samples) {
    for (const b of samples) {
      const x = utf8.encode(a);
      const y = utf8.encode(b);
      let bytes = 0;
      for (let i = 0; i < Math.min(x.length, y.length) && bytes === 0; i++) bytes = x[i]! - y[i]!;
      if (bytes === 0) bytes = x.length - y.length;
      assert.equal(Math.sign(compareUtf8(a, b)), Math.sign(bytes), `${a} vs ${b}`);
    }
  }
});

test("utf8Length() matches TextEncoder", () => {
  for (const text of ["", "abc", "héllo", "😀", "\u0800", "a\ud800"]) {
    assert.equal(utf8Length(text), utf8.encode(text).length, text);
  }
});

test("valuesEqual() compares numbers by value and sets without order", () => {
  assert.ok(valuesEqual({ N: "10" }, { N: "10" }));
  assert.ok(!valuesEqual({ N: "10" }, { N: "1" }));
  assert.ok(valuesEqual({ NS: ["1", "2"] }, { NS: ["2", "1"] }));
  assert.ok(!valuesEqual({ L: [] }, { M: {} }));
  assert.ok(!valuesEqual({ NULL: true }, { BOOL: false }));
});

test("orderValues() orders only S, N and B of the same type", () => {
  assert.equal(orderValues({ BOOL: true }, { BOOL: false }), undefined);
  assert.equal(orderValues({ L: [] }, { L: [] }), undefined);
  assert.ok(
    (orderValues({ B: new Uint8Array([0x80]) }, { B: new Uint8Array([0x7f]) }) as number) > 0,
  );
});

test("beginsWith(), contains() and sizeOf() ignore mismatched types", () => {
  assert.ok(!beginsWith({ N: "12" }, { N: "1" }));
  assert.ok(!contains({ BOOL: true }, { BOOL: true }));
  assert.equal(sizeOf({ NULL: true }), undefined);
  assert.equal(sizeOf({ BS: [new Uint8Array(), new Uint8Array([1])] }), 2);
});
