import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesToLatin1 } from "../../../engine/codec/bytes.ts";
import { Memtable } from "../../../engine/memtable/memtable.ts";
import { lookup, Stripe } from "../../../engine/store/stripe.ts";
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
