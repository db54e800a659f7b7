import { test } from "node:test";
import assert from "node:assert/strict";
import { ErrorFileSystem } from "../../../engine/fs/error_fs.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { WAL_HEADER_SIZE } from "../../../engine/wal/format.ts";
import { readWal, WalReader } from "../../../engine/wal/reader.ts";
import { WalWriter } from "../../../engine/wal/writer.ts";
import { GatedFileSystem, payloadFor } from "./_helpers.ts";

const PATH = "/db/wal.log";

async function memory(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/db");
  await fs.syncDir("/");
  return fs;
}

async function lsnsOf(fs: MemoryFileSystem | GatedFileSystem | ErrorFileSystem): Promise<number[]> {
  return (await readWal(fs, PATH)).records.map((record) => record.lsn);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

test("WalWriter.truncateBefore() keeps the records from the LSN on and appends after them", async () => {
  const fs = await memory();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  for (let lsn = 1; lsn <= 10; lsn++) await wal.durable(wal.append(payloadFor(lsn)));
  await wal.truncateBefore(6);
  assert.deepEqual(await lsnsOf(fs), range(6, 10));
  await wal.durable(wal.append(payloadFor(11)));
  await wal.close();
  const log = await readWal(fs, PATH);
  assert.deepEqual(log.records.map((record) => record.lsn), range(6, 11));
  for (const record of log.records) assert.deepEqual(record.payload, payloadFor(record.lsn));
  assert.equal(log.baseLsn, 6);
  assert.equal(wal.size, log.validSize);
  assert.equal(wal.stats.rewrites, 1);
  assert.deepEqual(await fs.list("/db"), ["wal.log"]);
});

test("WalWriter.truncateBefore() loses and reorders nothing appended while it runs", async () => {
  const fs = new GatedFileSystem(await memory());
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1, syncCall: "async" });
  for (let lsn = 1; lsn <= 20; lsn++) wal.append(payloadFor(lsn));
  await wal.sync();
  fs.hold();
  const rotation = wal.truncateBefore(15);
  const during: Promise<void>[] = [];
  for (let lsn = 21; lsn <= 40; lsn++) {
    during.push(wal.durable(wal.append(payloadFor(lsn))));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.equal(fs.held, 1, "the rewrite waits on the temp file's fdatasync");
  fs.release();
  await Promise.all([rotation, ...during]);
  assert.equal(wal.lastDurableLsn, 40);
  await wal.close();
  const log = await readWal(fs, PATH);
  assert.deepEqual(log.records.map((record) => record.lsn), range(15, 40));
  for (const record of log.records) assert.deepEqual(record.payload, payloadFor(record.lsn));
});

test("WalWriter.truncateBefore() writes out records appended but not yet written before cutting", async () => {
  const fs = await memory();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  for (let lsn = 1; lsn <= 5; lsn++) wal.append(payloadFor(lsn));
  await wal.truncateBefore(4);
  await wal.close();
  assert.deepEqual(await lsnsOf(fs), [4, 5]);
});

test("WalWriter.truncateBefore(nextLsn) empties the log, whose base LSN then is nextLsn", async () => {
  const fs = await memory();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  for (let lsn = 1; lsn <= 5; lsn++) await wal.durable(wal.append(payloadFor(lsn)));
  await wal.truncateBefore(6);
  let log = await readWal(fs, PATH);
  assert.deepEqual([log.records.length, log.validSize, log.baseLsn, log.nextLsn], [
    0,
    WAL_HEADER_SIZE,
    6,
    6,
  ]);
  assert.equal(wal.size, WAL_HEADER_SIZE);
  wal.append(payloadFor(6));
  await wal.close();
  log = await readWal(fs, PATH);
  assert.deepEqual(log.records.map((record) => record.lsn), [6]);
});

test("WalWriter.truncateBefore() of an LSN at or below the first record rewrites nothing", async () => {
  const fs = await memory();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 10 });
  await wal.truncateBefore(10);
  wal.append(payloadFor(10));
  await wal.truncateBefore(3);
  await wal.truncateBefore(10);
  assert.equal(wal.stats.rewrites, 0);
  await assert.rejects(wal.truncateBefore(12), RangeError);
  await wal.close();
  assert.deepEqual(await lsnsOf(fs), [10]);
});

for (const reopen of ["walking the log", "with the reader that replayed it"]) {
  test(`WalWriter.truncateBefore() finds the cut in a long log and in a log reopened for append ${reopen}`, async () => {
    const fs = await memory();
    let wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
    for (let round = 0; round < 40; round++) {
      let last = 0;
      for (let i = 0; i < 50; i++) last = wal.append(payloadFor(wal.nextLsn));
      await wal.durable(last);
    }
    await wal.truncateBefore(1234);
    assert.deepEqual(await lsnsOf(fs), range(1234, 2000));
    await wal.close();
    const reader = await WalReader.open(fs, PATH);
    while (reader.next() !== undefined);
    reader.close();
    wal = await WalWriter.openForAppend(fs, PATH, {
      nextLsn: reader.nextLsn,
      validSize: reader.position,
      ...(reopen === "walking the log" ? {} : { reader }),
    });
    wal.append(payloadFor(2001));
    await wal.truncateBefore(1900);
    await wal.truncateBefore(1950);
    await wal.close();
    assert.deepEqual(await lsnsOf(fs), range(1950, 2001));
  });
}

test("WalWriter.truncateBefore() keeps a jump of LSNs in the kept records", async () => {
  const fs = await memory();
  let wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  wal.append(payloadFor(1));
  await wal.close();
  const log = await readWal(fs, PATH);
  wal = await WalWriter.openForAppend(fs, PATH, { nextLsn: 50, validSize: log.validSize });
  wal.append(payloadFor(50));
  wal.append(payloadFor(51));
  await wal.truncateBefore(20);
  wal.append(payloadFor(52));
  await wal.close();
  assert.deepEqual(await lsnsOf(fs), [50, 51, 52]);
});

test("WalWriter.truncateBefore() that fails before the rename leaves the old log in use", async () => {
  const errors = new ErrorFileSystem(await memory());
  const wal = await WalWriter.create(errors, PATH, { nextLsn: 1 });
  for (let lsn = 1; lsn <= 5; lsn++) await wal.durable(wal.append(payloadFor(lsn)));
  errors.inject({ op: "sync", path: "wal.log.tmp", errno: "ENOSPC" });
  await assert.rejects(wal.truncateBefore(3), { code: "IO_ERROR", errno: "ENOSPC" });
  assert.equal(wal.failed, false);
  await wal.durable(wal.append(payloadFor(6)));
  await wal.close();
  assert.deepEqual(await lsnsOf(errors), range(1, 6));
  assert.deepEqual(await errors.list("/db"), ["wal.log"]);
});

test("WalWriter.truncateBefore() whose directory sync fails fails the writer", async () => {
  const errors = new ErrorFileSystem(await memory());
  const wal = await WalWriter.create(errors, PATH, { nextLsn: 1 });
  for (let lsn = 1; lsn <= 5; lsn++) await wal.durable(wal.append(payloadFor(lsn)));
  errors.inject({ op: "syncDir", errno: "EIO" });
  await assert.rejects(wal.truncateBefore(3), { code: "IO_ERROR", errno: "EIO" });
  assert.equal(wal.failed, true);
  assert.throws(() => wal.append(payloadFor(6)), { code: "FAILED" });
  await wal.close();
  assert.deepEqual(await lsnsOf(errors), range(3, 5));
});

test("WalWriter.truncateBefore() in interval mode makes the kept records durable", async () => {
  const fs = await memory();
  const wal = await WalWriter.create(fs, PATH, {
    nextLsn: 1,
    syncMode: "interval",
    syncIntervalMs: 60_000,
  });
  for (let lsn = 1; lsn <= 8; lsn++) await wal.durable(wal.append(payloadFor(lsn)));
  assert.equal(wal.lastDurableLsn, 0);
  await wal.truncateBefore(5);
  assert.equal(wal.lastDurableLsn, 8);
  assert.deepEqual(await lsnsOf(fs.crash({ seed: 4, keepUnsynced: 0 })), range(5, 8));
  await wal.close();
});

test("WalWriter.sync() during a rewrite in interval mode waits for the new log", async () => {
  const fs = new GatedFileSystem(await memory());
  const wal = await WalWriter.create(fs, PATH, {
    nextLsn: 1,
    syncMode: "interval",
    syncIntervalMs: 60_000,
  });
  for (let lsn = 1; lsn <= 6; lsn++) await wal.durable(wal.append(payloadFor(lsn)));
  fs.hold();
  const rotation = wal.truncateBefore(4);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const sync = wal.sync();
  fs.release();
  await Promise.all([rotation, sync]);
  assert.equal(wal.failed, false);
  assert.equal(wal.lastDurableLsn, 6);
  await wal.close();
  assert.deepEqual(await lsnsOf(fs), range(4, 6));
});
