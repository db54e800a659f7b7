import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { WAL_HEADER_SIZE, WAL_RECORD_HEADER_SIZE } from "../../../engine/wal/format.ts";
import { encodeWalHeader } from "../../../engine/wal/record.ts";
import { readWal, WalReader, walRecords } from "../../../engine/wal/reader.ts";
import { WalWriter } from "../../../engine/wal/writer.ts";
import { logBytes, payloadFor, Rng, writeFileBytes } from "./_helpers.ts";

const PATH = "/db/wal.log";

async function freshFs(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/db");
  return fs;
}

/** A log of `count` records from `nextLsn`, each made durable before the next is appended. */
async function sequentialLog(
  count: number,
  nextLsn = 1,
): Promise<{ fs: MemoryFileSystem; bytes: Uint8Array }> {
  const fs = await freshFs();
  const wal = await WalWriter.create(fs, PATH, { nextLsn });
  for (let lsn = nextLsn; lsn < nextLsn + count; lsn++) {
    await wal.durable(wal.append(payloadFor(lsn)));
  }
  await wal.close();
  return { fs, bytes: await fs.readFile(PATH) };
}

/** The offset of each record in a log written by {@linkcode sequentialLog}. */
function offsets(count: number, nextLsn = 1): number[] {
  const out: number[] = [];
  let at = WAL_HEADER_SIZE;
  for (let lsn = nextLsn; lsn < nextLsn + count; lsn++) {
    out.push(at);
    at += WAL_RECORD_HEADER_SIZE + payloadFor(lsn).length;
  }
  return out;
}

const checksumAt = (lsn: number) => ({
  code: "CORRUPTION",
  message: `Corruption detected: WAL checksum mismatch at LSN ${lsn}`,
  path: PATH,
});

test("readWal() returns every record written, in order, with the valid size", async () => {
  const { fs, bytes } = await sequentialLog(20, 100);
  const log = await readWal(fs, PATH);
  assert.deepEqual(
    log.records.map((record) => record.lsn),
    Array.from({ length: 20 }, (_, i) => 100 + i),
  );
  for (const record of log.records) assert.deepEqual(record.payload, payloadFor(record.lsn));
  assert.equal(log.validSize, bytes.length);
  assert.equal(log.tornBytes, 0);
  assert.deepEqual([log.firstLsn, log.lastLsn, log.baseLsn, log.nextLsn], [100, 119, 100, 120]);
});

test("readWal() of a log without records reports its base LSN as the next LSN", async () => {
  const fs = await freshFs();
  await (await WalWriter.create(fs, PATH, { nextLsn: 77 })).close();
  const log = await readWal(fs, PATH);
  assert.deepEqual(log.records, []);
  assert.equal(log.validSize, WAL_HEADER_SIZE);
  assert.equal(log.firstLsn, undefined);
  assert.equal(log.lastLsn, undefined);
  assert.deepEqual([log.baseLsn, log.nextLsn], [77, 77]);
});

test("readWal() drops a torn last record at every byte offset, silently", async () => {
  const { fs, bytes } = await sequentialLog(3);
  const last = offsets(3)[2]!;
  for (let cut = last; cut < bytes.length; cut++) {
    await writeFileBytes(fs, PATH, bytes.subarray(0, cut));
    const log = await readWal(fs, PATH);
    assert.deepEqual(log.records.map((record) => record.lsn), [1, 2], `cut at ${cut}`);
    assert.equal(log.validSize, last, `cut at ${cut}`);
    assert.equal(log.tornBytes, cut - last, `cut at ${cut}`);
    assert.equal(log.nextLsn, 3);
  }
});

test("readWal() fails on a flipped byte anywhere in a middle record, naming its LSN", async () => {
  const { fs, bytes } = await sequentialLog(5);
  const [, , third, fourth] = offsets(5);
  for (let at = third!; at < fourth!; at++) {
    const damaged = bytes.slice();
    damaged[at]! ^= 0x20;
    await writeFileBytes(fs, PATH, damaged);
    await assert.rejects(readWal(fs, PATH), checksumAt(3), `byte ${at}`);
  }
});

test("readWal() names the base LSN when the first record is damaged", async () => {
  const { fs, bytes } = await sequentialLog(3, 40);
  const damaged = bytes.slice();
  damaged[WAL_HEADER_SIZE + 9]! ^= 0xff;
  await writeFileBytes(fs, PATH, damaged);
  await assert.rejects(readWal(fs, PATH), checksumAt(40));
});

test("readWal() treats a zero-filled tail as torn, also when it covers part of the last record", async () => {
  const { fs, bytes } = await sequentialLog(4);
  const last = offsets(4)[3]!;
  const zeros = new Uint8Array(bytes.length + 4096);
  zeros.set(bytes);
  await writeFileBytes(fs, PATH, zeros);
  let log = await readWal(fs, PATH);
  assert.equal(log.records.length, 4);
  assert.equal(log.tornBytes, 4096);
  zeros.fill(0, last + 10);
  await writeFileBytes(fs, PATH, zeros);
  log = await readWal(fs, PATH);
  assert.deepEqual(log.records.map((record) => record.lsn), [1, 2, 3]);
  assert.equal(log.validSize, last);
});

test("readWal() treats random garbage after the last record as torn", async () => {
  const { fs, bytes } = await sequentialLog(4);
  const rng = new Rng(7);
  const garbage = new Uint8Array(bytes.length + 3000);
  garbage.set(bytes);
  for (let i = bytes.length; i < garbage.length; i++) garbage[i] = 1 + rng.int(255);
  await writeFileBytes(fs, PATH, garbage);
  const log = await readWal(fs, PATH);
  assert.equal(log.records.length, 4);
  assert.equal(log.tornBytes, 3000);
});

test("readWal() drops damage inside the last group-commit batch: nothing after it was synced", async () => {
  const fs = await freshFs();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  await wal.durable(wal.append(payloadFor(1)));
  for (let lsn = 2; lsn <= 6; lsn++) wal.append(payloadFor(lsn));
  await wal.close();
  const bytes = await fs.readFile(PATH);
  const third = offsets(6)[2]!;
  bytes[third + 30]! ^= 0x01;
  await writeFileBytes(fs, PATH, bytes);
  const log = await readWal(fs, PATH);
  assert.deepEqual(log.records.map((record) => record.lsn), [1, 2]);
  assert.equal(log.validSize, third);
});

test("readWal() decides torn or corrupt by the unsynced field of the intact records after", async () => {
  const fs = await freshFs();
  const records = [1, 2, 3].map((lsn) => ({ lsn, payload: payloadFor(lsn) }));
  const second = WAL_HEADER_SIZE + WAL_RECORD_HEADER_SIZE + records[0]!.payload.length;
  const third = second + WAL_RECORD_HEADER_SIZE + records[1]!.payload.length;
  // Record 3 says the bytes since record 2 started were not synced yet: damage there is a tear.
  let bytes = logBytes(1, [records[0]!, records[1]!, { ...records[2]!, unsynced: third - second }]);
  bytes[second + 5]! ^= 0x01;
  await writeFileBytes(fs, PATH, bytes);
  assert.deepEqual((await readWal(fs, PATH)).records.map((record) => record.lsn), [1]);
  // One byte less: record 3 says record 2 was synced, so its damage is corruption.
  bytes = logBytes(1, [records[0]!, records[1]!, { ...records[2]!, unsynced: third - second - 1 }]);
  bytes[second + 5]! ^= 0x01;
  await writeFileBytes(fs, PATH, bytes);
  await assert.rejects(readWal(fs, PATH), checksumAt(2));
});

test("readWal() fails on an intact record with an unexpected LSN", async () => {
  const fs = await freshFs();
  const records = [1, 2, 4].map((lsn) => ({ lsn, payload: payloadFor(lsn) }));
  await writeFileBytes(fs, PATH, logBytes(1, records));
  await assert.rejects(readWal(fs, PATH), {
    code: "CORRUPTION",
    message: "Corruption detected: WAL record out of sequence at LSN 3: found LSN 4",
  });
  await writeFileBytes(fs, PATH, logBytes(5, [{ lsn: 1, payload: new Uint8Array(1) }]));
  await assert.rejects(readWal(fs, PATH), /out of sequence at LSN 5: found LSN 1/);
});

test("readWal() accepts a jump in LSNs that the record declares in its skipped field", async () => {
  const fs = await freshFs();
  await writeFileBytes(
    fs,
    PATH,
    logBytes(5, [
      { lsn: 8, payload: new Uint8Array([8]), skipped: 3 },
      { lsn: 9, payload: new Uint8Array([9]) },
      { lsn: 20, payload: new Uint8Array([20]), skipped: 10 },
    ]),
  );
  const log = await readWal(fs, PATH);
  assert.deepEqual(log.records.map((record) => record.lsn), [8, 9, 20]);
  assert.deepEqual([log.baseLsn, log.firstLsn, log.nextLsn], [5, 8, 21]);
});

test("readWal() fails on a bad file header and refuses a newer version", async () => {
  const fs = await freshFs();
  await writeFileBytes(fs, PATH, new Uint8Array(0));
  await assert.rejects(readWal(fs, PATH), {
    message: "Corruption detected: WAL header invalid",
    path: PATH,
  });
  const newer = encodeWalHeader(1);
  newer[4] = 9;
  await writeFileBytes(fs, PATH, newer);
  await assert.rejects(readWal(fs, PATH), { code: "NOT_SUPPORTED" });
  await assert.rejects(readWal(fs, "/db/missing.log"), { code: "IO_ERROR", errno: "ENOENT" });
});

test("WalReader reads records larger than its chunk and across chunk boundaries", async () => {
  const fs = await freshFs();
  const wal = await WalWriter.create(fs, PATH, { nextLsn: 1 });
  const big = new Uint8Array(5000).map((_, i) => i);
  for (let lsn = 1; lsn <= 30; lsn++) wal.append(lsn % 10 === 0 ? big : payloadFor(lsn));
  await wal.close();
  const reader = await WalReader.open(fs, PATH, { chunkSize: 100 });
  const lsns: number[] = [];
  for (const record of reader) {
    lsns.push(record.lsn);
    assert.deepEqual(record.payload, record.lsn % 10 === 0 ? big : payloadFor(record.lsn));
  }
  assert.equal(lsns.length, 30);
  assert.equal(reader.done, true);
  assert.equal(reader.position, reader.fileSize);
  reader.close();
});

test("WalReader with a small chunk still finds the proof that a damaged record was synced", async () => {
  const { fs, bytes } = await sequentialLog(6);
  bytes[offsets(6)[1]! + 2]! ^= 0x04;
  await writeFileBytes(fs, PATH, bytes);
  const reader = await WalReader.open(fs, PATH, { chunkSize: 30 });
  assert.throws(() => [...reader], checksumAt(2));
  reader.close();
});

test("walRecords() streams the records and stops silently at a torn tail", async () => {
  const { fs, bytes } = await sequentialLog(5);
  await writeFileBytes(fs, PATH, bytes.subarray(0, bytes.length - 1));
  const lsns: number[] = [];
  for await (const record of walRecords(fs, PATH)) lsns.push(record.lsn);
  assert.deepEqual(lsns, [1, 2, 3, 4]);
});
