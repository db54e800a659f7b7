import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { WAL_HEADER_SIZE, WAL_RECORD_HEADER_SIZE } from "../../../engine/wal/format.ts";
import { readWal } from "../../../engine/wal/reader.ts";
import { WalWriter } from "../../../engine/wal/writer.ts";
import { GatedFileSystem, payloadFor, writeFileBytes } from "./_helpers.ts";

const PATH = "/db/wal.log";

async function gated(): Promise<GatedFileSystem> {
  const fs = new GatedFileSystem();
  await fs.mkdir("/db");
  return fs;
}

/** Lets pending I/O callbacks and microtasks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

function tracked(promise: Promise<void>): { done: () => boolean } {
  let done = false;
  promise.then(() => done = true, () => done = true);
  return { done: () => done };
}

test("WalWriter.create() leaves a durable header-only log and no temp file", async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/db");
  await fs.syncDir("/");
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 9 });
  assert.deepEqual((await fs.list("/db")).sort(), ["wal.log"]);
  const crashed = fs.crash({ seed: 1, keepUnsynced: 0 });
  const log = await readWal(crashed, PATH);
  assert.deepEqual([log.records.length, log.validSize, log.baseLsn], [0, WAL_HEADER_SIZE, 9]);
  assert.equal(wal.size, WAL_HEADER_SIZE);
  await wal.close();
});

test("WalWriter.create() replaces an existing log", async () => {
  const fs = await gated();
  const old = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  old.append(new Uint8Array(10));
  await old.close();
  await (await WalWriter.create(fs, PATH, { nextLsn: 50 })).close();
  const log = await readWal(fs, PATH);
  assert.deepEqual([log.records.length, log.nextLsn], [0, 50]);
});

test("WalWriter.append() returns consecutive LSNs from nextLsn and counts queued bytes in size", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1000 });
  assert.equal(wal.append(new Uint8Array(0)), 1000);
  assert.equal(wal.append(new Uint8Array(6)), 1001);
  assert.equal(wal.nextLsn, 1002);
  assert.equal(wal.size, WAL_HEADER_SIZE + 2 * WAL_RECORD_HEADER_SIZE + 6);
  assert.equal(fs.writes, 1, "only the header is written yet");
  await wal.close();
  assert.equal(wal.size, (await fs.stat(PATH)).size);
});

test("WalWriter.append() copies the payload at once", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  const payload = new Uint8Array([1, 2, 3]);
  wal.append(payload);
  payload.fill(9);
  await wal.close();
  assert.deepEqual((await readWal(fs, PATH)).records[0]!.payload, new Uint8Array([1, 2, 3]));
});

test("WalWriter group commit: 100 appends in one tick share one write and one fdatasync", async () => {
  for (const syncCall of ["async", "blocking"] as const) {
    const fs = await gated();
    const wal = await WalWriter.create(fs, PATH, { nextLsn: 1, syncCall });
    const [writes, syncs] = [fs.writes, fs.syncs];
    const lsns = Array.from({ length: 100 }, (_, i) => wal.append(payloadFor(i + 1)));
    await Promise.all(lsns.map((lsn) => wal.durable(lsn)));
    assert.equal(fs.writes - writes, 1, syncCall);
    assert.equal(fs.syncs - syncs, 1, syncCall);
    assert.deepEqual(wal.stats, {
      records: 100,
      writes: 1,
      syncs: 1,
      bytesWritten: wal.size - WAL_HEADER_SIZE,
      rewrites: 0,
    });
    await wal.close();
  }
});

test("WalWriter group commit: records appended during an fdatasync share the next write and sync", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1, syncCall: "async" });
  const [writes, syncs] = [fs.writes, fs.syncs];
  fs.hold();
  const first = wal.durable(wal.append(payloadFor(1)));
  await settle();
  assert.equal(fs.held, 1, "the first sync is in flight");
  const rest = Array.from({ length: 50 }, (_, i) => wal.durable(wal.append(payloadFor(i + 2))));
  await settle();
  assert.equal(fs.writes - writes, 1, "the 50 wait for the sync in flight");
  fs.release();
  await Promise.all([first, ...rest]);
  assert.equal(fs.writes - writes, 2);
  assert.equal(fs.syncs - syncs, 2);
  await wal.close();
});

test("WalWriter.durable() resolves only after the record's fdatasync completes", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1, syncCall: "async" });
  fs.hold();
  const lsn = wal.append(payloadFor(1));
  const durable = tracked(wal.durable(lsn));
  await settle();
  assert.equal(durable.done(), false);
  assert.equal(wal.lastDurableLsn, 0);
  fs.release();
  await wal.durable(lsn);
  assert.equal(durable.done(), true);
  assert.equal(wal.lastDurableLsn, 1);
  await wal.close();
});

test("WalWriter.durable() resolves at once for a durable LSN and rejects an LSN not appended", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 10 });
  await wal.durable(9);
  await wal.durable(wal.append(new Uint8Array(1)));
  await wal.durable(10);
  await assert.rejects(wal.durable(11), RangeError);
  await wal.close();
});

test("WalWriter in interval mode acknowledges after the write and fdatasyncs on a timer", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, {
    nextLsn: 1,
    syncMode: "interval",
    syncIntervalMs: 20,
  });
  const syncs = fs.syncs;
  await wal.durable(wal.append(payloadFor(1)));
  await wal.durable(wal.append(payloadFor(2)));
  assert.equal(fs.syncs, syncs, "no fdatasync before durable() resolves");
  assert.equal(wal.lastDurableLsn, 0);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(fs.syncs, syncs + 1, "one timer sync covered both");
  assert.equal(wal.lastDurableLsn, 2);
  wal.append(payloadFor(3));
  await wal.sync();
  assert.equal(wal.lastDurableLsn, 3);
  await wal.close();
});

test("WalWriter.openForAppend() cuts a torn tail durably and appends after the valid records", async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/db");
  await fs.syncDir("/");
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  for (let lsn = 1; lsn <= 3; lsn++) await wal.durable(wal.append(payloadFor(lsn)));
  await wal.close();
  const bytes = await fs.readFile(PATH);
  await writeFileBytes(fs, PATH, bytes.subarray(0, bytes.length - 5));
  const torn = await readWal(fs, PATH);
  assert.equal(torn.tornBytes > 0, true);
  const again = await WalWriter.openForAppend(fs, PATH, {
    nextLsn: torn.nextLsn,
    validSize: torn.validSize,
  });
  assert.equal(
    fs.crash({ seed: 2, keepUnsynced: 0 }).files().find((f) => f.path === PATH)!.size,
    torn.validSize,
  );
  assert.equal(again.lastDurableLsn, 2);
  await again.durable(again.append(payloadFor(3)));
  await again.close();
  const log = await readWal(fs, PATH);
  assert.deepEqual(log.records.map((record) => record.lsn), [1, 2, 3]);
  assert.deepEqual(log.records[2]!.payload, payloadFor(3));
  assert.equal(log.tornBytes, 0);
});

test("WalWriter.openForAppend() records a jump past the log's last LSN in the first new record", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  wal.append(payloadFor(1));
  await wal.close();
  let log = await readWal(fs, PATH);
  const again = await WalWriter.openForAppend(fs, PATH, { nextLsn: 40, validSize: log.validSize });
  again.append(payloadFor(40));
  again.append(payloadFor(41));
  await again.close();
  log = await readWal(fs, PATH);
  assert.deepEqual(log.records.map((record) => record.lsn), [1, 40, 41]);
  await (await WalWriter.create(fs, PATH, { nextLsn: 5 })).close();
  log = await readWal(fs, PATH);
  const empty = await WalWriter.openForAppend(fs, PATH, { nextLsn: 8, validSize: log.validSize });
  empty.append(payloadFor(8));
  await empty.close();
  log = await readWal(fs, PATH);
  assert.deepEqual([log.baseLsn, log.firstLsn, log.nextLsn], [5, 8, 9]);
});

test("WalWriter.openForAppend() refuses an LSN that does not follow the log or a bad validSize", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  wal.append(payloadFor(1));
  wal.append(payloadFor(2));
  await wal.close();
  const log = await readWal(fs, PATH);
  const open = (nextLsn: number, validSize: number) =>
    WalWriter.openForAppend(fs, PATH, { nextLsn, validSize });
  await assert.rejects(open(2, log.validSize), {
    code: "INVALID_ARGUMENT",
    message: /its last LSN is 2/,
  });
  await assert.rejects(open(3, log.validSize - 1), { code: "INVALID_ARGUMENT" });
  await assert.rejects(open(3, log.validSize + 1), { code: "INVALID_ARGUMENT" });
  await assert.rejects(open(3, 10), { code: "INVALID_ARGUMENT" });
  await writeFileBytes(fs, "/db/bad.log", new Uint8Array(24));
  await assert.rejects(WalWriter.openForAppend(fs, "/db/bad.log", { nextLsn: 1, validSize: 24 }), {
    code: "CORRUPTION",
  });
});

test("WalWriter options out of range fail with INVALID_ARGUMENT", async () => {
  const fs = await gated();
  for (const nextLsn of [0, -1, 1.5, 2 ** 53, Number.NaN]) {
    await assert.rejects(
      WalWriter.create(fs, PATH, { nextLsn }),
      { code: "INVALID_ARGUMENT" },
      String(nextLsn),
    );
  }
  await assert.rejects(WalWriter.create(fs, PATH, { nextLsn: 1, syncIntervalMs: 0 }), {
    code: "INVALID_ARGUMENT",
    message: "Cannot use syncIntervalMs 0: must be a positive duration",
  });
  const mode = "sometimes" as "always";
  await assert.rejects(WalWriter.create(fs, PATH, { nextLsn: 1, syncMode: mode }), {
    code: "INVALID_ARGUMENT",
  });
});

test("WalWriter.close() makes queued records durable, then append() throws CLOSED", async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/db");
  await fs.syncDir("/");
  const wal = await WalWriter.create(fs, PATH, {
    nextLsn: 1,
    syncMode: "interval",
    syncIntervalMs: 60_000,
  });
  wal.append(payloadFor(1));
  wal.append(payloadFor(2));
  const closing = wal.close();
  assert.equal(wal.close(), closing);
  await closing;
  assert.equal(wal.lastDurableLsn, 2);
  assert.throws(() => wal.append(new Uint8Array(1)), { code: "CLOSED" });
  const log = await readWal(fs.crash({ seed: 3, keepUnsynced: 0 }), PATH);
  assert.deepEqual(log.records.map((record) => record.lsn), [1, 2]);
});

test("WalWriter.append() refuses a payload over 64 MiB", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  assert.throws(() => wal.append(new Uint8Array(64 * 1024 * 1024 + 1)), RangeError);
  await wal.close();
});

test("WalWriter writes zeros ahead of small batches, which readers drop and close() cuts off", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  const writes = fs.writes;
  for (let lsn = 1; lsn <= 3; lsn++) await wal.durable(wal.append(payloadFor(lsn)));
  assert.equal(fs.writes - writes, 3, "the zeros go out with the first batch, in its write");
  const end = wal.size;
  const size = (await fs.stat(PATH)).size;
  assert.ok(size > end + 8 * 1024, `the file holds zeros past the last record: ${size}`);
  const open = await readWal(fs, PATH);
  assert.deepEqual(open.records.map((record) => record.lsn), [1, 2, 3]);
  assert.deepEqual([open.validSize, open.tornBytes], [end, size - end]);
  await wal.close();
  assert.equal((await fs.stat(PATH)).size, end);
  const closed = await readWal(fs, PATH);
  assert.deepEqual([closed.records.length, closed.tornBytes], [3, 0]);
});

test("WalWriter with syncCall async syncs a lone writer's records on the main thread, probing now and then", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1, syncCall: "async" });
  const [syncs, blocking] = [fs.syncs, fs.blockingSyncs];
  let lsn = 0;
  for (; lsn < 40; lsn++) await wal.durable(wal.append(payloadFor(lsn + 1)));
  assert.equal(fs.syncs - syncs, 40);
  const blocked = fs.blockingSyncs - blocking;
  assert.ok(blocked >= 30 && blocked <= 38, `most syncs block, some probe: ${blocked}`);
  // Hold async syncs until a probe is in flight, then give it company.
  fs.hold();
  let probe: Promise<void> | undefined;
  while (probe === undefined) {
    const durable = wal.durable(wal.append(payloadFor(++lsn)));
    await settle();
    if (fs.held > 0) probe = durable;
    else await durable;
  }
  const company = wal.durable(wal.append(payloadFor(++lsn)));
  fs.release();
  await Promise.all([probe, company]);
  const before = fs.blockingSyncs;
  await wal.durable(wal.append(payloadFor(++lsn)));
  assert.equal(fs.blockingSyncs, before, "after company, a lone record syncs asynchronously");
  await wal.close();
});

test("WalWriter with syncCall async syncs a lone writer's large records asynchronously", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1, syncCall: "async" });
  for (let lsn = 1; lsn <= 10; lsn++) await wal.durable(wal.append(new Uint8Array(100)));
  const [syncs, blocking] = [fs.syncs, fs.blockingSyncs];
  assert.ok(blocking > 0, "small lone records block");
  for (let lsn = 11; lsn <= 30; lsn++) await wal.durable(wal.append(new Uint8Array(70_000)));
  assert.equal(fs.syncs - syncs, 20);
  assert.equal(fs.blockingSyncs, blocking, "a record over 64 KiB leaves the event loop free");
  await wal.close();
});

test("WalWriter with syncCall async syncs on the main thread the batches of writers that all wait for them", async () => {
  const fs = await gated();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1, syncCall: "async" });
  const [syncs, blocking] = [fs.syncs, fs.blockingSyncs];
  // 40 rounds of 10 records appended together and awaited together, as 10 puts in flight.
  for (let round = 0; round < 40; round++) {
    const lsns = Array.from({ length: 10 }, (_, i) => wal.append(payloadFor(round * 10 + i + 1)));
    await Promise.all(lsns.map((lsn) => wal.durable(lsn)));
  }
  assert.equal(fs.syncs - syncs, 40, "one sync per round");
  const blocked = fs.blockingSyncs - blocking;
  assert.ok(blocked >= 30 && blocked <= 38, `most syncs block, some probe: ${blocked}`);
  await wal.close();
  const read = await readWal(fs, PATH);
  assert.deepEqual(
    read.records.map((record) => record.lsn),
    Array.from({ length: 400 }, (_, i) => i + 1),
  );
});

test("WalWriter.appendEncoded() writes the bytes append() writes for the same payloads", async () => {
  const logs: Uint8Array[] = [];
  for (const encoded of [false, true]) {
    const fs = new MemoryFileSystem();
    await fs.mkdir("/db");
    const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
    const pending: Promise<void>[] = [];
    // Payloads of many sizes, some past the queue's first 64 KiB buffer, queued together.
    for (const length of [0, 1, 5, 24, 4000, 70_000, 3, 200_000, 9]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 7 + length) & 255);
      const lsn = encoded
        ? wal.appendEncoded(bytes.length, (source, target, at) => target.set(source, at), bytes)
        : wal.append(bytes);
      pending.push(wal.durable(lsn));
    }
    await Promise.all(pending);
    await wal.close();
    logs.push(await fs.readFile(PATH));
  }
  assert.deepEqual(logs[1], logs[0]);
});

test("WalWriter: record checksums read back at every alignment, across buffer growth and shrink", async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/db");
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  let seed = 5;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const payloads: Uint8Array[] = [];
  for (let round = 0; round < 30; round++) {
    const pending: Promise<void>[] = [];
    // Lengths of every residue mod 4, and now and then one past the queue's 64 KiB buffer (it
    // grows, and shrinks back once settled after a batch of over 1 MiB).
    for (let n = random(40); n >= 0; n--) {
      const big = random(50) === 0;
      const length = big ? 65_536 + random(1_200_000) : random(300);
      const payload = new Uint8Array(length).map(() => random(256));
      payloads.push(payload);
      pending.push(wal.durable(wal.append(payload)));
    }
    await Promise.all(pending);
  }
  await wal.close();
  const read = await readWal(fs, PATH);
  assert.equal(read.records.length, payloads.length);
  read.records.forEach((record, i) => assert.deepEqual(record.payload, payloads[i], `record ${i}`));
});
