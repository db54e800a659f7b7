import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "../../../engine/codec/crc32.ts";
import { crc32c } from "../../../engine/codec/crc32c.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

test("crc32c() matches the Castagnoli check value", () => {
  assert.equal(crc32c(utf8("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

test("crc32c() over a range equals crc32c() of the slice", () => {
  const data = utf8("xx123456789yy");
  assert.equal(crc32c(data, 2, 11), 0xe3069283);
});

test("crc32() gives the Rust original's stripes", () => {
  const stripes: Array<[string, number]> = [
    ["", 0],
    ["user#123", 125],
    ["key0", 198],
    ["key1", 80],
    ["test1", 226],
    ["active", 2],
    ["electronics", 200],
  ];
  for (const [pk, stripe] of stripes) assert.equal(crc32(utf8(pk)) % 256, stripe, pk);
  assert.equal(crc32(utf8("user#123")), 0x42b71d7d);
});
