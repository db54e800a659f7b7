import { test } from "node:test";
import assert from "node:assert/strict";
import { stripeOf } from "../../../engine/codec/key_codec.ts";
import { Database } from "../../../engine/db/database.ts";
import { KstoneError } from "../../../engine/errors.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { JitterFileSystem } from "../../helpers/jitter_fs.ts";
import {
  fileSize,
  flipByte,
  HandleCountingFileSystem,
  truncateFile,
} from "../../helpers/memory_fs_tools.ts";

const DIR = "/data/corrupt.keystone";
const WAL = `${DIR}/wal.log`;
const MANIFEST = `${DIR}/MANIFEST`;
const SST = `${DIR}/042-5.sst`;

/** The first `<prefix><n>` key whose stripe is `stripe`. */
function keyInStripe(stripe: number, prefix = "user#"): string {
  for (let i = 0;; i++) if (stripeOf({ S: `${prefix}${i}` }) === stripe) return `${prefix}${i}`;
}

const TARGET = keyInStripe(42);

/** Checks a rejection's code and exact message. */
function corruption(message: string, code = "CORRUPTION") {
  return (error: unknown) => {
    assert.ok(error instanceof KstoneError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  };
}

/** A database whose WAL holds five records, LSN 1 to 5, each synced before the next. */
async function fiveWalRecords() {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs, flushOnClose: false });
  for (let i = 1; i <= 5; i++) await db.put(`k${i}`, { v: i });
  await db.close();
  return fs;
}

/** Where each record of a WAL starts: its offset, LSN and payload length. */
async function walRecords(fs: MemoryFileSystem) {
  const bytes = await fs.readFile(WAL);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: { offset: number; lsn: number; length: number }[] = [];
  for (let at = 24; at + 24 <= bytes.length;) {
    const length = view.getUint32(at + 4, true);
    records.push({ offset: at, lsn: view.getUint32(at + 8, true), length });
    at += 24 + length;
  }
  return records;
}

/** A database whose stripe 42 holds one SST, `042-5.sst`, next to SSTs 1 to 4 of other stripes. */
async function sstNamed042dash5() {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs, autoCompact: false });
  for (let i = 0; i < 4; i++) {
    await db.put(keyInStripe(100 + i), { v: i });
    await db.flush();
  }
  await db.put(TARGET, { v: 42 });
  await db.close();
  assert.ok((await fs.list(DIR)).includes("042-5.sst"));
  return fs;
}

async function readsAll(fs: MemoryFileSystem, expected: Record<string, number | undefined>) {
  const db = await Database.open(DIR, { fs, flushOnClose: false });
  for (const [pk, v] of Object.entries(expected)) assert.equal((await db.get(pk))?.v, v, pk);
  await db.close();
}

test("Database.open() fails with 'WAL checksum mismatch at LSN <n>' for a flipped byte in a synced record", async () => {
  const fs = await fiveWalRecords();
  const third = (await walRecords(fs)).find((record) => record.lsn === 3)!;
  await flipByte(fs, WAL, third.offset + 24 + 2, 0x10);
  await assert.rejects(
    Database.open(DIR, { fs }),
    corruption("Corruption detected: WAL checksum mismatch at LSN 3"),
  );
  await flipByte(fs, WAL, third.offset + 24 + 2, 0x10);
  await readsAll(fs, { k1: 1, k3: 3, k5: 5 });
});

test("Database.open() fails with 'WAL checksum mismatch at LSN <n>' for a flipped length field", async () => {
  const fs = await fiveWalRecords();
  const second = (await walRecords(fs)).find((record) => record.lsn === 2)!;
  await flipByte(fs, WAL, second.offset + 4, 0x01);
  await assert.rejects(
    Database.open(DIR, { fs }),
    corruption("Corruption detected: WAL checksum mismatch at LSN 2"),
  );
});

test("Database.open() drops a torn final WAL record silently and keeps every earlier write", async () => {
  const fs = await fiveWalRecords();
  await truncateFile(fs, WAL, -3);
  const db = await Database.open(DIR, { fs });
  assert.deepEqual(
    await Promise.all([1, 2, 3, 4, 5].map(async (i) => (await db.get(`k${i}`))?.v)),
    [1, 2, 3, 4, undefined],
  );
  assert.notEqual(db.health().status, "unhealthy");
  await db.put("k6", { v: 6 });
  await db.close();
  await readsAll(fs, { k4: 4, k5: undefined, k6: 6 });
});

test("Database.open() drops a zero-filled WAL tail (a file extended before its data landed)", async () => {
  const fs = await fiveWalRecords();
  const file = await fs.open(WAL);
  file.append(new Uint8Array(100));
  await file.datasync();
  file.close();
  await readsAll(fs, { k1: 1, k5: 5 });
});

test("Database.open() drops damage inside the final WAL record like a torn write (nothing after it vouches for it)", async () => {
  const fs = await fiveWalRecords();
  const last = (await walRecords(fs)).at(-1)!;
  assert.equal(last.lsn, 5);
  await flipByte(fs, WAL, last.offset + 24 + 1);
  await readsAll(fs, { k4: 4, k5: undefined });
});

test("Database.open() fails with 'WAL header invalid' for a flipped WAL magic", async () => {
  const fs = await fiveWalRecords();
  await flipByte(fs, WAL, 0);
  await assert.rejects(
    Database.open(DIR, { fs }),
    corruption("Corruption detected: WAL header invalid"),
  );
});

test("Database.open() fails with 'SST file header invalid' naming the file for a bad SST magic", async () => {
  const fs = await sstNamed042dash5();
  await flipByte(fs, SST, 0);
  await assert.rejects(Database.open(DIR, { fs }), (error: unknown) => {
    corruption("Corruption detected: SST file header invalid: 042-5.sst")(error);
    assert.equal((error as KstoneError).path, SST);
    return true;
  });
  await flipByte(fs, SST, 0);
  await readsAll(fs, { [TARGET]: 42, [keyInStripe(100)]: 0 });
});

test("Database.open() fails with 'SST file header invalid' for a damaged footer or a truncated SST", async () => {
  const fs = await sstNamed042dash5();
  await flipByte(fs, SST, -1);
  await assert.rejects(
    Database.open(DIR, { fs }),
    corruption("Corruption detected: SST file header invalid: 042-5.sst"),
  );
  await flipByte(fs, SST, -1);
  await truncateFile(fs, SST, -10);
  await assert.rejects(
    Database.open(DIR, { fs }),
    corruption("Corruption detected: SST file header invalid: 042-5.sst"),
  );
});

test("Database.open() fails with 'Checksum mismatch in SST file <name>' for a damaged index block", async () => {
  const fs = await sstNamed042dash5();
  const bytes = await fs.readFile(SST);
  const footer = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 48, 48);
  const indexOffset = footer.getUint32(0, true);
  await flipByte(fs, SST, indexOffset);
  await assert.rejects(
    Database.open(DIR, { fs }),
    corruption("Checksum mismatch in SST file 042-5.sst"),
  );
});

test("Database.get() fails with 'Checksum mismatch in SST file <name>' for a damaged data block; other SSTs stay readable", async () => {
  const fs = await sstNamed042dash5();
  await flipByte(fs, SST, 14);
  const db = await Database.open(DIR, { fs });
  await assert.rejects(db.get(TARGET), corruption("Checksum mismatch in SST file 042-5.sst"));
  assert.equal((await db.get(keyInStripe(101)))?.v, 1);
  await db.close();
});

test("Database.compact() over a damaged SST fails with its checksum error and changes nothing", async () => {
  const fs = await sstNamed042dash5();
  await flipByte(fs, SST, 14);
  const db = await Database.open(DIR, { fs, autoCompact: false });
  const neighbour = keyInStripe(42, "order#");
  await db.put(neighbour, { v: 43 });
  await db.flush();
  await assert.rejects(db.compact(), corruption("Checksum mismatch in SST file 042-5.sst"));
  assert.equal((await db.get(neighbour))?.v, 43);
  await db.close();
  assert.ok((await fs.list(DIR)).includes("042-5.sst"), "the damaged input is still there");
  await flipByte(fs, SST, 14);
  await readsAll(fs, { [TARGET]: 42, [neighbour]: 43 });
});

test("Database.open() fails with 'MANIFEST header invalid' for a bad MANIFEST magic", async () => {
  const fs = await sstNamed042dash5();
  await flipByte(fs, MANIFEST, 1);
  await assert.rejects(
    Database.open(DIR, { fs }),
    corruption(`Corruption detected: MANIFEST header invalid: ${MANIFEST}`),
  );
  await flipByte(fs, MANIFEST, 1);
  await readsAll(fs, { [TARGET]: 42 });
});

test("Database.open() fails with 'MANIFEST checksum mismatch' for a flipped or cut MANIFEST body", async () => {
  const fs = await sstNamed042dash5();
  const size = await fileSize(fs, MANIFEST);
  for (const offset of [16, 40, size - 1]) {
    await flipByte(fs, MANIFEST, offset, 0x04);
    await assert.rejects(
      Database.open(DIR, { fs }),
      corruption(`Corruption detected: MANIFEST checksum mismatch: ${MANIFEST}`),
      `byte ${offset}`,
    );
    await flipByte(fs, MANIFEST, offset, 0x04);
  }
  await truncateFile(fs, MANIFEST, -1);
  await assert.rejects(
    Database.open(DIR, { fs }),
    corruption(`Corruption detected: MANIFEST checksum mismatch: ${MANIFEST}`),
  );
});

test("Database.open() refuses a MANIFEST of a newer format version with NOT_SUPPORTED", async () => {
  const fs = await sstNamed042dash5();
  await flipByte(fs, MANIFEST, 4, 0x03);
  await assert.rejects(Database.open(DIR, { fs }), (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, "NOT_SUPPORTED");
    assert.match(error.message, /manifest format version 2 is newer than 1/);
    return true;
  });
});

test("Database.open() that fails on a damaged SST closes every file it had opened", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs, autoCompact: false });
  for (let stripe = 0; stripe < 40; stripe++) await db.put(keyInStripe(stripe), { v: stripe });
  await db.close();
  await flipByte(fs, `${DIR}/${(await fs.list(DIR)).find((name) => name.startsWith("007-"))}`, 0);
  // Seeded delays scramble the order in which the SSTs open.
  const counting = new HandleCountingFileSystem(new JitterFileSystem(fs, 1, 100));
  await assert.rejects(Database.open(DIR, { fs: counting }), { code: "CORRUPTION" });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(counting.openHandles, 0, "file handles left open");
});
