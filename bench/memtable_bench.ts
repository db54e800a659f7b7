/**
 * Micro benchmarks of the memtable: puts of new and existing keys, point gets, and sorted key
 * listings (whole table and one partition), on the workload's keys (`user#NNNNNN` /
 * `item#NNNN` encoded as the store encodes them). Run with
 * `deno bench bench/memtable_bench.ts`.
 *
 * A stripe's memtable holds at most 50,000 records by default (`maxStripeRecords`); the
 * workload's 200,000 items spread over 256 stripes put ~800 in each.
 *
 * @module
 */
import { bytesToLatin1 } from "../engine/codec/bytes.ts";
import { encodeKey } from "../engine/codec/key_codec.ts";
import { Memtable } from "../engine/memtable/memtable.ts";
import { shuffled } from "./_items.ts";

const VALUE = new Uint8Array(200).fill(7);
const sink: unknown[] = [];

/** `count` encoded keys in ascending order: 100 sort keys per partition. */
function workloadKeys(count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const pk = `user#${String(Math.floor(i / 100)).padStart(6, "0")}`;
    const sk = `item#${String(i % 100).padStart(4, "0")}`;
    keys.push(bytesToLatin1(encodeKey(1, { S: pk }, { S: sk })));
  }
  return keys;
}

/** The keys in a seeded random order. */
function randomOrder(keys: readonly string[], seed: number): string[] {
  return Array.from(shuffled(keys.length, seed), (i) => keys[i]!);
}

/** A memtable holding every key once, written in random order, with its keys sorted. */
function filled(keys: readonly string[]): Memtable {
  const table = new Memtable();
  let seq = 0;
  for (const key of randomOrder(keys, 1)) table.put(key, ++seq, VALUE);
  table.keys();
  return table;
}

const SMALL = 1_000;
const LARGE = 50_000;
const small = randomOrder(workloadKeys(SMALL), 2);
const large = workloadKeys(LARGE);
const largeRandom = randomOrder(large, 3);
const full = filled(large);
const missing = largeRandom.map((key) => `${key}x`);
let seq = 1_000_000;
let cursor = 0;

Deno.bench({
  group: "put",
  name: `put ${SMALL} new keys into an empty memtable`,
  baseline: true,
  fn: () => {
    const table = new Memtable();
    for (let n = 0; n < small.length; n++) table.put(small[n]!, n + 1, VALUE);
    sink[0] = table;
  },
});
Deno.bench({
  group: "put",
  name: `put ${LARGE} new keys into an empty memtable`,
  fn: () => {
    const table = new Memtable();
    for (let n = 0; n < largeRandom.length; n++) table.put(largeRandom[n]!, n + 1, VALUE);
    sink[0] = table;
  },
});
Deno.bench({
  group: "put",
  name: `put ${LARGE} new keys, then keys() (flush order)`,
  fn: () => {
    const table = new Memtable();
    for (let n = 0; n < largeRandom.length; n++) table.put(largeRandom[n]!, n + 1, VALUE);
    sink[0] = table.keys();
  },
});
const overwritten = filled(large);
Deno.bench({
  group: "put one",
  name: `overwrite one key of ${LARGE}, then get it (indexes the new version)`,
  baseline: true,
  fn: () => {
    const key = largeRandom[cursor++ % LARGE]!;
    overwritten.put(key, ++seq, VALUE);
    sink[0] = overwritten.get(key);
  },
});

Deno.bench({
  group: "get",
  name: `get a present key of ${LARGE}`,
  baseline: true,
  fn: () => {
    sink[0] = full.get(largeRandom[cursor++ % LARGE]!);
  },
});
Deno.bench({
  group: "get",
  name: `get a missing key of ${LARGE}`,
  fn: () => {
    sink[0] = full.get(missing[cursor++ % LARGE]!);
  },
});
Deno.bench({
  group: "get",
  name: `get a present key at an old snapshot seq`,
  fn: () => {
    sink[0] = full.get(largeRandom[cursor++ % LARGE]!, 10);
  },
});

const partitionStart = large[4_200]!;
const partitionEnd = large[4_300]!;
Deno.bench({
  group: "keys",
  name: `keys() of ${LARGE}, already sorted`,
  baseline: true,
  fn: () => {
    sink[0] = full.keys();
  },
});
Deno.bench({
  group: "keys",
  name: `keys(start, end) of one 100-key partition of ${LARGE}`,
  fn: () => {
    sink[0] = full.keys(partitionStart, partitionEnd);
  },
});
const growing = filled(large);
let fresh = 0;
Deno.bench({
  group: "keys",
  name: `keys(start, end) of one partition after 1 new put (merges the unsorted tail)`,
  fn: () => {
    const n = fresh++;
    growing.put(`${large[n % LARGE]!}\u0001${n}`, ++seq, VALUE);
    sink[0] = growing.keys(partitionStart, partitionEnd);
  },
});
