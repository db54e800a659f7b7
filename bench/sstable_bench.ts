/**
 * Micro benchmarks of the SST format: bloom add and test, writing a 200,000-entry table (in
 * memory and on disk), point gets from cached blocks, and full iteration. Entries are shaped like
 * kstone items: 30-byte keys, 200-byte values. Run with
 * `deno bench -A bench/sstable_bench.ts`; the format's disk overhead is printed first.
 *
 * @module
 */
import { DenoFileSystem } from "../engine/fs/deno_fs.ts";
import { MemoryFileSystem } from "../engine/fs/memory_fs.ts";
import { BlockCache } from "../engine/sstable/block_cache.ts";
import { bloomBitsPerKey, BloomFilter, BloomFilterBuilder } from "../engine/sstable/bloom.ts";
import type { SstEntry } from "../engine/sstable/entry.ts";
import { TableReader } from "../engine/sstable/table_reader.ts";
import { writeTable } from "../engine/sstable/table_writer.ts";

const COUNT = 200_000;
const encoder = new TextEncoder();

/** Key `i` of the workload: table id 1, then `user#<12 digits>item#0001` (30 bytes). */
function keyOf(i: number): Uint8Array {
  return encoder.encode(`\u0000\u0000\u0000\u0001user#${String(i).padStart(12, "0")}item#0001`);
}

const value = new Uint8Array(200).fill(0x7b);
const entries: SstEntry[] = Array.from({ length: COUNT }, (_, i) => ({
  key: keyOf(i),
  seq: i + 1,
  value,
}));
/** Present keys in a shuffled order, so gets touch blocks at random. */
const lookups = Array.from({ length: 65_536 }, (_, i) => keyOf((i * 7919) % COUNT));
const absent = Array.from({ length: 65_536 }, (_, i) => keyOf(COUNT + i));
const sink: unknown[] = [];

const memory = new MemoryFileSystem();
const props = await writeTable(memory, "/001-1.sst", entries);
const raw = props.rawKeyBytes + props.rawValueBytes;
console.log(
  `format overhead: ${props.fileSize - raw} bytes over ${raw} (${
    ((props.fileSize / raw - 1) * 100).toFixed(2)
  }%): ${props.blockCount} blocks, index ${props.indexBytes} B, bloom ${props.bloomBytes} B`,
);
const cache = new BlockCache(256 * 1024 * 1024);
const table = await TableReader.open(memory, "/001-1.sst", { cache });
for (const _ of table.entries()) { /* warm every block into the cache */ }

const bloomKeys = entries.slice(0, 65_536).map((entry) => entry.key);
const bloomBuilder = new BloomFilterBuilder();
for (const key of bloomKeys) bloomBuilder.add(key);
const bloom = BloomFilter.decode(bloomBuilder.finish(bloomBitsPerKey(0.01)));

let n = 0;
Deno.bench({
  group: "bloom",
  name: "BloomFilterBuilder.add (30-byte key)",
  baseline: true,
  fn: () => {
    const builder = new BloomFilterBuilder();
    for (let i = 0; i < 1000; i++) builder.add(bloomKeys[i]!);
    sink[0] = builder;
  },
  n: 1000,
});
Deno.bench({
  group: "bloom",
  name: "BloomFilter.mayContain present",
  fn: () => void (sink[0] = bloom.mayContain(bloomKeys[n++ & 0xffff]!)),
});
Deno.bench({
  group: "bloom",
  name: "BloomFilter.mayContain absent",
  fn: () => void (sink[0] = bloom.mayContain(absent[n++ & 0xffff]!)),
});

Deno.bench({
  group: "get",
  name: "TableReader.get present key, 1,000 hot keys (cached blocks)",
  baseline: true,
  fn: () => void (sink[0] = table.get(lookups[n++ & 0x3ff]!)),
});
Deno.bench({
  group: "get",
  name: "TableReader.get present key, random over 200k (46 MB of cached blocks)",
  fn: () => void (sink[0] = table.get(lookups[n++ & 0xffff]!)),
});
Deno.bench({
  group: "get",
  name: "TableReader.get absent key",
  fn: () => void (sink[0] = table.get(absent[n++ & 0xffff]!)),
});

Deno.bench({
  group: "iterate",
  name: "TableReader.entries 200k forward (cached)",
  baseline: true,
  n: 20,
  fn: () => {
    let count = 0;
    for (const _ of table.entries()) count++;
    sink[0] = count;
  },
});
Deno.bench({
  group: "iterate",
  name: "TableReader.entries 200k reverse (cached)",
  n: 20,
  fn: () => {
    let count = 0;
    for (const _ of table.entries({ reverse: true })) count++;
    sink[0] = count;
  },
});
Deno.bench({
  group: "iterate",
  name: "TableReader.entries 200k forward (uncached, fillCache false)",
  n: 20,
  fn: () => {
    let count = 0;
    for (const _ of table.entries({ fillCache: false })) count++;
    sink[0] = count;
  },
});

let file = 0;
Deno.bench({
  group: "write",
  name: "writeTable 200k entries to MemoryFileSystem",
  baseline: true,
  n: 10,
  fn: async () => {
    const path = `/w-${file++}.sst`;
    await writeTable(memory, path, entries);
    await memory.remove(path);
  },
});
const disk = new DenoFileSystem();
const dir = await Deno.makeTempDir({ prefix: "kstone-sst-bench-" });
Deno.bench({
  group: "write",
  name: "writeTable 200k entries to disk (DenoFileSystem, datasync)",
  n: 10,
  fn: async () => {
    const path = `${dir}/000-${file++}.sst`;
    await writeTable(disk, path, entries);
    await disk.remove(path);
  },
});
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
