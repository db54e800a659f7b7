import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { BlockCache } from "../../../engine/sstable/block_cache.ts";
import type { SstEntry } from "../../../engine/sstable/entry.ts";
import { BloomKey } from "../../../engine/sstable/bloom.ts";
import { TableReader } from "../../../engine/sstable/table_reader.ts";
import { writeTable } from "../../../engine/sstable/table_writer.ts";
import { hex, itemEntries, plain, randomEntries, Rng, testSeed, utf8 } from "./_helpers.ts";

const PATH = "/042-5.sst";

async function tableOf(
  entries: SstEntry[],
  options: { blockSize?: number } = {},
): Promise<{ fs: MemoryFileSystem; table: TableReader }> {
  const fs = new MemoryFileSystem();
  await writeTable(fs, PATH, entries, options);
  return { fs, table: await TableReader.open(fs, PATH) };
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

test("TableReader round-trips random entries: tombstones, empty and large values", async () => {
  const rng = new Rng(testSeed("round-trip"));
  const entries = randomEntries(rng, 3000, 24, 600);
  entries[10] = { ...entries[10]!, value: rng.bytes(5000) }; // larger than a block
  const { table } = await tableOf(entries, { blockSize: 512 });
  assert.deepEqual([...table.entries()].map(plain), entries.map(plain));
  for (const entry of entries) {
    assert.deepEqual(plain(table.get(entry.key)), plain(entry), hex(entry.key));
  }
  const props = table.properties;
  assert.equal(props.entryCount, entries.length);
  assert.equal(props.tombstoneCount, entries.filter((e) => e.value === null).length);
  assert.equal(props.minSeq, Math.min(...entries.map((e) => e.seq)));
  assert.equal(props.maxSeq, Math.max(...entries.map((e) => e.seq)));
  assert.deepEqual(props.smallestKey, entries[0]!.key);
  assert.deepEqual(props.largestKey, entries.at(-1)!.key);
  assert.ok(props.blockCount > 100);
  table.verify();
  table.close();
});

test("TableReader.open() reads metadata both within and beyond the 8 KiB tail it reads first", async () => {
  for (const [count, inTail] of [[400, true], [6000, false]] as const) {
    const entries = itemEntries(count);
    const { table } = await tableOf(entries);
    const props = table.properties;
    const metaBytes = props.fileSize - (props.dataBytes + 12);
    assert.equal(metaBytes <= 8 * 1024, inTail, `${count} entries: ${metaBytes} metadata bytes`);
    for (const entry of [entries[0]!, entries[count >> 1]!, entries.at(-1)!]) {
      assert.deepEqual(plain(table.get(entry.key)), plain(entry));
    }
    table.verify();
    table.close();
  }
});

test("TableReader.get() returns tombstones with value null and empty values as empty", async () => {
  const { table } = await tableOf([
    { key: utf8("a"), seq: 1, value: null },
    { key: utf8("b"), seq: 2, value: new Uint8Array(0) },
  ]);
  assert.deepEqual(plain(table.get(utf8("a"))), { key: utf8("a"), seq: 1, value: null });
  assert.deepEqual(plain(table.get(utf8("b"))), {
    key: utf8("b"),
    seq: 2,
    value: new Uint8Array(0),
  });
  table.close();
});

test("TableReader.get() returns undefined for absent keys", async () => {
  const rng = new Rng(testSeed("absent keys"));
  const entries = randomEntries(rng, 2000);
  const present = new Set(entries.map((e) => hex(e.key)));
  const { table } = await tableOf(entries, { blockSize: 256 });
  let checked = 0;
  while (checked < 5000) {
    const key = rng.bytes(rng.int(25));
    if (present.has(hex(key))) continue;
    assert.equal(table.get(key), undefined, hex(key));
    checked++;
  }
  const first = entries[0]!.key;
  const last = entries.at(-1)!.key;
  assert.equal(table.get(new Uint8Array(0)), undefined);
  assert.equal(table.get(first.subarray(0, first.length - 1)), undefined);
  assert.equal(table.get(Uint8Array.of(...last, 0)), undefined);
  assert.equal(table.get(new Uint8Array(30).fill(255)), undefined);
  table.close();
});

test("TableReader holds a one-entry table, the empty key and a huge value", async () => {
  const big = new Uint8Array(300_000).map((_, i) => i & 0xff);
  const { table } = await tableOf([{ key: new Uint8Array(0), seq: 1, value: big }]);
  assert.deepEqual(plain(table.get(new Uint8Array(0))), {
    key: new Uint8Array(0),
    seq: 1,
    value: big,
  });
  assert.equal(table.get(utf8("a")), undefined);
  assert.equal([...table.entries({ reverse: true })].length, 1);
  assert.equal(table.properties.blockCount, 1);
  table.verify();
  table.close();
});

test("TableReader.entries() honours [start, end) forward and reverse", async () => {
  const rng = new Rng(testSeed("ranges"));
  const entries = randomEntries(rng, 1500, 3);
  const { table } = await tableOf(entries, { blockSize: 200 });
  const bound = () => {
    const roll = rng.int(3);
    if (roll === 0) return undefined;
    if (roll === 1) return entries[rng.int(entries.length)]!.key; // an existing key
    return rng.bytes(rng.int(4)); // usually absent
  };
  for (let round = 0; round < 400; round++) {
    const start = bound();
    const end = bound();
    const expected = entries.filter((e) =>
      (start === undefined || compare(e.key, start) >= 0) &&
      (end === undefined || compare(e.key, end) < 0)
    );
    const options = { ...(start && { start }), ...(end && { end }) };
    const label = `start ${start && hex(start)} end ${end && hex(end)}`;
    const forward = [...table.entries(options)].map((e) => hex(e.key));
    assert.deepEqual(forward, expected.map((e) => hex(e.key)), label);
    const backward = [...table.entries({ ...options, reverse: true })].map((e) => hex(e.key));
    assert.deepEqual(backward, expected.reverse().map((e) => hex(e.key)), `reverse ${label}`);
  }
  table.close();
});

test("TableReader.entries() handles bounds on block edges and empty ranges", async () => {
  const entries = Array.from({ length: 40 }, (_, i) => ({
    key: utf8(`k${String(i).padStart(2, "0")}`),
    seq: i + 1,
    value: utf8("v".repeat(20)),
  }));
  const { table } = await tableOf(entries, { blockSize: 64 });
  const keys = (options: Parameters<TableReader["entries"]>[0]) =>
    [...table.entries(options)].map((e) => new TextDecoder().decode(e.key));
  assert.ok(table.properties.blockCount >= 10);
  assert.deepEqual(keys({ start: utf8("k05"), end: utf8("k08") }), ["k05", "k06", "k07"]);
  assert.deepEqual(keys({ start: utf8("k05"), end: utf8("k08"), reverse: true }), [
    "k07",
    "k06",
    "k05",
  ]);
  assert.deepEqual(keys({ start: utf8("k08"), end: utf8("k05") }), []);
  assert.deepEqual(keys({ start: utf8("k08"), end: utf8("k05"), reverse: true }), []);
  assert.deepEqual(keys({ start: utf8("k39") }), ["k39"]);
  assert.deepEqual(keys({ start: utf8("k4") }), []);
  assert.deepEqual(keys({ end: utf8("k00") }), []);
  assert.deepEqual(keys({ end: utf8("k01"), reverse: true }), ["k00"]);
  assert.deepEqual(keys({ start: utf8("k385"), reverse: true }), ["k39"]);
  assert.equal(keys({ reverse: true }).length, 40);
  table.close();
});

test("TableReader.entries() loads blocks lazily", async () => {
  const fs = new MemoryFileSystem();
  await writeTable(fs, PATH, itemEntries(2000));
  const cache = new BlockCache(1 << 20);
  const table = await TableReader.open(fs, PATH, { cache });
  const iterator = table.entries();
  assert.equal(cache.misses, 0);
  iterator.next();
  assert.deepEqual([cache.misses, cache.blockCount], [1, 1]);
  let n = 1;
  for (const _ of iterator) if (++n === 20) break;
  assert.deepEqual([cache.misses, cache.blockCount], [2, 2]);
  table.close();
});

test("TableReader caches blocks in the shared cache under the file name's id", async () => {
  const fs = new MemoryFileSystem();
  await writeTable(fs, "/001-7.sst", itemEntries(1000, 100));
  await writeTable(fs, "/002-8.sst", itemEntries(1000, 100));
  const cache = new BlockCache(1 << 20);
  const a = await TableReader.open(fs, "/001-7.sst", { cache });
  const b = await TableReader.open(fs, "/002-8.sst", { cache });
  assert.deepEqual([a.fileId, b.fileId], [7, 8]);
  const key = itemEntries(500)[499]!.key;
  a.get(key);
  b.get(key);
  assert.deepEqual([cache.hits, cache.misses, cache.blockCount], [0, 2, 2]);
  a.get(key);
  assert.equal(cache.hits, 1);
  a.close(); // drops a's blocks
  assert.equal(cache.blockCount, 1);
  assert.throws(() => a.get(key), { code: "CLOSED" });
  assert.ok(b.get(key));
  b.close();
  b.close();
});

test("TableReader.entries({ fillCache: false }) leaves the cache alone", async () => {
  const fs = new MemoryFileSystem();
  await writeTable(fs, PATH, itemEntries(1000));
  const cache = new BlockCache(1 << 20);
  const table = await TableReader.open(fs, PATH, { cache });
  assert.equal([...table.entries({ fillCache: false })].length, 1000);
  assert.equal(cache.blockCount, 0);
  assert.equal([...table.entries({ fillCache: false, reverse: true })].length, 1000);
  assert.equal(cache.blockCount, 0);
  table.close();
});

test("TableReader.open() needs a fileId with a shared cache when the name has none", async () => {
  const fs = new MemoryFileSystem();
  await writeTable(fs, "/table.sst", itemEntries(3));
  const cache = new BlockCache(1 << 20);
  await assert.rejects(TableReader.open(fs, "/table.sst", { cache }), {
    code: "INVALID_ARGUMENT",
  });
  const table = await TableReader.open(fs, "/table.sst", { cache, fileId: 99 });
  assert.equal(table.fileId, 99);
  table.close();
  const alone = await TableReader.open(fs, "/table.sst");
  assert.equal(alone.get(itemEntries(3)[2]!.key)?.seq, 3);
  alone.close();
});

test("TableReader keeps reading after the file's name is removed", async () => {
  const fs = new MemoryFileSystem();
  const entries = itemEntries(2000);
  await writeTable(fs, PATH, entries);
  const table = await TableReader.open(fs, PATH);
  await fs.remove(PATH);
  await assert.rejects(fs.stat(PATH), { code: "IO_ERROR", errno: "ENOENT" });
  assert.equal(table.get(entries[1234]!.key)?.seq, 1235);
  assert.equal([...table.entries()].length, 2000);
  table.verify();
  table.close();
});

test("TableReader.open() reports a missing file as IO_ERROR ENOENT", async () => {
  await assert.rejects(TableReader.open(new MemoryFileSystem(), "/001-1.sst"), {
    code: "IO_ERROR",
    errno: "ENOENT",
  });
});

test("TableReader refuses reads after close()", async () => {
  const { table } = await tableOf(itemEntries(10));
  const iterator = table.entries();
  table.close();
  assert.throws(() => table.get(utf8("x")), { code: "CLOSED", message: /042-5\.sst/ });
  assert.throws(() => table.entries(), { code: "CLOSED" });
  assert.throws(() => table.verify(), { code: "CLOSED" });
  assert.throws(() => iterator.next(), { code: "CLOSED" });
});

test("TableReader.mayContain() never denies a present key", async () => {
  const entries = itemEntries(5000);
  const { table } = await tableOf(entries);
  for (const entry of entries) assert.ok(table.mayContain(entry.key));
  let admitted = 0;
  for (let i = 0; i < 10_000; i++) if (table.mayContain(utf8(`absent-${i}`))) admitted++;
  assert.ok(admitted < 200, `admitted ${admitted}`);
  table.close();
});

test("TableReader.get() with the key's BloomKey answers as get() of the key", async () => {
  const rng = new Rng(testSeed("get with hashes"));
  const entries = randomEntries(rng, 1500);
  const { table } = await tableOf(entries, { blockSize: 512 });
  const hashes = new BloomKey();
  for (let i = 0; i < 3000; i++) {
    const key = i % 2 === 0 ? entries[rng.int(entries.length)]!.key : rng.bytes(1 + rng.int(24));
    assert.deepEqual(plain(table.get(key, hashes.hash(key))), plain(table.get(key)), hex(key));
  }
  table.close();
});

test("TableReader over a small shared cache reads what it reads over a large one", async () => {
  // Evictions, second chances and re-reads must never change an answer.
  const rng = new Rng(testSeed("small cache"));
  const fs = new MemoryFileSystem();
  const tables: SstEntry[][] = [];
  for (let t = 0; t < 3; t++) {
    const entries = randomEntries(rng, 800);
    await writeTable(fs, `/00${t}-${t + 1}.sst`, entries, { blockSize: 512 });
    tables.push(entries);
  }
  const small = new BlockCache(4096);
  const large = new BlockCache(1 << 24);
  const open = (cache: BlockCache) =>
    Promise.all(tables.map((_, t) => TableReader.open(fs, `/00${t}-${t + 1}.sst`, { cache })));
  const a = await open(small);
  const b = await open(large);
  for (let i = 0; i < 5000; i++) {
    const t = rng.int(3);
    const entries = tables[t]!;
    const key = rng.int(4) === 0
      ? rng.bytes(1 + rng.int(24))
      : entries[rng.int(entries.length)]!.key;
    assert.deepEqual(plain(a[t]!.get(key)), plain(b[t]!.get(key)), hex(key));
    if (i % 1000 === 999) {
      // Now and then a table closes and comes back, dropping its blocks.
      a[t]!.close();
      a[t] = await TableReader.open(fs, `/00${t}-${t + 1}.sst`, { cache: small });
    }
    assert.ok(small.usage <= 4096);
  }
  assert.ok(small.misses > large.misses);
  for (const reader of [...a, ...b]) reader.close();
  assert.deepEqual([small.usage, small.blockCount, large.usage, large.blockCount], [0, 0, 0, 0]);
});
