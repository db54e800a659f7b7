import { test } from "node:test";
import assert from "node:assert/strict";
import { BlockIndex, IndexBuilder } from "../../../engine/sstable/index_block.ts";
import { hex, Rng, testSeed, utf8 } from "./_helpers.ts";

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function indexOf(keys: Uint8Array[]): BlockIndex {
  const builder = new IndexBuilder();
  keys.forEach((key, i) => builder.add(key, { offset: 12 + i * 10, length: 10 }));
  return BlockIndex.decode(builder.finish(), 12, 12 + keys.length * 10);
}

/** Distinct sorted keys sharing `prefix`, with short suffixes rich in 0x00 and 0xff bytes. */
function prefixedKeys(rng: Rng, prefix: Uint8Array, count: number): Uint8Array[] {
  const byHex = new Map<string, Uint8Array>();
  const alphabet = [0, 1, 0x7f, 0x80, 0xfe, 0xff];
  while (byHex.size < count) {
    const suffix = Array.from({ length: rng.int(7) }, () => alphabet[rng.int(alphabet.length)]!);
    const key = Uint8Array.of(...prefix, ...suffix);
    byHex.set(hex(key), key);
  }
  return [...byHex.values()].sort(compare);
}

test("IndexBuilder.finish() encodes count then last key, offset and length per block", () => {
  const builder = new IndexBuilder();
  builder.add(utf8("ab"), { offset: 12, length: 300 });
  builder.add(utf8("b"), { offset: 312, length: 8 });
  assert.equal(
    hex(builder.finish()),
    "02" + "02" + "6162" + "0c" + "ac02" + "01" + "62" + "b802" + "08",
  );
});

test("BlockIndex.find() agrees with a linear search over keys with long shared prefixes", () => {
  const rng = new Rng(testSeed("index find"));
  for (let round = 0; round < 40; round++) {
    const prefix = rng.bytes(rng.int(12));
    const keys = prefixedKeys(rng, prefix, 1 + rng.int(60));
    const index = indexOf(keys);
    const probes = [
      ...keys,
      ...prefixedKeys(rng, prefix, 50),
      prefix.subarray(0, Math.max(0, prefix.length - 1)),
      rng.bytes(rng.int(14)),
      new Uint8Array(0),
      new Uint8Array(20).fill(0xff),
    ];
    for (const probe of probes) {
      let expected = keys.findIndex((key) => compare(key, probe) >= 0);
      if (expected === -1) expected = keys.length;
      assert.equal(index.find(probe), expected, `keys ${keys.map(hex)} probe ${hex(probe)}`);
    }
  }
});

test("BlockIndex.find() tells keys apart that differ only by trailing zero bytes", () => {
  const keys = [utf8("pre"), Uint8Array.of(...utf8("pre"), 0), Uint8Array.of(...utf8("pre"), 0, 0)];
  const index = indexOf(keys);
  assert.equal(index.find(utf8("pr")), 0);
  assert.equal(index.find(utf8("pre")), 0);
  assert.equal(index.find(Uint8Array.of(...utf8("pre"), 0)), 1);
  assert.equal(index.find(Uint8Array.of(...utf8("pre"), 0, 0)), 2);
  assert.equal(index.find(Uint8Array.of(...utf8("pre"), 0, 0, 0)), 3);
  assert.equal(index.find(utf8("prf")), 3);
});

test("BlockIndex.decode() checks the handles tile the data and keys ascend", () => {
  const builder = new IndexBuilder();
  builder.add(utf8("a"), { offset: 12, length: 10 });
  builder.add(utf8("b"), { offset: 22, length: 10 });
  const payload = builder.finish();
  assert.equal(BlockIndex.decode(payload, 12, 32).count, 2);
  assert.throws(() => BlockIndex.decode(payload, 12, 33), RangeError);
  assert.throws(() => BlockIndex.decode(payload, 11, 32), RangeError);
  assert.throws(
    () => BlockIndex.decode(payload.subarray(0, payload.length - 1), 12, 32),
    RangeError,
  );
  const unordered = new IndexBuilder();
  unordered.add(utf8("b"), { offset: 12, length: 10 });
  unordered.add(utf8("a"), { offset: 22, length: 10 });
  assert.throws(() => BlockIndex.decode(unordered.finish(), 12, 32), RangeError);
  const tiny = new IndexBuilder();
  tiny.add(utf8("a"), { offset: 12, length: 7 });
  assert.throws(() => BlockIndex.decode(tiny.finish(), 12, 19), RangeError);
  assert.equal(BlockIndex.decode(new Uint8Array([0]), 12, 12).find(utf8("x")), 0);
});
