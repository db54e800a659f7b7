import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { BlockCache } from "../../../engine/sstable/block_cache.ts";
import type { SstEntry } from "../../../engine/sstable/entry.ts";
import { TableReader } from "../../../engine/sstable/table_reader.ts";
import { writeTable } from "../../../engine/sstable/table_writer.ts";
import { hex, plain, randomEntries, Rng, testSeed } from "./_helpers.ts";

/** Three tables of random entries sharing one small cache, so that reads evict and recycle. */
async function tablesOf(rng: Rng, cacheBytes: number) {
  const fs = new MemoryFileSystem();
  const cache = new BlockCache(cacheBytes);
  const tables: { entries: SstEntry[]; reader: TableReader }[] = [];
  for (let t = 0; t < 3; t++) {
    const entries = randomEntries(rng, 600, 20, 400);
    const path = `/00${t}-${t + 1}.sst`;
    await writeTable(fs, path, entries, { blockSize: 1024 });
    tables.push({ entries, reader: await TableReader.open(fs, path, { cache }) });
  }
  return { cache, tables };
}

test("TableReader.get() through recycled block buffers equals the entries written", async () => {
  const rng = new Rng(testSeed("recycled gets"));
  const { cache, tables } = await tablesOf(rng, 8 * 1024);
  for (let i = 0; i < 5000; i++) {
    const { entries, reader } = tables[rng.int(tables.length)]!;
    const entry = entries[rng.int(entries.length)]!;
    // A value is valid until the next read: compare it before reading again.
    assert.deepEqual(plain(reader.get(entry.key)), plain(entry), hex(entry.key));
  }
  assert.ok(cache.misses > 1000, `${cache.misses} misses`);
  for (const { reader } of tables) reader.close();
});

test("TableReader iterators keep their blocks while gets evict and recycle others", async () => {
  const rng = new Rng(testSeed("iterators and recycling"));
  const { tables } = await tablesOf(rng, 8 * 1024);
  // Warm the cache with gets, so the iterators take blocks read into recycled buffers.
  for (const { entries, reader } of tables) {
    for (const entry of entries) reader.get(entry.key);
  }
  for (let round = 0; round < 20; round++) {
    const { entries, reader } = tables[rng.int(tables.length)]!;
    const reverse = rng.int(2) === 1;
    const start = rng.int(entries.length - 50);
    const expected = entries.slice(start, start + 50);
    const iterator = reader.entries({
      start: expected[0]!.key,
      end: entries[start + 50]!.key,
      reverse,
    });
    const seen: SstEntry[] = [];
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      seen.push(plain(next.value)!);
      // Between steps, gets on every table push blocks out of the cache.
      for (let g = 0; g < 5; g++) {
        const other = tables[rng.int(tables.length)]!;
        const entry = other.entries[rng.int(other.entries.length)]!;
        assert.deepEqual(plain(other.reader.get(entry.key)), plain(entry));
      }
    }
    assert.deepEqual(seen, (reverse ? expected.reverse() : expected).map(plain));
  }
  for (const { reader } of tables) reader.close();
});

test("TableReader.get() reads blocks into pieces of a few slabs, not an array each", async () => {
  const rng = new Rng(testSeed("buffer reuse"));
  const { cache, tables } = await tablesOf(rng, 4 * 1024);
  const { entries, reader } = tables[0]!;
  const buffers = new Set<ArrayBufferLike>();
  for (const entry of entries) {
    const value = reader.get(entry.key)?.value;
    if (value) buffers.add(value.buffer);
  }
  // Every block was read into pieces of a few slabs, not an array each.
  assert.ok(buffers.size <= 4, `${buffers.size} buffers`);
  assert.ok(cache.misses > 20);
  for (const { reader } of tables) reader.close();
});
