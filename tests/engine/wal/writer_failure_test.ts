import { test } from "node:test";
import assert from "node:assert/strict";
import { KstoneError } from "../../../engine/errors.ts";
import { ErrorFileSystem } from "../../../engine/fs/error_fs.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { readWal } from "../../../engine/wal/reader.ts";
import { type WalSyncCall, WalWriter } from "../../../engine/wal/writer.ts";
import { GatedFileSystem, payloadFor } from "./_helpers.ts";

const PATH = "/db/wal.log";

async function setup(syncCall: WalSyncCall = "async") {
  const memory = new MemoryFileSystem();
  await memory.mkdir("/db");
  const errors = new ErrorFileSystem(memory);
  const wal = await WalWriter.create(errors, PATH, { nextLsn: 1, syncCall });
  for (let lsn = 1; lsn <= 3; lsn++) await wal.durable(wal.append(payloadFor(lsn)));
  return { memory, errors, wal };
}

function isIoError(errno: string) {
  return (error: unknown) =>
    error instanceof KstoneError && error.code === "IO_ERROR" && error.errno === errno;
}

test("WalWriter: a failed fdatasync rejects the batch's waiters and fails the writer", async () => {
  for (const syncCall of ["async", "blocking"] as const) {
    const { memory, errors, wal } = await setup(syncCall);
    errors.inject({ op: "sync", path: "wal.log", errno: "EIO" });
    const lsns = [4, 5, 6, 7, 8].map((lsn) => wal.append(payloadFor(lsn)));
    const results = await Promise.allSettled(lsns.map((lsn) => wal.durable(lsn)));
    for (const result of results) {
      assert.equal(result.status, "rejected", syncCall);
      assert.ok(isIoError("EIO")((result as PromiseRejectedResult).reason), syncCall);
    }
    assert.equal(wal.failed, true);
    assert.equal(wal.lastDurableLsn, 3);
    await wal.durable(3);
    await assert.rejects(wal.durable(6), isIoError("EIO"));
    await assert.rejects(wal.sync(), isIoError("EIO"));
    const log = await readWal(memory, PATH);
    assert.deepEqual(
      log.records.map((record) => record.lsn),
      [1, 2, 3],
      "the failed batch was cut off",
    );
    assert.equal(log.tornBytes, 0);
    await wal.close();
  }
});

test("WalWriter: after a failure append() throws FAILED, naming the cause and asking for a reopen", async () => {
  const { errors, wal } = await setup();
  errors.inject({ op: "sync", path: "wal.log", errno: "EIO" });
  await assert.rejects(wal.durable(wal.append(payloadFor(4))));
  assert.throws(() => wal.append(payloadFor(5)), (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, "FAILED");
    assert.equal(
      error.message,
      "Cannot append to the WAL after a failed write or sync, reopen the database: " +
        "IO error: Input/output error (os error 5): /db/wal.log",
    );
    assert.ok(isIoError("EIO")(error.cause));
    return true;
  });
  await assert.rejects(wal.truncateBefore(2), { code: "FAILED" });
  await wal.close();
});

test("WalWriter: a torn write on a full disk is cut back to the last good record", async () => {
  const { memory, errors, wal } = await setup();
  errors.inject({ op: "write", path: "wal.log", errno: "ENOSPC", partial: true });
  const lsns = [4, 5, 6].map((lsn) => wal.append(payloadFor(lsn)));
  for (const lsn of lsns) await assert.rejects(wal.durable(lsn), isIoError("ENOSPC"));
  assert.throws(() => wal.append(payloadFor(7)), {
    code: "FAILED",
    message: /No space left on device/,
  });
  const log = await readWal(memory, PATH);
  assert.deepEqual(log.records.map((record) => record.lsn), [1, 2, 3]);
  assert.equal(log.tornBytes, 0);
  await wal.close();
});

test("WalWriter: when cutting back fails too, the half-written batch reads as a torn tail", async () => {
  const { memory, errors, wal } = await setup();
  const end = wal.size;
  errors.inject({ op: "write", path: "wal.log", errno: "ENOSPC", partial: 40 });
  errors.inject({ op: "truncate", path: "wal.log", errno: "EIO" });
  await assert.rejects(wal.durable(wal.append(payloadFor(4))), isIoError("ENOSPC"));
  const log = await readWal(memory, PATH);
  assert.deepEqual(log.records.map((record) => record.lsn), [1, 2, 3]);
  // The torn tail: 40 bytes of record 4, then the zeros written ahead of records 1..3.
  assert.equal(log.validSize, end);
  assert.equal(log.tornBytes, (await memory.stat(PATH)).size - end);
  assert.ok(log.tornBytes >= 40);
  await wal.close();
});

test("WalWriter: records queued behind a failing fdatasync reject with the same error", async () => {
  const memory = new MemoryFileSystem();
  await memory.mkdir("/db");
  const errors = new ErrorFileSystem(memory);
  const gate = new GatedFileSystem(errors);
  const wal = await WalWriter.create(gate, PATH, { nextLsn: 1, syncCall: "async" });
  await wal.durable(wal.append(payloadFor(1)));
  gate.hold();
  const first = wal.durable(wal.append(payloadFor(2)));
  await new Promise((resolve) => setTimeout(resolve, 5));
  const later = [3, 4, 5].map((lsn) => wal.durable(wal.append(payloadFor(lsn))));
  errors.inject({ op: "sync", path: "wal.log", errno: "EIO" });
  gate.release();
  const results = await Promise.allSettled([first, ...later]);
  assert.deepEqual(results.map((result) => result.status), [
    "rejected",
    "rejected",
    "rejected",
    "rejected",
  ]);
  const reasons = results.map((result) => (result as PromiseRejectedResult).reason);
  assert.ok(reasons.every((reason) => reason === reasons[0] && isIoError("EIO")(reason)));
  assert.deepEqual((await readWal(memory, PATH)).records.map((record) => record.lsn), [1]);
  await wal.close();
});

test("WalWriter in interval mode: a failed timer fdatasync fails the writer and keeps acknowledged records", async () => {
  const memory = new MemoryFileSystem();
  await memory.mkdir("/db");
  const errors = new ErrorFileSystem(memory);
  const wal = await WalWriter.create(errors, PATH, {
    nextLsn: 1,
    syncMode: "interval",
    syncIntervalMs: 5,
  });
  errors.inject({ op: "sync", path: "wal.log", errno: "EIO" });
  await wal.durable(wal.append(payloadFor(1)));
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(wal.failed, true);
  assert.throws(() => wal.append(payloadFor(2)), { code: "FAILED" });
  assert.deepEqual((await readWal(memory, PATH)).records.map((record) => record.lsn), [1]);
  await wal.close();
});
