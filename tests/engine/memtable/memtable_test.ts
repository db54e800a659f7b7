import { test } from "node:test";
import assert from "node:assert/strict";
import { Memtable, VERSION_OVERHEAD } from "../../../engine/memtable/memtable.ts";
import { bytesToLatin1 } from "../../../engine/codec/bytes.ts";
import { BloomKey } from "../../../engine/sstable/bloom.ts";
import { Rng } from "../../helpers/random.ts";

const bytesOf = (length: number, fill: number) => new Uint8Array(length).fill(fill);

test("Memtable.put() copies the value: the caller may reuse its buffer", () => {
  const table = new Memtable();
  const shared = new Uint8Array(64);
  for (let i = 0; i < 100; i++) {
    shared.fill(i);
    table.put(`k${i}`, i + 1, shared.subarray(0, 10 + (i % 7)));
  }
  shared.fill(255);
  for (let i = 0; i < 100; i++) {
    assert.deepEqual(table.get(`k${i}`)?.value, bytesOf(10 + (i % 7), i), `k${i}`);
  }
});

test("Memtable.put() keeps values of every size, across arena chunks and past the largest", () => {
  const table = new Memtable();
  const sizes = [0, 1, 4095, 4096, 4097, 9000, 16 * 1024, 16 * 1024 + 1, 70_000, 3, 65_536];
  sizes.forEach((size, i) => table.put(`k${i}`, i + 1, bytesOf(size, i + 1)));
  sizes.forEach((size, i) => assert.deepEqual(table.get(`k${i}`)?.value, bytesOf(size, i + 1)));
});

test("Memtable.bytes counts every version's key, value and bookkeeping until it is dropped", () => {
  const table = new Memtable();
  table.put("a", 1, bytesOf(100, 1));
  const first = table.bytes;
  assert.equal(first, 1 + VERSION_OVERHEAD + 100);
  table.put("a", 2, bytesOf(50, 2));
  assert.equal(table.bytes, first + 1 + VERSION_OVERHEAD + 50);
  table.put("a", 3, null);
  assert.equal(table.bytes, first + 2 * (1 + VERSION_OVERHEAD) + 50);
  assert.equal(table.get("a")?.value, null);
  assert.equal(table.size, 3, "size counts versions");
});

test("Memtable reads each version as of its seq, for snapshots", () => {
  const table = new Memtable();
  table.put("a", 1, bytesOf(3, 1));
  table.put("a", 2, bytesOf(3, 2));
  table.put("a", 3, null);
  assert.deepEqual(table.get("a", 1)?.value, bytesOf(3, 1));
  assert.deepEqual(table.get("a", 2)?.value, bytesOf(3, 2));
  assert.equal(table.get("a")?.value, null);
  assert.equal(table.get("a", 0), undefined, "no version at or below seq 0");
  assert.deepEqual([table.minSeq, table.maxSeq, table.size], [1, 3, 3]);
});

test("Memtable: a key written twice at one LSN (one batch) reads as the later write", () => {
  const table = new Memtable();
  table.put("a", 7, bytesOf(1, 1));
  table.put("a", 7, bytesOf(1, 2));
  assert.deepEqual(table.get("a")?.value, bytesOf(1, 2));
  assert.deepEqual(table.get("a", 7)?.value, bytesOf(1, 2));
});

test("Memtable answers reads interleaved with writes like a map of version lists (seeded)", () => {
  for (const seed of [1, 2, 3]) {
    const rng = new Rng(seed);
    const random = () => rng.next();
    const table = new Memtable();
    const model = new Map<string, { seq: number; value: Uint8Array | null }[]>();
    let seq = 0;
    for (let step = 0; step < 3_000; step++) {
      const key = `k${Math.floor(random() * 200)}`;
      if (random() < 0.7) {
        if (random() < 0.8) seq++;
        const value = random() < 0.15
          ? null
          : bytesOf(Math.floor(random() * 40_000 * random() ** 4), step & 255);
        table.put(key, seq, value);
        model.set(key, [...(model.get(key) ?? []), { seq, value }]);
      } else {
        const at = random() < 0.5 ? Infinity : Math.floor(random() * (seq + 1));
        const versions = (model.get(key) ?? []).filter((version) => version.seq <= at);
        const expected = versions.at(-1);
        const actual = table.get(key, at);
        assert.deepEqual(
          actual && { seq: actual.seq, value: actual.value },
          expected,
          `seed ${seed} step ${step} ${key}@${at}`,
        );
      }
    }
    assert.deepEqual(table.keys(), [...model.keys()].sort(), `seed ${seed}: keys`);
    assert.equal(table.size, [...model.values()].reduce((n, versions) => n + versions.length, 0));
  }
});

test("Memtable.getValue() by key bytes reads what get() reads by key string (seeded)", () => {
  const hashes = new BloomKey();
  for (const seed of [4, 5, 6]) {
    const rng = new Rng(seed);
    const random = () => rng.next();
    const table = new Memtable();
    const model = new Map<string, { seq: number; value: Uint8Array | null }[]>();
    // Binary keys of 0-40 bytes from a small alphabet (0x00, 0x7f, 0x80, 0xff...): many share
    // prefixes, some are prefixes of others, and 1,500 of them grow the index past its first slots.
    const alphabet = [0, 1, 0x61, 0x7f, 0x80, 0xfe, 0xff];
    const pool = Array.from({ length: 1_500 }, () => {
      const length = Math.floor(random() * 41);
      return new Uint8Array(length).map(() => alphabet[Math.floor(random() * alphabet.length)]!);
    });
    let seq = 0;
    for (let step = 0; step < 8_000; step++) {
      const bytes = pool[Math.floor(random() * pool.length)]!;
      const key = bytesToLatin1(bytes);
      if (random() < 0.5) {
        if (random() < 0.8) seq++;
        const value = random() < 0.15 ? null : bytesOf(1 + (step % 9), step & 255);
        table.put(key, seq, value);
        model.set(key, [...(model.get(key) ?? []), { seq, value }]);
      } else {
        const at = random() < 0.5 ? Infinity : Math.floor(random() * (seq + 1));
        const expected = (model.get(key) ?? []).filter((version) => version.seq <= at).at(-1);
        const label = `seed ${seed} step ${step} [${bytes}]@${at}`;
        assert.deepEqual(
          table.getValue(bytes, hashes.hash(bytes).first, at),
          expected?.value,
          label,
        );
        assert.deepEqual(table.get(key, at)?.value, expected?.value, label);
      }
    }
  }
});

test("Memtable.keys() stays sorted when reads interleave with ascending and out-of-order writes", () => {
  const table = new Memtable();
  const written: string[] = [];
  const value = new Uint8Array([1]);
  for (let i = 0; i < 300; i++) {
    // Mostly ascending (a stream's records), now and then a key that sorts earlier.
    const key = i % 37 === 0 ? `a${String(i).padStart(4, "0")}` : `s${String(i).padStart(4, "0")}`;
    table.put(key, i + 1, value);
    written.push(key);
    if (i % 5 === 0) assert.deepEqual(table.keys(), written.toSorted(), `after write ${i}`);
  }
  const held = table.keys("s0100", "s0200");
  table.put("s9999", 1000, value);
  assert.deepEqual(held, written.filter((k) => k >= "s0100" && k < "s0200").sort());
  assert.deepEqual(table.keys("s0290"), [...written.filter((k) => k >= "s0290"), "s9999"].sort());
});

test("Memtable.keys(start, end) gives the keys in range, before and after writes past either end (seeded)", () => {
  for (let seed = 1; seed <= 30; seed++) {
    const rng = new Rng(seed);
    const table = new Memtable();
    const written = new Set<string>();
    const key = () => `k${String(rng.int(500)).padStart(3, "0")}`;
    for (let step = 0; step < 200; step++) {
      const k = key();
      table.put(k, step + 1, rng.int(4) === 0 ? null : bytesOf(3, step & 255));
      written.add(k);
      if (rng.int(10) !== 0) continue;
      // Ranges below, above, around and inside the keys written so far.
      const [a, b] = [key(), key()].sort();
      for (const [start, end] of [[a, b], ["", a], [b, undefined], ["a", "k"], ["l", undefined]]) {
        const expected = [...written].filter((w) => w >= start! && (end === undefined || w < end));
        assert.deepEqual(
          table.keys(start, end),
          expected.sort(),
          `seed ${seed} [${start}, ${end})`,
        );
      }
    }
  }
});

test("Memtable.forEachNewest() visits what keys() then get() give, read or not (seeded)", () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rng = new Rng(seed);
    const writes: [string, number, Uint8Array | null][] = [];
    const count = rng.int(301);
    for (let seq = 1; seq <= count; seq++) {
      const key = `k${rng.int(60)}\u00ff${"x".repeat(rng.int(3))}`;
      // Some batches write a key twice at one LSN: the later write wins.
      const lsn = rng.int(4) === 0 ? Math.max(1, seq - 1) : seq;
      writes.push([key, lsn, rng.int(5) === 0 ? null : bytesOf(rng.int(40), seq & 255)]);
    }
    const fresh = new Memtable();
    const read = new Memtable();
    writes.forEach(([key, seq, value], i) => {
      fresh.put(key, seq, value);
      read.put(key, seq, value);
      if (i === Math.floor(count / 2)) read.get("k1"); // builds the index halfway
    });
    const expected = read.keys().map((key) => {
      const entry = read.get(key)!;
      return [key, entry.seq, entry.value === null ? null : entry.value.slice()];
    });
    for (const table of [fresh, read]) {
      const seen: unknown[] = [];
      table.forEachNewest((key, seq, value) => seen.push([key, seq, value?.slice() ?? null]));
      assert.deepEqual(seen, expected, `seed ${seed}`);
    }
  }
});

test("Memtable.release() frees the arena and every later use throws", () => {
  const table = new Memtable();
  for (let i = 0; i < 200; i++) table.put(`k${i}`, i + 1, new Uint8Array(50).fill(i));
  table.put("big", 500, new Uint8Array(10_000));
  const view = table.getValue(
    new TextEncoder().encode("k7"),
    new BloomKey().hash(new TextEncoder().encode("k7")).first,
    Infinity,
  )!;
  assert.equal(view.length, 50);
  table.release();
  assert.equal(view.length, 0);
  const key = new TextEncoder().encode("k7");
  const uses: [string, () => unknown][] = [
    ["put", () => table.put("x", 900, null)],
    ["get", () => table.get("k7")],
    ["getValue", () => table.getValue(key, new BloomKey().hash(key).first, Infinity)],
    ["keys", () => table.keys()],
    ["forEachNewest", () => table.forEachNewest(() => {})],
  ];
  for (const [name, use] of uses) {
    assert.throws(use, { code: "CLOSED", message: "Memtable was released after its flush" }, name);
  }
  table.release(); // a second release does nothing
});
