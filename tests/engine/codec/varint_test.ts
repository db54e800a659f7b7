import { test } from "node:test";
import assert from "node:assert/strict";
import { readVarint, varintLength, writeVarint } from "../../../engine/codec/varint.ts";
import { KstoneError } from "../../../engine/errors.ts";
import { Rng } from "../model/_rng.ts";

/** Golden vectors: value -> exact bytes. */
const GOLDEN: Array<[number, number[]]> = [
  [0, [0x00]],
  [1, [0x01]],
  [127, [0x7f]],
  [128, [0x80, 0x01]],
  [300, [0xac, 0x02]],
  [16383, [0xff, 0x7f]],
  [16384, [0x80, 0x80, 0x01]],
  [2 ** 21 - 1, [0xff, 0xff, 0x7f]],
  [2 ** 28 - 1, [0xff, 0xff, 0xff, 0x7f]],
  [2 ** 28, [0x80, 0x80, 0x80, 0x80, 0x01]],
  [2 ** 31, [0x80, 0x80, 0x80, 0x80, 0x08]],
  [2 ** 32 - 1, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  [2 ** 32, [0x80, 0x80, 0x80, 0x80, 0x10]],
  [2 ** 35, [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [2 ** 49, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [Number.MAX_SAFE_INTEGER, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
];

function assertCorruption(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, "CORRUPTION");
    assert.match(error.message, message);
    return true;
  });
}

test("writeVarint() writes the golden bytes and returns the end offset", () => {
  for (const [value, bytes] of GOLDEN) {
    const out = new Uint8Array(10).fill(0xee);
    const end = writeVarint(out, 1, value);
    assert.equal(end, 1 + bytes.length, String(value));
    assert.deepEqual(Array.from(out.subarray(1, end)), bytes, String(value));
    assert.equal(out[0], 0xee);
    assert.equal(out[end], 0xee);
  }
});

test("readVarint() reads the golden bytes; varintLength() gives where they end", () => {
  for (const [value, bytes] of GOLDEN) {
    const input = new Uint8Array([0x99, ...bytes, 0x99]);
    assert.equal(readVarint(input, 1), value);
    assert.equal(varintLength(value), bytes.length);
  }
});

test("readVarint() and writeVarint() round-trip random values of every length", () => {
  const rng = new Rng();
  const out = new Uint8Array(8);
  for (let i = 0; i < 5000; i++) {
    const bits = rng.int(54);
    const value = Math.floor(rng.next() * 2 ** bits);
    const end = writeVarint(out, 0, value);
    assert.equal(end, varintLength(value));
    assert.equal(readVarint(out, 0), value, `seed ${rng.seed}`);
  }
});

test("readVarint() reports truncated input as corruption", () => {
  assertCorruption(() => readVarint(new Uint8Array([]), 0), /offset 0 is truncated/);
  assertCorruption(() => readVarint(new Uint8Array([0x80]), 0), /truncated/);
  assertCorruption(
    () => readVarint(new Uint8Array([1, 0xff, 0xff, 0xff, 0xff, 0xff]), 1),
    /offset 1 is truncated/,
  );
  assertCorruption(() => readVarint(new Uint8Array([0x05]), 1), /truncated/);
});

test("readVarint() rejects non-minimal, too long and too large varints", () => {
  assertCorruption(() => readVarint(new Uint8Array([0x80, 0x00]), 0), /not minimally encoded/);
  assertCorruption(
    () => readVarint(new Uint8Array([0x81, 0x80, 0x80, 0x80, 0x80, 0x00]), 0),
    /not minimally/,
  );
  assertCorruption(() => readVarint(new Uint8Array(9).fill(0xff), 0), /longer than 8 bytes/);
  assertCorruption(
    () => readVarint(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10]), 0),
    /exceeds 2\^53-1/,
  );
});

test("writeVarint() refuses values outside 0..2^53-1 and missing room", () => {
  const out = new Uint8Array(8);
  for (const bad of [-1, 0.5, NaN, Infinity, 2 ** 53]) {
    assert.throws(() => writeVarint(out, 0, bad), RangeError, String(bad));
  }
  assert.throws(() => writeVarint(new Uint8Array(1), 0, 128), RangeError);
});
