import { test } from "node:test";
import assert from "node:assert/strict";
import { Block } from "../../../engine/sstable/block.ts";
import { BlockBuilder } from "../../../engine/sstable/block_builder.ts";
import { hex, plain, Rng, testSeed, utf8 } from "./_helpers.ts";

function build(entries: Array<[string, number, string | null]>): Uint8Array {
  const builder = new BlockBuilder(16);
  for (const [key, seq, value] of entries) {
    builder.add(utf8(key), seq, value === null ? null : utf8(value));
  }
  return builder.finish().slice();
}

test("BlockBuilder encodes shared unshared key_suffix seq value_tag value, u16 offsets, u32 count", () => {
  const payload = build([["apple", 1, "red"], ["apricot", 3, null], ["kiwi", 300, ""]]);
  assert.equal(
    hex(payload),
    "00" + "05" + "6170706c65" + "01" + "04" + "726564" + // apple seq 1 tag 4 "red"
      "02" + "05" + "7269636f74" + "03" + "00" + //         "ap" + "ricot" seq 3 tombstone
      "00" + "04" + "6b697769" + "ac02" + "01" + //          kiwi seq 300 empty value
      "0000" + "0c00" + "1500" + //                          offsets 0, 12, 21
      "03000000", //                                          count 3
  );
});

test("BlockBuilder.sizeWith() predicts the payload size after an add, shared prefix included", () => {
  const builder = new BlockBuilder();
  const predicted = builder.sizeWith(utf8("apple"), 300, 3);
  builder.add(utf8("apple"), 300, utf8("red"));
  assert.equal(builder.size, predicted);
  const next = builder.sizeWith(utf8("apricot"), 1, -1);
  assert.equal(next, predicted + 1 + 1 + 5 + 1 + 1 + 2);
  builder.add(utf8("apricot"), 1, null);
  assert.equal(builder.finish().length, next);
  builder.reset();
  assert.equal(builder.sizeWith(utf8("a"), 1, -1), 1 + 1 + 1 + 1 + 1 + 2 + 4);
});

test("BlockBuilder switches to u32 offsets once the payload passes 64 KiB", () => {
  const builder = new BlockBuilder();
  const big = new Uint8Array(70_000).fill(1);
  builder.add(utf8("a"), 1, big);
  builder.add(utf8("b"), 2, utf8("x"));
  const payload = builder.finish().slice();
  const count = 2;
  const offsets = payload.subarray(payload.length - 4 - count * 4, payload.length - 4);
  const view = new DataView(offsets.buffer, offsets.byteOffset);
  assert.equal(view.getUint32(0, true), 0);
  assert.equal(view.getUint32(4, true), 1 + 1 + 1 + 1 + 3 + 70_000);
  const block = Block.decode(payload);
  assert.equal(block.get(utf8("a"))?.value?.length, 70_000);
  assert.deepEqual(plain(block.get(utf8("b"))), { key: utf8("b"), seq: 2, value: utf8("x") });
});

test("BlockBuilder.compareWithLast() compares with the last key added", () => {
  const builder = new BlockBuilder();
  assert.ok(builder.compareWithLast(utf8("a")) > 0);
  builder.add(utf8("m"), 1, null);
  assert.ok(builder.compareWithLast(utf8("n")) > 0);
  assert.equal(builder.compareWithLast(utf8("m")), 0);
  assert.ok(builder.compareWithLast(utf8("l")) < 0);
  assert.ok(builder.compareWithLast(utf8("m\u0000")) > 0);
  assert.deepEqual(builder.lastKey(), utf8("m"));
});

test("Block.get() finds present keys and misses absent ones", () => {
  const keys = Array.from({ length: 100 }, (_, i) => `key${String(i * 2).padStart(4, "0")}`);
  const block = Block.decode(build(keys.map((key, i) => [key, i + 1, i % 3 ? key : null])));
  assert.equal(block.count, 100);
  keys.forEach((key, i) => {
    const entry = block.get(utf8(key));
    assert.ok(entry, key);
    assert.equal(entry.seq, i + 1);
    assert.deepEqual(entry.value, i % 3 ? utf8(key) : null);
  });
  for (let i = 0; i < 100; i++) {
    assert.equal(block.get(utf8(`key${String(i * 2 + 1).padStart(4, "0")}`)), undefined);
  }
  assert.equal(block.get(utf8("")), undefined);
  assert.equal(block.get(utf8("zzz")), undefined);
});

test("Block.lowerBound() returns the first entry at or after the key", () => {
  const block = Block.decode(build([["b", 1, "1"], ["d", 2, "2"], ["f", 3, "3"]]));
  assert.equal(block.lowerBound(utf8("a")), 0);
  assert.equal(block.lowerBound(utf8("b")), 0);
  assert.equal(block.lowerBound(utf8("c")), 1);
  assert.equal(block.lowerBound(utf8("f")), 2);
  assert.equal(block.lowerBound(utf8("g")), 3);
});

test("Block entries are views of the block; a key sharing a prefix is rebuilt", () => {
  const payload = build([["k", 1, "v"], ["kz", 2, "w"]]);
  const block = Block.decode(payload);
  const entry = block.entryAt(0);
  assert.equal(entry.key.buffer, payload.buffer);
  assert.equal(entry.value?.buffer, payload.buffer);
  const second = block.entryAt(1);
  assert.deepEqual(second.key, utf8("kz"));
  assert.notEqual(second.key.buffer, payload.buffer);
  assert.equal(second.value?.buffer, payload.buffer);
});

test("Block.check() decodes every entry and rejects a broken layout", () => {
  const payload = build([["a", 1, "x"], ["b", 2, null]]);
  assert.deepEqual(Block.decode(payload).check().map(plain), [
    { key: utf8("a"), seq: 1, value: utf8("x") },
    { key: utf8("b"), seq: 2, value: null },
  ]);
  const badOffset = payload.slice();
  badOffset[badOffset.length - 6] = 3; // second offset 6 -> 3
  assert.throws(() => Block.decode(badOffset).check(), RangeError);
  const tooLong = payload.slice();
  tooLong[0] = 0x7f; // the first entry claims a shared prefix
  assert.throws(() => Block.decode(tooLong).check(), RangeError);
  const oversharing = payload.slice();
  oversharing[6] = 2; // the second entry shares 2 bytes of a 1-byte first key
  assert.throws(() => Block.decode(oversharing).check(), RangeError);
});

test("Block.decode() rejects a count that does not fit", () => {
  assert.throws(() => Block.decode(new Uint8Array([1, 2])), RangeError);
  assert.throws(() => Block.decode(new Uint8Array([0, 0, 5, 0, 0, 0])), RangeError);
  assert.equal(Block.decode(new Uint8Array([0, 0, 0, 0])).count, 0);
});

test("Block.get() and lowerBound() agree with a linear search on prefix-heavy keys", () => {
  const rng = new Rng(testSeed("block search"));
  const compare = (a: Uint8Array, b: Uint8Array) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  };
  for (let round = 0; round < 30; round++) {
    const prefix = rng.bytes(rng.int(20));
    const byHex = new Map<string, Uint8Array>();
    const count = 1 + rng.int(20); // at most 21 distinct suffixes exist
    while (byHex.size < count) {
      const key = Uint8Array.of(...prefix, ...rng.bytes(rng.int(3)).map((b) => b & 3));
      byHex.set(hex(key), key);
    }
    const keys = [...byHex.values()].sort(compare);
    const builder = new BlockBuilder();
    keys.forEach((key, i) => builder.add(key, i + 1, i % 2 ? null : key));
    const block = Block.decode(builder.finish().slice());
    for (let probe = 0; probe < 100; probe++) {
      const key = Uint8Array.of(
        ...prefix.subarray(0, rng.int(prefix.length + 1)),
        ...rng.bytes(rng.int(3)).map((b) => b & 3),
      );
      let expected = keys.findIndex((k) => compare(k, key) >= 0);
      if (expected === -1) expected = keys.length;
      assert.equal(block.lowerBound(key), expected, hex(key));
      const found = expected < keys.length && compare(keys[expected]!, key) === 0;
      assert.equal(block.get(key)?.seq, found ? expected + 1 : undefined, hex(key));
    }
    keys.forEach((key, i) => assert.deepEqual(block.entryAt(i).key, key));
    assert.deepEqual(block.check().map((entry) => entry.key), keys);
  }
});
