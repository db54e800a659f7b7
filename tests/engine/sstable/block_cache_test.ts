import { test } from "node:test";
import assert from "node:assert/strict";
import { Block } from "../../../engine/sstable/block.ts";
import { BlockBuilder } from "../../../engine/sstable/block_builder.ts";
import { BlockCache } from "../../../engine/sstable/block_cache.ts";

/** A block whose payload is exactly `size` bytes (size >= 10, not 137). */
function blockOf(size: number): Block {
  const builder = new BlockBuilder();
  builder.add(new Uint8Array(0), 1, new Uint8Array(size - 10 - (size >= 138 ? 1 : 0)));
  const payload = builder.finish().slice();
  assert.equal(payload.length, size);
  return Block.decode(payload);
}

test("BlockCache.get() counts hits and misses", () => {
  const cache = new BlockCache(1000);
  const block = blockOf(100);
  assert.equal(cache.get(1, 12), undefined);
  cache.insert(1, 12, block);
  assert.equal(cache.get(1, 12), block);
  assert.equal(cache.get(1, 13), undefined);
  assert.equal(cache.get(2, 12), undefined);
  assert.deepEqual([cache.hits, cache.misses], [1, 3]);
  assert.deepEqual([cache.usage, cache.blockCount], [100, 1]);
});

test("BlockCache evicts the least recently used block past its budget", () => {
  const cache = new BlockCache(300);
  cache.insert(1, 0, blockOf(100));
  cache.insert(1, 100, blockOf(100));
  cache.insert(2, 0, blockOf(100));
  assert.ok(cache.get(1, 0)); // now (1,100) is the least recently used
  cache.insert(2, 100, blockOf(100));
  assert.equal(cache.get(1, 100), undefined);
  assert.ok(cache.get(1, 0));
  assert.ok(cache.get(2, 0));
  assert.ok(cache.get(2, 100));
  assert.deepEqual([cache.usage, cache.blockCount], [300, 3]);
});

test("BlockCache evicts several blocks to make room for a big one", () => {
  const cache = new BlockCache(300);
  for (let i = 0; i < 3; i++) cache.insert(1, i * 100, blockOf(100));
  cache.insert(1, 1000, blockOf(250));
  assert.deepEqual([cache.usage, cache.blockCount], [250, 1]);
  assert.ok(cache.get(1, 1000));
});

test("BlockCache does not keep a block larger than its budget", () => {
  const cache = new BlockCache(50);
  cache.insert(1, 0, blockOf(40));
  cache.insert(1, 40, blockOf(100));
  assert.equal(cache.get(1, 40), undefined);
  assert.ok(cache.get(1, 0));
  const none = new BlockCache(0);
  none.insert(1, 0, blockOf(10));
  assert.equal(none.blockCount, 0);
});

test("BlockCache.insert() replaces a block at the same key", () => {
  const cache = new BlockCache(1000);
  const second = blockOf(200);
  cache.insert(1, 0, blockOf(100));
  cache.insert(1, 0, second);
  assert.equal(cache.get(1, 0), second);
  assert.deepEqual([cache.usage, cache.blockCount], [200, 1]);
});

test("BlockCache.evictFile() drops one table's blocks only", () => {
  const cache = new BlockCache(10_000);
  for (let i = 0; i < 5; i++) {
    cache.insert(1, i * 100, blockOf(100));
    cache.insert(2, i * 100, blockOf(100));
  }
  cache.evictFile(1);
  cache.evictFile(3);
  assert.deepEqual([cache.usage, cache.blockCount], [500, 5]);
  for (let i = 0; i < 5; i++) {
    assert.equal(cache.get(1, i * 100), undefined);
    assert.ok(cache.get(2, i * 100));
  }
  // The LRU list stays consistent: filling past the budget evicts file 2's oldest blocks.
  const small = new BlockCache(300);
  small.insert(1, 0, blockOf(100));
  small.insert(2, 0, blockOf(100));
  small.insert(1, 100, blockOf(100));
  small.evictFile(1);
  small.insert(3, 0, blockOf(100));
  small.insert(3, 100, blockOf(100));
  small.insert(3, 200, blockOf(100));
  assert.equal(small.get(2, 0), undefined);
  assert.equal(small.blockCount, 3);
});

test("BlockCache.clear() empties the cache and resets counters", () => {
  const cache = new BlockCache(1000);
  cache.insert(1, 0, blockOf(100));
  cache.get(1, 0);
  cache.clear();
  assert.deepEqual([cache.usage, cache.blockCount, cache.hits, cache.misses], [0, 0, 0, 0]);
});

test("BlockCache rejects a negative or fractional budget", () => {
  assert.throws(() => new BlockCache(-1), { code: "INVALID_ARGUMENT" });
  assert.throws(() => new BlockCache(1.5), { code: "INVALID_ARGUMENT" });
});
