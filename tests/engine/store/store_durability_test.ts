import { test } from "node:test";
import assert from "node:assert/strict";
import { Database } from "../../../engine/db/database.ts";
import { ErrorFileSystem } from "../../../engine/fs/error_fs.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { createStore, openStore } from "../../../engine/store/open.ts";
import type { Store } from "../../../engine/store/store.ts";
import { JitterFileSystem } from "../../helpers/jitter_fs.ts";

const DIR = "/data/store.keystone";

function key(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function value(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

test("createStore() makes every directory it creates durable: a power cut right after keeps the database", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.create("/srv/a/b/mydb.keystone", { fs });
  await db.put("user#123", { name: "Ada" });
  const after = fs.crash({ seed: 1, keepUnsynced: 0 });
  const again = await Database.open("/srv/a/b/mydb.keystone", { fs: after });
  assert.deepEqual(await again.get("user#123"), { pk: "user#123", name: "Ada" });
  await again.close();
  await db.close();
});

test("Store.commit() of a batch over two stripes is all or nothing when only one stripe is flushed before the WAL is synced", async () => {
  const fs = new MemoryFileSystem();
  // "interval" durability with no timer sync in the test's lifetime: the WAL is synced only when
  // the store asks for it. Stripe 7 is flushed alone once it holds three records.
  const store = await createStore(fs, DIR, {
    durability: "interval",
    syncIntervalMs: 3_600_000,
    maxStripeRecords: 3,
  });
  await store.commit([{ stripe: 7, key: key("a1"), value: value("1") }]);
  await store.commit([{ stripe: 7, key: key("a2"), value: value("2") }]);
  await store.commit([
    { stripe: 7, key: key("a3"), value: value("3") },
    { stripe: 9, key: key("b1"), value: value("batch") },
  ]);
  await store.idle();
  assert.equal(store.stats.flushes, 1, "stripe 7 alone was flushed");
  assert.equal(store.stripes[9]!.memtable.size, 1, "stripe 9 was not flushed");

  const after = await openStore(fs.crash({ seed: 3, keepUnsynced: 0 }), DIR);
  const a3 = text(after.get(7, key("a3")));
  const b1 = text(after.get(9, key("b1")));
  assert.equal(a3 === undefined, b1 === undefined, `half a batch survived: a3 ${a3}, b1 ${b1}`);
  assert.equal(b1, "batch", "a flush makes the WAL records it holds durable first");
  await after.close();
  await store.close();
});

test("openStore() resumes LSNs after a rewritten WAL that starts past the MANIFEST's last LSN", async () => {
  const opened: { store?: Store } = {};
  let committed: Promise<void> | undefined;
  const fs = new MemoryFileSystem({
    onOperation(operation) {
      // A commit of no mutations while the flush writes its SST: it gets an LSN, lands in no
      // memtable, and the WAL rewrite that follows drops it.
      if (committed === undefined && operation.path.endsWith(".sst")) {
        committed = opened.store?.commit([]);
      }
    },
  });
  const store = opened.store = await createStore(fs, DIR, { flushOnClose: false });
  await store.commit([{ stripe: 1, key: key("k"), value: value("v") }]);
  await store.flush();
  await committed;
  assert.equal(store.lastLsn, 2);
  await store.close();

  const again = await openStore(fs, DIR);
  assert.equal(again.lastLsn, 2);
  await again.commit([{ stripe: 1, key: key("k"), value: value("w") }]);
  assert.equal(again.lastLsn, 3);
  await again.close();
  const third = await openStore(fs, DIR);
  assert.equal(text(third.get(1, key("k"))), "w");
  await third.close();
});

test("Store flushes the largest stripes once memtables hold more than memtableBudgetBytes", async () => {
  const fs = new MemoryFileSystem();
  const store = await createStore(fs, DIR, {
    memtableBudgetBytes: 64 * 1024,
    maxStripeRecords: 1_000_000,
    maxWalBytes: 64 * 1024 * 1024,
  });
  const pad = "x".repeat(1000);
  for (let i = 0; i < 300; i++) {
    await store.commit([{ stripe: i % 5, key: key(`k${i}`), value: value(pad) }]);
    let held = 0;
    for (const stripe of store.stripes) {
      held += stripe.memtable.bytes;
      for (const memory of stripe.immutables) held += memory.bytes;
    }
    assert.equal(store.memtableBytes(), held, "memtableBytes() counts every memtable");
  }
  await store.idle();
  assert.ok(store.stats.flushes > 0, "300 KB of writes against a 64 KiB budget must flush");
  assert.ok(store.memtableBytes() <= 64 * 1024, `memtables hold ${store.memtableBytes()} bytes`);
  for (let i = 0; i < 300; i++) assert.equal(text(store.get(i % 5, key(`k${i}`))), pad);
  await store.close();
});

test("Store.close() waits for every compaction, even when one of them fails", async () => {
  const inner = new MemoryFileSystem();
  const fs = new ErrorFileSystem(inner);
  const store = await createStore(fs, DIR, { sstThreshold: 2, autoCompact: true });
  for (const round of ["1", "2"]) {
    await store.commit([
      { stripe: 3, key: key("a"), value: value(round) },
      { stripe: 4, key: key("b"), value: value(round) },
      { stripe: 5, key: key("c"), value: value(round) },
    ]);
    if (round === "1") await store.flush();
  }
  // close() flushes (MANIFEST rename 1), which starts three compactions; the first to install
  // (rename 2) fails while the others are still running.
  fs.inject({ op: "rename", path: "MANIFEST", nth: 2, errno: "EIO" });
  await store.close().catch(() => {});
  const operations = inner.operationCount;
  await turns(20);
  assert.equal(inner.operationCount, operations, "no file operation after close()");

  const again = await openStore(inner, DIR);
  for (const [stripe, name] of [[3, "a"], [4, "b"], [5, "c"]] as const) {
    assert.equal(text(again.get(stripe, key(name))), "2");
  }
  assert.deepEqual(again.warnings, []);
  await again.close();
});

test("Store does not retry a failed compaction at once: a full disk does not make it spin", async () => {
  const inner = new MemoryFileSystem();
  const fs = new ErrorFileSystem(inner);
  const store = await createStore(fs, DIR, { sstThreshold: 2, autoCompact: true });
  await store.commit([{ stripe: 3, key: key("a"), value: value("1") }]);
  await store.flush();
  await store.commit([{ stripe: 3, key: key("a"), value: value("2") }]);
  // The flush's MANIFEST write goes through; the compaction it starts fails to write its own.
  const full = fs.inject({ op: "write", path: "MANIFEST", nth: 2, errno: "ENOSPC", times: 50 });
  await store.flush();
  await turns(20);
  assert.equal(full.fired, 1, "one failed attempt, not a retry loop");
  assert.match(String(store.backgroundError), /No space left on device/);
  assert.equal(text(store.get(3, key("a"))), "2");
  full.cancel();
  await store.compact();
  assert.equal(store.stripes[3]!.tables.length, 1, "a later compaction succeeds");
  assert.equal(text(store.get(3, key("a"))), "2");
  await store.close();
});

test("Database.open() refuses a directory whose MANIFEST was removed instead of deleting its SSTs", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs });
  await db.put("user#123", { name: "Ada" });
  await db.close();
  await fs.remove(`${DIR}/MANIFEST`);
  await assert.rejects(Database.open(DIR, { fs }), {
    code: "CORRUPTION",
    message: `Corruption detected: MANIFEST is missing but SST files remain: ${DIR}/MANIFEST`,
  });
  assert.ok((await fs.list(DIR)).some((name) => name.endsWith(".sst")), "the SSTs are still there");
});

test("Store.flush() that fails to write one SST removes every SST it wrote and leaves nothing running", async () => {
  const inner = new MemoryFileSystem();
  // Seeded delays make the ten SST writes finish in a scrambled order.
  const fs = new ErrorFileSystem(new JitterFileSystem(inner, 11, 200));
  const store = await createStore(fs, DIR, { autoCompact: false });
  for (let stripe = 0; stripe < 10; stripe++) {
    await store.commit([{ stripe, key: key(`k${stripe}`), value: value(`v${stripe}`) }]);
  }
  // The flush writes ten SSTs at once; the one of stripe 3 fails its fdatasync.
  fs.inject({ op: "sync", path: "/003-", errno: "EIO" });
  await assert.rejects(store.flush(), { code: "IO_ERROR", errno: "EIO" });
  const operations = inner.operationCount;
  await turns(10);
  assert.equal(inner.operationCount, operations, "no SST write goes on after flush() failed");
  assert.deepEqual((await inner.list(DIR)).filter((name) => name.endsWith(".sst")), []);

  await store.flush();
  await store.close();
  const again = await openStore(inner, DIR);
  for (let stripe = 0; stripe < 10; stripe++) {
    assert.equal(text(again.get(stripe, key(`k${stripe}`))), `v${stripe}`);
  }
  await again.close();
});
