import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bloomBitsPerKey,
  BloomFilter,
  BloomFilterBuilder,
  BloomKey,
  bloomProbes,
  murmur3,
} from "../../../engine/sstable/bloom.ts";
import { BLOOM_SEED_1, BLOOM_SEED_2 } from "../../../engine/sstable/format.ts";
import { hex, Rng, testSeed, utf8 } from "./_helpers.ts";

function keyOf(i: number): Uint8Array {
  return utf8(`\u0000\u0000\u0000\u0001user#${i}`);
}

test("murmur3() matches the published x86 32-bit vectors", () => {
  assert.equal(murmur3(new Uint8Array(0), 0), 0);
  assert.equal(murmur3(new Uint8Array(0), 1), 0x514e28b7);
  assert.equal(murmur3(utf8("abc"), 0), 0xb3dd93fa);
  assert.equal(murmur3(utf8("aaaa"), 0x9747b28c), 0x5a97808a);
  assert.equal(murmur3(utf8("Hello, world!"), 1234), 0xfaf6cdb3);
  assert.equal(
    murmur3(utf8("The quick brown fox jumps over the lazy dog"), 0x9747b28c),
    0x2fa826cd,
  );
});

test("bloomBitsPerKey() follows -ln(p)/ln(2)^2 and bloomProbes() rounds bits*ln2", () => {
  assert.equal(bloomBitsPerKey(0.01).toFixed(3), "9.585");
  assert.equal(bloomBitsPerKey(0.001).toFixed(3), "14.378");
  assert.equal(bloomProbes(bloomBitsPerKey(0.01)), 7);
  assert.equal(bloomProbes(bloomBitsPerKey(0.001)), 10);
  assert.equal(bloomProbes(1), 1);
  assert.equal(bloomProbes(1000), 30);
  assert.equal(bloomProbes(0), 0);
});

test("bloomBitsPerKey() rejects rates outside (0, 1)", () => {
  for (const fpr of [0, 1, -0.5, 2, Number.NaN]) {
    assert.throws(() => bloomBitsPerKey(fpr), { code: "INVALID_ARGUMENT" });
  }
});

test("BloomFilterBuilder.finish() lays out bits then the probe count (golden bytes)", () => {
  const builder = new BloomFilterBuilder();
  builder.add(utf8("apple"));
  builder.add(utf8("kiwi"));
  // 2 keys * 10 bits rounds up to the 8-byte minimum; 7 probes.
  assert.equal(hex(builder.finish(10)), "0981009890088800" + "07");
});

test("BloomFilterBuilder sets bit floor(((h1 + i*h2) mod 2^32) * m / 2^32) for probe i, as documented", () => {
  const keys = [utf8("apple"), utf8("kiwi")];
  const expected = new Uint8Array(8);
  for (const key of keys) {
    const h1 = murmur3(key, BLOOM_SEED_1);
    const h2 = murmur3(key, BLOOM_SEED_2);
    for (let i = 0; i < 7; i++) {
      const bit = Math.floor((((h1 + Math.imul(i, h2)) >>> 0) * 64) / 2 ** 32);
      expected[bit >>> 3]! |= 1 << (bit & 7);
    }
  }
  const builder = new BloomFilterBuilder();
  for (const key of keys) builder.add(key);
  assert.deepEqual(builder.finish(10).subarray(0, 8), expected);
});

test("BloomFilter has no false negatives", () => {
  const builder = new BloomFilterBuilder();
  for (let i = 0; i < 20_000; i++) builder.add(keyOf(i));
  const filter = BloomFilter.decode(builder.finish(bloomBitsPerKey(0.01)));
  for (let i = 0; i < 20_000; i++) assert.ok(filter.mayContain(keyOf(i)), `key ${i}`);
});

test("BloomFilter at 1% shows under 2% false positives on 100,000 absent keys", () => {
  const builder = new BloomFilterBuilder();
  for (let i = 0; i < 100_000; i++) builder.add(keyOf(i));
  const filter = BloomFilter.decode(builder.finish(bloomBitsPerKey(0.01)));
  let falsePositives = 0;
  for (let i = 100_000; i < 200_000; i++) if (filter.mayContain(keyOf(i))) falsePositives++;
  const rate = falsePositives / 100_000;
  assert.ok(rate > 0.005 && rate < 0.02, `observed rate ${rate}`);
  assert.equal(filter.bits.length, Math.ceil((100_000 * bloomBitsPerKey(0.01)) / 8));
});

test("BloomFilter at 0.1% shows under 0.2% false positives", () => {
  const builder = new BloomFilterBuilder();
  for (let i = 0; i < 50_000; i++) builder.add(keyOf(i));
  const filter = BloomFilter.decode(builder.finish(bloomBitsPerKey(0.001)));
  let falsePositives = 0;
  for (let i = 0; i < 100_000; i++) if (filter.mayContain(keyOf(1_000_000 + i))) falsePositives++;
  assert.ok(falsePositives / 100_000 < 0.002, `observed ${falsePositives}`);
});

test("BloomFilter with 0 bits per key is empty and admits every key", () => {
  const builder = new BloomFilterBuilder();
  builder.add(utf8("x"));
  const payload = builder.finish(0);
  assert.deepEqual(payload, new Uint8Array([0]));
  assert.ok(BloomFilter.decode(payload).mayContain(utf8("anything")));
});

test("BloomFilter.decode() rejects an empty payload and probes without bits", () => {
  assert.throws(() => BloomFilter.decode(new Uint8Array(0)), RangeError);
  assert.throws(() => BloomFilter.decode(new Uint8Array([7])), RangeError);
});

test("BloomFilter.mayContainHashes() of a BloomKey answers as mayContain() of the key", () => {
  const rng = new Rng(testSeed("bloom hashes"));
  const builder = new BloomFilterBuilder();
  const keys = Array.from({ length: 2000 }, () => rng.bytes(rng.int(40)));
  for (const key of keys.slice(0, 1000)) builder.add(key);
  const filters = [
    BloomFilter.decode(builder.finish(10)),
    BloomFilter.decode(builder.finish(2)), // many false positives: both answers matter
    BloomFilter.decode(builder.finish(0)),
  ];
  const hashes = new BloomKey();
  for (const key of keys) {
    hashes.hash(key);
    assert.equal(hashes.first, murmur3(key, BLOOM_SEED_1));
    assert.equal(hashes.second, murmur3(key, BLOOM_SEED_2));
    for (const filter of filters) {
      assert.equal(filter.mayContainHashes(hashes.first, hashes.second), filter.mayContain(key));
    }
  }
});
