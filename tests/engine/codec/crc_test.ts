import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "../../../engine/codec/crc32.ts";
import { crc32c, crc32cWords } from "../../../engine/codec/crc32c.ts";

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

/** Bit-at-a-time CRC-32C: the definition, to check the table-driven paths against. */
function bitwiseCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test("crc32c() equals the bitwise definition at every length and alignment", () => {
  let seed = 7;
  const data = new Uint8Array(5000);
  for (let i = 0; i < data.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    data[i] = seed >>> 24;
  }
  // Short and long ranges (the word path starts at 2,048 bytes), aligned and not.
  for (const length of [0, 1, 15, 16, 17, 255, 300, 2047, 2048, 2049, 2063, 4096, 4099]) {
    for (let start = 0; start < 5; start++) {
      const end = start + length;
      const expected = bitwiseCrc32c(data.subarray(start, end));
      assert.equal(crc32c(data, start, end), expected, `${start}+${length}`);
      assert.equal(crc32c(data.slice(start, end)), expected, `copy ${start}+${length}`);
      assert.equal(crc32c(data.subarray(start), 0, length), expected, `view ${start}+${length}`);
    }
  }
});

test("crc32cWords() equals the bitwise definition at every length, alignment and view offset", () => {
  let seed = 11;
  const bytes = new Uint8Array(1200);
  for (let i = 0; i < bytes.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    bytes[i] = seed >>> 24;
  }
  const words = new Int32Array(bytes.buffer);
  for (const offset of [0, 1, 2, 3, 4, 7]) {
    // A view that does not start at the buffer's first byte, as WAL and slab buffers may not.
    const data = bytes.subarray(offset);
    for (let length = 0; length <= 70; length++) {
      for (let start = 0; start < 5; start++) {
        const expected = bitwiseCrc32c(data.subarray(start, start + length));
        assert.equal(
          crc32cWords(data, words, start, start + length),
          expected,
          `${offset}/${start}+${length}`,
        );
      }
    }
    for (const length of [255, 300, 1000]) {
      const expected = bitwiseCrc32c(data.subarray(3, 3 + length));
      assert.equal(crc32cWords(data, words, 3, 3 + length), expected, `${offset}/3+${length}`);
    }
  }
});
