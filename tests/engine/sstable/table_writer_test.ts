import { test } from "node:test";
import assert from "node:assert/strict";
import { ErrorFileSystem, isInjectedFault } from "../../../engine/fs/error_fs.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { TableReader } from "../../../engine/sstable/table_reader.ts";
import { TableBuilder, writeTable } from "../../../engine/sstable/table_writer.ts";
import type { SstEntry } from "../../../engine/sstable/entry.ts";
import { itemEntries, utf8 } from "./_helpers.ts";

const PATH = "/db/001-1.sst";

async function freshFs(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/db");
  return fs;
}

test("TableBuilder.add() rejects a key equal to or below the previous one", async () => {
  const fs = await freshFs();
  const builder = await TableBuilder.create(fs, PATH, { blockSize: 64 });
  builder.add({ key: utf8("b"), seq: 1, value: utf8("1") });
  assert.throws(() => builder.add({ key: utf8("b"), seq: 2, value: null }), {
    code: "INVALID_ARGUMENT",
    message: /strictly ascend.*equal to/,
  });
  assert.throws(() => builder.add({ key: utf8("a"), seq: 2, value: null }), {
    code: "INVALID_ARGUMENT",
    message: /less than/,
  });
  // Across a block boundary too: fill blocks, then go back.
  for (let i = 0; i < 50; i++) builder.add({ key: utf8(`c${i + 100}`), seq: 1, value: utf8("x") });
  assert.throws(() => builder.add({ key: utf8("c100"), seq: 1, value: null }), {
    code: "INVALID_ARGUMENT",
  });
  // A rejected entry leaves the builder usable.
  builder.add({ key: utf8("d"), seq: 3, value: null });
  const props = await builder.finish();
  assert.equal(props.entryCount, 52);
  assert.ok(props.blockCount > 1);
});

test("TableBuilder.add() rejects a seq outside [1, 2^53)", async () => {
  const fs = await freshFs();
  const builder = await TableBuilder.create(fs, PATH);
  for (const seq of [0, -1, 1.5, 2 ** 53, Number.NaN]) {
    assert.throws(() => builder.add({ key: utf8("k"), seq, value: null }), {
      code: "INVALID_ARGUMENT",
    });
  }
  builder.add({ key: utf8("k"), seq: 2 ** 53 - 1, value: null });
  const props = await builder.finish();
  assert.equal(props.maxSeq, 2 ** 53 - 1);
  const table = await TableReader.open(fs, PATH);
  assert.equal(table.get(utf8("k"))?.seq, 2 ** 53 - 1);
  table.close();
});

test("TableBuilder.create() rejects options out of range before creating the file", async () => {
  const fs = await freshFs();
  const bad = [
    { blockSize: 0 },
    { blockSize: 1.5 },
    { blockSize: 2 ** 30 },
    { bloomFalsePositiveRate: 0 },
    { bloomFalsePositiveRate: 1 },
    { bloomBitsPerKey: -1 },
    { bloomBitsPerKey: 100 },
  ];
  for (const options of bad) {
    await assert.rejects(TableBuilder.create(fs, PATH, options), { code: "INVALID_ARGUMENT" });
  }
  assert.deepEqual(await fs.list("/db"), []);
});

test("TableBuilder.finish() refuses a table without entries and removes the file", async () => {
  const fs = await freshFs();
  const builder = await TableBuilder.create(fs, PATH);
  await assert.rejects(builder.finish(), { code: "INVALID_ARGUMENT", message: /no entries/ });
  assert.deepEqual(await fs.list("/db"), []);
  await assert.rejects(writeTable(fs, PATH, []), { code: "INVALID_ARGUMENT" });
  assert.deepEqual(await fs.list("/db"), []);
});

test("TableBuilder.finish() syncs the data, closes the file and reports the properties", async () => {
  const fs = await freshFs();
  const builder = await TableBuilder.create(fs, PATH);
  builder.add({ key: utf8("a"), seq: 5, value: utf8("xyz") });
  builder.add({ key: utf8("b"), seq: 3, value: null });
  builder.add({ key: utf8("c"), seq: 9, value: new Uint8Array(0) });
  assert.equal(builder.entryCount, 3);
  const props = await builder.finish();
  // The data is synced: once the caller syncs the directory, the file survives a crash whole.
  await fs.syncDir("/");
  await fs.syncDir("/db");
  const after = fs.crash({ keepUnsynced: 0 });
  assert.equal((await after.stat(PATH)).size, props.fileSize);
  assert.deepEqual(
    { ...props, smallestKey: [...props.smallestKey], largestKey: [...props.largestKey] },
    {
      path: PATH,
      fileSize: props.fileSize,
      formatVersion: 2,
      entryCount: 3,
      tombstoneCount: 1,
      minSeq: 3,
      maxSeq: 9,
      smallestKey: [0x61],
      largestKey: [0x63],
      blockCount: 1,
      dataBytes: props.dataBytes,
      indexBytes: props.indexBytes,
      bloomBytes: props.bloomBytes,
      rawKeyBytes: 3,
      rawValueBytes: 3,
    },
  );
  const table = await TableReader.open(fs, PATH);
  assert.deepEqual(table.properties, props);
  table.close();
  assert.throws(() => builder.add({ key: utf8("d"), seq: 1, value: null }), {
    code: "INVALID_ARGUMENT",
    message: /finished/,
  });
  await assert.rejects(builder.finish(), { code: "INVALID_ARGUMENT" });
  await builder.abandon(); // no-op once finished
  assert.equal((await fs.stat(PATH)).size, props.fileSize);
});

test("TableBuilder.abandon() closes and removes the partial file", async () => {
  const fs = await freshFs();
  const builder = await TableBuilder.create(fs, PATH);
  for (const entry of itemEntries(3000)) builder.add(entry);
  assert.ok(builder.estimatedSize > 600_000);
  await builder.abandon();
  await builder.abandon();
  assert.deepEqual(await fs.list("/db"), []);
  assert.throws(() => builder.add({ key: utf8("z"), seq: 1, value: null }), {
    code: "INVALID_ARGUMENT",
  });
});

test("TableBuilder writes in chunks of about 256 KiB", async () => {
  const fs = new ErrorFileSystem(await freshFs());
  const props = await writeTable(fs, PATH, itemEntries(40_000));
  const appends = fs.calls("append");
  assert.ok(props.fileSize > 8_000_000);
  assert.equal(appends, Math.ceil(props.fileSize / (256 * 1024)));
  assert.equal(fs.calls("sync"), 1);
});

test("writeTable() removes the partial file when an append fails", async () => {
  const fs = new ErrorFileSystem(await freshFs());
  fs.inject({ op: "append", nth: 2, errno: "ENOSPC" });
  await assert.rejects(writeTable(fs, PATH, itemEntries(5000)), (error: unknown) => {
    assert.ok(isInjectedFault(error));
    return true;
  });
  assert.deepEqual(await fs.list("/db"), []);
});

test("writeTable() removes the partial file when the sync fails", async () => {
  const fs = new ErrorFileSystem(await freshFs());
  fs.inject({ op: "sync", errno: "EIO" });
  await assert.rejects(writeTable(fs, PATH, itemEntries(10)), { code: "IO_ERROR" });
  assert.deepEqual(await fs.list("/db"), []);
});

test("writeTable() removes the partial file when the entries are out of order", async () => {
  const fs = await freshFs();
  const entries = itemEntries(100).reverse();
  await assert.rejects(writeTable(fs, PATH, entries), { code: "INVALID_ARGUMENT" });
  assert.deepEqual(await fs.list("/db"), []);
});

test("TableBuilder keeps data blocks within the target size unless one entry is larger", async () => {
  const fs = await freshFs();
  const props = await writeTable(fs, PATH, itemEntries(10_000), { blockSize: 4096 });
  // 17 items of ~250 encoded bytes fit in a 4 KiB block, and blocks stay under it.
  assert.ok(props.dataBytes / props.blockCount <= 4096 + 4);
  assert.ok(props.dataBytes / props.blockCount > 3500);
  const big = await writeTable(fs, "/db/001-2.sst", itemEntries(10, 10_000), { blockSize: 4096 });
  assert.equal(big.blockCount, 10);
});

test("TableBuilder's format overhead is under 8% for 30-byte keys and 200-byte values", async () => {
  const fs = await freshFs();
  const entries = itemEntries(200_000);
  assert.equal(entries[0]!.key.length, 30);
  const props = await writeTable(fs, PATH, entries);
  const raw = props.rawKeyBytes + props.rawValueBytes;
  assert.equal(raw, 200_000 * 230);
  const overhead = (props.fileSize - raw) / raw;
  assert.ok(overhead < 0.08, `overhead ${(overhead * 100).toFixed(2)}%`);
});

test("TableBuilder with bloomBitsPerKey 0 writes no filter", async () => {
  const fs = await freshFs();
  const props = await writeTable(fs, PATH, itemEntries(100), { bloomBitsPerKey: 0 });
  assert.equal(props.bloomBytes, 1 + 4);
  const table = await TableReader.open(fs, PATH);
  assert.ok(table.mayContain(utf8("absent")));
  assert.equal(table.get(utf8("absent")), undefined);
  table.close();
});

test("TableBuilder sizes the filter from bloomFalsePositiveRate", async () => {
  const fs = await freshFs();
  const loose = await writeTable(fs, PATH, itemEntries(1000), { bloomFalsePositiveRate: 0.1 });
  const tight = await writeTable(fs, "/db/001-2.sst", itemEntries(1000), {
    bloomFalsePositiveRate: 0.001,
  });
  assert.equal(loose.bloomBytes, Math.ceil((1000 * 4.7925) / 8) + 5);
  assert.equal(tight.bloomBytes, Math.ceil((1000 * 14.3776) / 8) + 5);
});

test("TableBuilders that pass their write chunk on write the same files as a builder alone", async () => {
  // Seeded: builders are interleaved (up to three open at once, adding in turns, one abandoned
  // now and then) and each file must equal the one written alone, in a file system of its own.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  type Job = { builder: TableBuilder; path: string; entries: SstEntry[]; added: number };
  const fs = await freshFs();
  const open: Job[] = [];
  const finished: Job[] = [];
  for (let n = 0; n < 400; n++) {
    if (open.length < 3 && random() < 0.3) {
      const path = `/db/${String(n).padStart(3, "0")}-${n + 1}.sst`;
      const builder = await TableBuilder.create(fs, path, { blockSize: 512 });
      const size = 1 + Math.floor(random() * (random() < 0.2 ? 3000 : 60));
      const entries = itemEntries(size, 1 + Math.floor(random() * 300));
      open.push({ builder, path, entries, added: 0 });
      continue;
    }
    const job = open[Math.floor(random() * open.length)];
    if (job === undefined) continue;
    const until = Math.min(job.entries.length, job.added + Math.floor(random() * 400));
    for (; job.added < until; job.added++) job.builder.add(job.entries[job.added]!);
    if (job.added < job.entries.length && random() < 0.97) continue;
    open.splice(open.indexOf(job), 1);
    if (job.added < job.entries.length) await job.builder.abandon();
    else {
      await job.builder.finish();
      finished.push(job);
    }
  }
  for (const job of open) await job.builder.abandon();
  assert.ok(finished.length >= 20, `${finished.length} tables`);
  for (const { path, entries } of finished) {
    const alone = await freshFs();
    await writeTable(alone, path, entries, { blockSize: 512 });
    assert.deepEqual(await fs.readFile(path), await alone.readFile(path), path);
  }
});
