import { test } from "node:test";
import assert from "node:assert/strict";
import { ENTRY_OVERHEAD, Memtable } from "../../../engine/memtable/memtable.ts";

const bytesOf = (length: number, fill: number) => new Uint8Array(length).fill(fill);

test("Memtable.put() copies the value: the caller may reuse its buffer", () => {
  const table = new Memtable();
  const shared = new Uint8Array(64);
  for (let i = 0; i < 100; i++) {
    shared.fill(i);
    table.put(`k${i}`, i + 1, shared.subarray(0, 10 + (i % 7)), Infinity);
  }
  shared.fill(255);
  for (let i = 0; i < 100; i++) {
    assert.deepEqual(table.get(`k${i}`)?.value, bytesOf(10 + (i % 7), i), `k${i}`);
  }
});

test("Memtable.put() keeps values of every size, across arena chunks and past the largest", () => {
  const table = new Memtable();
  const sizes = [0, 1, 4095, 4096, 4097, 9000, 16 * 1024, 16 * 1024 + 1, 70_000, 3, 65_536];
  sizes.forEach((size, i) => table.put(`k${i}`, i + 1, bytesOf(size, i + 1), Infinity));
  sizes.forEach((size, i) => assert.deepEqual(table.get(`k${i}`)?.value, bytesOf(size, i + 1)));
});

test("Memtable.bytes counts a replaced value's bytes until the memtable is dropped", () => {
  const table = new Memtable();
  table.put("a", 1, bytesOf(100, 1), Infinity);
  const first = table.bytes;
  assert.equal(first, 1 + ENTRY_OVERHEAD + 32 + 100);
  table.put("a", 2, bytesOf(50, 2), Infinity);
  assert.equal(table.bytes, first + 50, "the old value stays in the arena; its entry is gone");
  table.put("a", 3, null, Infinity);
  assert.equal(table.bytes, first + 50);
  assert.equal(table.get("a")?.value, null);
});

test("Memtable keeps replaced versions for open snapshots and reads each as of its seq", () => {
  const table = new Memtable();
  table.put("a", 1, bytesOf(3, 1), Infinity);
  table.put("a", 2, bytesOf(3, 2), 1);
  table.put("a", 3, null, 1);
  assert.deepEqual(table.get("a", 1)?.value, bytesOf(3, 1));
  assert.deepEqual(table.get("a", 2)?.value, bytesOf(3, 2));
  assert.equal(table.get("a")?.value, null);
  assert.deepEqual([table.minSeq, table.maxSeq, table.size], [1, 3, 1]);
});

test("Memtable.bytes stops counting a replaced value that had an array of its own", () => {
  const table = new Memtable();
  table.put("a", 1, bytesOf(20_000, 1), Infinity);
  const first = table.bytes;
  table.put("a", 2, bytesOf(20_000, 2), Infinity);
  assert.equal(table.bytes, first);
  assert.deepEqual(table.get("a")?.value, bytesOf(20_000, 2));
});

test("Memtable.keys() stays sorted when reads interleave with ascending and out-of-order writes", () => {
  const table = new Memtable();
  const written: string[] = [];
  const value = new Uint8Array([1]);
  for (let i = 0; i < 300; i++) {
    // Mostly ascending (a stream's records), now and then a key that sorts earlier.
    const key = i % 37 === 0 ? `a${String(i).padStart(4, "0")}` : `s${String(i).padStart(4, "0")}`;
    table.put(key, i + 1, value, Infinity);
    written.push(key);
    if (i % 5 === 0) assert.deepEqual(table.keys(), written.toSorted(), `after write ${i}`);
  }
  const held = table.keys("s0100", "s0200");
  table.put("s9999", 1000, value, Infinity);
  assert.deepEqual(held, written.filter((k) => k >= "s0100" && k < "s0200").sort());
  assert.deepEqual(table.keys("s0290"), [...written.filter((k) => k >= "s0290"), "s9999"].sort());
});
