import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { createStore, openStore } from "../../../engine/store/open.ts";

// A value a store returns views the memtable or the cached block it was read from. These tests
// watch such views to see when the store frees that memory: a freed buffer reads as empty.
// (Runtimes without ArrayBuffer.prototype.transfer leave memory to the garbage collector; both
// runtimes the suite runs on have it.)

const DIR = "/data/release.keystone";

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

const VALUE = bytes("a value of some length");

test("a flush frees the memory of the memtables it wrote once no snapshot is open", async () => {
  const store = await createStore(new MemoryFileSystem(), DIR);
  await store.commit([{ stripe: 3, key: bytes("k"), value: VALUE }]);
  const view = store.get(3, bytes("k"))!;
  assert.deepEqual(view, VALUE);
  await store.flush();
  assert.equal(view.length, 0, "the flushed memtable's arena was freed");
  assert.deepEqual(store.get(3, bytes("k")), VALUE, "the SST holds the value");
  await store.close();
});

test("a flush keeps the memtables an open snapshot reads until the snapshot is released", async () => {
  const store = await createStore(new MemoryFileSystem(), DIR);
  await store.commit([{ stripe: 3, key: bytes("k"), value: VALUE }]);
  const snapshot = store.snapshot();
  const view = snapshot.get(3, bytes("k"))!;
  await store.commit([{ stripe: 3, key: bytes("k"), value: bytes("newer") }]);
  await store.flush();
  assert.deepEqual(view, VALUE, "still readable while the snapshot is open");
  assert.deepEqual(snapshot.get(3, bytes("k")), VALUE);
  assert.deepEqual(
    [...snapshot.range(3)].map((entry) => entry.value),
    [VALUE],
    "the snapshot's range reads the flushed memtable",
  );
  snapshot.release();
  assert.equal(view.length, 0, "freed with the last snapshot");
  assert.deepEqual(store.get(3, bytes("k")), bytes("newer"));
  await store.close();
});

test("close frees the block cache and the memtables when no snapshot is open", async () => {
  const fs = new MemoryFileSystem();
  const store = await createStore(fs, DIR, { flushOnClose: false });
  await store.commit([{ stripe: 5, key: bytes("in-sst"), value: VALUE }]);
  await store.flush();
  await store.commit([{ stripe: 5, key: bytes("in-memtable"), value: VALUE }]);
  const cached = store.get(5, bytes("in-sst"))!;
  const buffered = store.get(5, bytes("in-memtable"))!;
  assert.deepEqual([cached, buffered], [VALUE, VALUE]);
  await store.close();
  assert.deepEqual([cached.length, buffered.length], [0, 0]);
  // Nothing was lost: the memtable's record is in the WAL, the other in its SST.
  const again = await openStore(fs, DIR);
  assert.deepEqual(again.get(5, bytes("in-sst")), VALUE);
  assert.deepEqual(again.get(5, bytes("in-memtable")), VALUE);
  await again.close();
});

test("close keeps the memory an open snapshot reads", async () => {
  const store = await createStore(new MemoryFileSystem(), DIR, { flushOnClose: false });
  await store.commit([{ stripe: 5, key: bytes("k"), value: VALUE }]);
  const snapshot = store.snapshot();
  const view = snapshot.get(5, bytes("k"))!;
  await store.close();
  assert.deepEqual(view, VALUE);
  assert.deepEqual(snapshot.get(5, bytes("k")), VALUE);
  snapshot.release();
});
