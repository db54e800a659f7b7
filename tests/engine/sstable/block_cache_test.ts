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
  const one = cache.table(1, 20);
  const two = cache.table(2, 20);
  const block = blockOf(100);
  assert.equal(cache.get(one, 12), undefined);
  cache.insert(one, 12, block);
  assert.equal(cache.get(one, 12), block);
  assert.equal(cache.get(one, 13), undefined);
  assert.equal(cache.get(two, 12), undefined);
  assert.deepEqual([cache.hits, cache.misses], [1, 3]);
  assert.deepEqual([cache.usage, cache.blockCount], [100, 1]);
});

test("BlockCache.table() gives one table's slots once per file id and block count", () => {
  const cache = new BlockCache(1000);
  const one = cache.table(1, 4);
  assert.equal(cache.table(1, 4), one);
  cache.insert(one, 0, blockOf(100));
  const other = cache.table(1, 5); // another table under the same id drops the first's blocks
  assert.notEqual(other, one);
  assert.deepEqual([cache.usage, cache.blockCount], [0, 0]);
  assert.equal(cache.get(one, 0), undefined);
});

test("BlockCache evicts the oldest block not used since the hand passed it", () => {
  const cache = new BlockCache(300);
  const one = cache.table(1, 10);
  const two = cache.table(2, 10);
  cache.insert(one, 0, blockOf(100));
  cache.insert(one, 1, blockOf(100));
  cache.insert(two, 0, blockOf(100));
  assert.ok(cache.get(one, 0)); // (1, 0) gets a second chance: (1, 1) goes
  cache.insert(two, 1, blockOf(100));
  assert.equal(cache.get(one, 1), undefined);
  assert.ok(cache.get(one, 0));
  assert.ok(cache.get(two, 0));
  assert.ok(cache.get(two, 1));
  assert.deepEqual([cache.usage, cache.blockCount], [300, 3]);
  // Every block used: the hand clears them all, then takes the first in its queue, (2, 0).
  cache.insert(two, 2, blockOf(100));
  assert.equal(cache.get(two, 0), undefined);
  assert.ok(cache.get(one, 0));
  assert.ok(cache.get(two, 2));
});

test("BlockCache evicts several blocks to make room for a big one", () => {
  const cache = new BlockCache(300);
  const one = cache.table(1, 10);
  for (let i = 0; i < 3; i++) cache.insert(one, i, blockOf(100));
  cache.insert(one, 5, blockOf(250));
  assert.deepEqual([cache.usage, cache.blockCount], [250, 1]);
  assert.ok(cache.get(one, 5));
});

test("BlockCache does not keep a block larger than its budget", () => {
  const cache = new BlockCache(50);
  const one = cache.table(1, 10);
  cache.insert(one, 0, blockOf(40));
  cache.insert(one, 1, blockOf(100));
  assert.equal(cache.get(one, 1), undefined);
  assert.ok(cache.get(one, 0));
  const none = new BlockCache(0);
  none.insert(none.table(1, 1), 0, blockOf(10));
  assert.equal(none.blockCount, 0);
});

test("BlockCache.insert() replaces a block at the same slot", () => {
  const cache = new BlockCache(1000);
  const one = cache.table(1, 10);
  const second = blockOf(200);
  cache.insert(one, 0, blockOf(100));
  cache.insert(one, 0, second);
  cache.insert(one, 0, second);
  assert.equal(cache.get(one, 0), second);
  assert.deepEqual([cache.usage, cache.blockCount], [200, 1]);
});

test("BlockCache.evictFile() drops one table's blocks only", () => {
  const cache = new BlockCache(10_000);
  const one = cache.table(1, 10);
  const two = cache.table(2, 10);
  for (let i = 0; i < 5; i++) {
    cache.insert(one, i, blockOf(100));
    cache.insert(two, i, blockOf(100));
  }
  cache.evictFile(1);
  cache.evictFile(3);
  assert.deepEqual([cache.usage, cache.blockCount], [500, 5]);
  for (let i = 0; i < 5; i++) {
    assert.equal(cache.get(one, i), undefined);
    assert.ok(cache.get(two, i));
  }
  // The queue stays consistent: filling past the budget evicts file 2's oldest block.
  const small = new BlockCache(300);
  const a = small.table(1, 10);
  const b = small.table(2, 10);
  const c = small.table(3, 10);
  small.insert(a, 0, blockOf(100));
  small.insert(b, 0, blockOf(100));
  small.insert(a, 1, blockOf(100));
  small.evictFile(1);
  small.insert(c, 0, blockOf(100));
  small.insert(c, 1, blockOf(100));
  small.insert(c, 2, blockOf(100));
  assert.equal(small.get(b, 0), undefined);
  assert.deepEqual([small.usage, small.blockCount], [300, 3]);
});

test("BlockCache.evictTable() drops slots forgotten by evictFile() too", () => {
  const cache = new BlockCache(1000);
  const one = cache.table(1, 10);
  cache.evictFile(1);
  cache.insert(one, 0, blockOf(100)); // a reader still open after its file was evicted
  assert.equal(cache.blockCount, 1);
  cache.evictTable(one);
  assert.deepEqual([cache.usage, cache.blockCount], [0, 0]);
});

test("BlockCache.clear() empties the cache and resets counters", () => {
  const cache = new BlockCache(1000);
  const one = cache.table(1, 10);
  cache.insert(one, 0, blockOf(100));
  cache.get(one, 0);
  cache.clear();
  assert.deepEqual([cache.usage, cache.blockCount, cache.hits, cache.misses], [0, 0, 0, 0]);
  assert.equal(cache.get(one, 0), undefined);
});

test("BlockCache rejects a negative or fractional budget", () => {
  assert.throws(() => new BlockCache(-1), { code: "INVALID_ARGUMENT" });
  assert.throws(() => new BlockCache(1.5), { code: "INVALID_ARGUMENT" });
});

/** The same operations on a plain model: the cache's contents and usage must match. */
test("BlockCache matches a CLOCK model under random operations", () => {
  let seed = 12345;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const sizes = [10, 50, 100, 200, 400];
  const cache = new BlockCache(1500);
  const tables = [0, 1, 2, 3].map((id) => cache.table(id, 16));
  // The model: a queue of [table, block, value, referenced] from oldest to newest.
  let model: [number, number, Block, boolean][] = [];
  let hits = 0;
  const used = () => model.reduce((sum, entry) => sum + entry[2].byteLength, 0);
  for (let step = 0; step < 20_000; step++) {
    const t = random(4);
    const n = random(16);
    const op = random(100);
    const at = model.findIndex((entry) => entry[0] === t && entry[1] === n);
    if (op < 60) {
      const found = cache.get(tables[t]!, n);
      assert.equal(found, at < 0 ? undefined : model[at]![2]);
      if (at >= 0) {
        model[at]![3] = true;
        hits++;
      }
    } else if (op < 98) {
      // A reader inserts a block it just read (a new object), or the one it holds again.
      const value = at >= 0 && op >= 95 ? model[at]![2] : blockOf(sizes[random(sizes.length)]!);
      cache.insert(tables[t]!, n, value);
      if (at >= 0 && model[at]![2] === value) continue;
      if (at >= 0) model.splice(at, 1);
      while (used() + value.byteLength > 1500) {
        const [head] = model.splice(0, 1);
        if (head![3]) model.push([head![0], head![1], head![2], false]);
      }
      model.push([t, n, value, false]);
    } else {
      cache.evictFile(t);
      model = model.filter((entry) => entry[0] !== t);
      tables[t] = cache.table(t, 16);
    }
    assert.equal(cache.usage, used());
    assert.equal(cache.blockCount, model.length);
  }
  assert.equal(cache.hits, hits);
});

test("BlockCache.release() drops every block, frees their buffers and the pooled ones, and the cache works on", () => {
  const cache = new BlockCache(10_000);
  const table = cache.table(1, 4);
  const block = blockOf(100);
  cache.insert(table, 0, block);
  const pooled = cache.buffer(600); // a piece of the slab new pooled buffers are cut from
  cache.release();
  assert.deepEqual([cache.usage, cache.blockCount, block.data.length, pooled.length], [0, 0, 0, 0]);
  assert.equal(cache.get(table, 0), undefined);
  // A fresh slab and fresh slots: the cache serves as before.
  const fresh = cache.buffer(600);
  assert.equal(fresh.length, 600);
  const again = cache.table(1, 4);
  cache.insert(again, 1, blockOf(100));
  assert.equal(cache.blockCount, 1);
});
