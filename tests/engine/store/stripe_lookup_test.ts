import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesToLatin1 } from "../../../engine/codec/bytes.ts";
import { Memtable } from "../../../engine/memtable/memtable.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { BlockCache } from "../../../engine/sstable/block_cache.ts";
import type { SstEntry } from "../../../engine/sstable/entry.ts";
import { TableReader } from "../../../engine/sstable/table_reader.ts";
import { writeTable } from "../../../engine/sstable/table_writer.ts";
import { lookup, Stripe, type TableRef } from "../../../engine/store/stripe.ts";
import { Rng, testSeed } from "../sstable/_helpers.ts";

/** The newest version visible at `seq` in the first memtable holding one, read the plain way. */
function expected(memtables: Memtable[], key: Uint8Array, seq: number) {
  for (const memory of memtables) {
    const entry = memory.get(bytesToLatin1(key), seq);
    if (entry !== undefined) return entry.value;
  }
  return undefined;
}

test("Stripe.get() and lookup() skip empty memtables and read what each memtable holds", () => {
  const rng = new Rng(testSeed("stripe lookup"));
  for (let round = 0; round < 50; round++) {
    const stripe = new Stripe();
    const memtables = [stripe.memtable, new Memtable(), new Memtable(), new Memtable()];
    stripe.immutables = memtables.slice(1);
    let seq = 1;
    for (const memory of memtables) {
      if (rng.int(3) === 0) continue; // left empty, as every memtable is after a reopen
      for (let i = 0, n = rng.int(20); i < n; i++) {
        const value = rng.int(4) === 0 ? null : rng.bytes(1 + rng.int(4));
        memory.put(bytesToLatin1(new Uint8Array([rng.int(30)])), seq++, value);
      }
    }
    for (let k = 0; k < 30; k++) {
      const key = new Uint8Array([k]);
      const at = rng.int(2) === 0 ? Infinity : rng.int(seq + 1);
      const want = expected(memtables, key, at);
      assert.deepEqual(stripe.get(key, at), want, `key ${k} at ${at}`);
      assert.deepEqual(lookup(memtables, [], key, at), want, `key ${k} at ${at}`);
    }
  }
});

test("Stripe.get() reads the newest version at a snapshot across memtables and SSTs (seeded)", async () => {
  const rng = new Rng(testSeed("stripe lookup sst"));
  const fs = new MemoryFileSystem();
  const cache = new BlockCache(1 << 20);
  for (let round = 0; round < 20; round++) {
    // Versions of 40 two-byte keys, oldest source first: two SSTs, then two memtables.
    const versions = new Map<number, { seq: number; value: Uint8Array | null }[]>();
    let seq = 1;
    const stripe = new Stripe();
    const tables: TableRef[] = [];
    for (let t = 0; t < 2; t++) {
      const entries: SstEntry[] = [];
      for (let k = 0; k < 40; k++) {
        if (rng.int(3) !== 0) continue;
        const value = rng.int(5) === 0 ? null : rng.bytes(1 + rng.int(30));
        entries.push({ key: new Uint8Array([k >> 3, k]), seq, value });
        versions.set(k, [...(versions.get(k) ?? []), { seq: seq++, value }]);
      }
      if (entries.length === 0) continue;
      const path = `/${round}-${t}.sst`;
      await writeTable(fs, path, entries, { blockSize: 64 });
      const reader = await TableReader.open(fs, path, { cache, fileId: round * 2 + t + 1 });
      tables.unshift({ id: round * 2 + t + 1, size: 0, reader });
    }
    stripe.tables = tables;
    const older = new Memtable();
    stripe.immutables = [older];
    for (const memory of [older, stripe.memtable]) {
      for (let i = 0, n = rng.int(30); i < n; i++) {
        const k = rng.int(40);
        const value = rng.int(5) === 0 ? null : rng.bytes(1 + rng.int(30));
        memory.put(bytesToLatin1(new Uint8Array([k >> 3, k])), seq, value);
        versions.set(k, [...(versions.get(k) ?? []), { seq: seq++, value }]);
      }
    }
    for (let k = 0; k < 41; k++) {
      const at = rng.int(2) === 0 ? Infinity : rng.int(seq + 1);
      const want = (versions.get(k) ?? []).filter((version) => version.seq <= at).at(-1)?.value;
      const got = stripe.get(new Uint8Array([k >> 3, k]), at);
      assert.deepEqual(
        got === undefined ? undefined : got && got.slice(),
        want,
        `${round}: ${k}@${at}`,
      );
    }
    for (const table of tables) table.reader.close();
  }
});
