// The operator recipes of the troubleshooting chapter ("Corruption Detected"), run as written:
// back up, remove the damaged file, start again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { stripeOf } from "../../../engine/codec/key_codec.ts";
import { Database } from "../../../engine/db/database.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { flipByte, processKillCopy } from "../../helpers/memory_fs_tools.ts";

const DIR = "/path/to/db.keystone";

function keyInStripe(stripe: number): string {
  for (let i = 0;; i++) if (stripeOf({ S: `user#${i}` }) === stripe) return `user#${i}`;
}

/** `xxd -p -l 4 <file>`. */
async function magic(fs: MemoryFileSystem, path: string): Promise<string> {
  const bytes = (await fs.readFile(path)).subarray(0, 4);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function copyFile(fs: MemoryFileSystem, from: string, to: string): Promise<void> {
  const file = await fs.open(to, { create: true, truncate: true });
  file.write(await fs.readFile(from), 0);
  await file.datasync();
  file.close();
}

test("'Remove Corrupted SST Files': after rm 042-5.sst the database opens degraded, without that file's keys", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs, autoCompact: false, flushOnClose: false });
  const others = [100, 101, 102, 103].map(keyInStripe);
  for (const [i, pk] of others.entries()) {
    await db.put(pk, { v: i });
    await db.flush();
  }
  const lost = keyInStripe(42);
  await db.put(lost, { v: 42 });
  await db.flush();
  await db.put("fresh", { v: 7 });
  await db.close();
  await flipByte(fs, `${DIR}/042-5.sst`, 0);
  await assert.rejects(Database.open(DIR, { fs }), {
    code: "CORRUPTION",
    message: "Corruption detected: SST file header invalid: 042-5.sst",
  });

  // Identify corrupted files: the magic check of the chapter's loop.
  const corrupted: string[] = [];
  for (const name of (await fs.list(DIR)).filter((name) => name.endsWith(".sst")).sort()) {
    if (await magic(fs, `${DIR}/${name}`) !== "5353544d") corrupted.push(name);
  }
  assert.deepEqual(corrupted, ["042-5.sst"]);

  const backup = await processKillCopy(fs); // cp -r db.keystone db.keystone.corrupted
  await fs.remove(`${DIR}/042-5.sst`); // rm /path/to/db.keystone/042-5.sst
  const again = await Database.open(DIR, { fs });
  assert.equal(await again.get(lost), undefined, "the keys of the removed SST are lost");
  for (const [i, pk] of others.entries()) assert.equal((await again.get(pk))?.v, i);
  assert.equal((await again.get("fresh"))?.v, 7, "writes still in the WAL survive");
  const health = again.health();
  assert.equal(health.status, "degraded");
  assert.deepEqual(health.warnings, [
    "SST file 042-5.sst listed in MANIFEST is missing; its data is lost",
  ]);
  await again.put(lost, { v: 43 });
  await again.close();

  const third = await Database.open(DIR, { fs });
  assert.equal(third.health().status, "healthy", "the MANIFEST no longer lists the file");
  assert.equal((await third.get(lost))?.v, 43);
  await third.close();
  assert.ok((await backup.list(DIR)).includes("042-5.sst"), "the backup keeps the evidence");
});

test("'Truncate Corrupted WAL': after rm wal.log the database opens with the flushed writes only", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs, flushOnClose: false, sstThreshold: 2 });
  await db.put("flushed#1", { v: 1 });
  await db.put("flushed#2", { v: 2 });
  await db.flush();
  for (let i = 1; i <= 5; i++) await db.put(`late#${i}`, { v: i });
  await db.close();
  // A synced record in the middle goes bad: the database refuses to open.
  const wal = await fs.readFile(`${DIR}/wal.log`);
  await flipByte(fs, `${DIR}/wal.log`, Math.floor(wal.length / 2));
  await assert.rejects(Database.open(DIR, { fs }), (error: unknown) => {
    // late#1..late#5 are LSNs 3 to 7; the middle of the log is in one of the first four.
    assert.match(
      String((error as Error).message),
      /^Corruption detected: WAL checksum mismatch at LSN [3-6]$/,
    );
    return true;
  });

  await copyFile(fs, `${DIR}/wal.log`, `${DIR}/wal.log.backup`); // cp wal.log wal.log.backup
  await fs.remove(`${DIR}/wal.log`); // rm /path/to/db.keystone/wal.log
  const again = await Database.open(DIR, { fs });
  assert.equal((await again.get("flushed#1"))?.v, 1);
  assert.equal((await again.get("flushed#2"))?.v, 2);
  for (let i = 1; i <= 5; i++) assert.equal(await again.get(`late#${i}`), undefined);
  assert.deepEqual(again.health().warnings, ["wal.log was missing; started an empty log"]);

  // New writes continue past every LSN in the SSTs: the newest version wins through a flush and
  // a compaction.
  await again.put("flushed#1", { v: 100 });
  await again.flush();
  await again.compact();
  assert.equal((await again.get("flushed#1"))?.v, 100);
  await again.close();

  const third = await Database.open(DIR, { fs });
  assert.equal(third.health().status, "healthy");
  assert.equal((await third.get("flushed#1"))?.v, 100);
  await third.close();
  assert.ok((await fs.list(DIR)).includes("wal.log.backup"), "open leaves the backup alone");
});

test("rm wal.log after a clean shutdown loses nothing: close() flushes every write to SSTs", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs });
  for (let i = 0; i < 50; i++) await db.put(`user#${i}`, { v: i });
  await db.close();
  await fs.remove(`${DIR}/wal.log`);
  const again = await Database.open(DIR, { fs });
  for (let i = 0; i < 50; i++) assert.equal((await again.get(`user#${i}`))?.v, i);
  await again.close();
});
