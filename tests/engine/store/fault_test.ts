import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, type DatabaseOptions } from "../../../engine/db/database.ts";
import { KstoneError } from "../../../engine/errors.ts";
import { ErrorFileSystem } from "../../../engine/fs/error_fs.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { processKillCopy } from "../../helpers/memory_fs_tools.ts";

const DIR = "/data/faults.keystone";

async function setup(options: DatabaseOptions = {}) {
  const inner = new MemoryFileSystem();
  const fs = new ErrorFileSystem(inner);
  const db = await Database.create(DIR, { fs, ...options });
  return { inner, fs, db };
}

/**
 * Opens the directory a process kill would leave and two a power cut could leave, and checks
 * that each opens, holds `expected` (`undefined`: no item) and lost no file.
 */
async function assertSurvives(
  inner: MemoryFileSystem,
  expected: Record<string, number | undefined>,
) {
  const images: [string, MemoryFileSystem][] = [
    ["a process kill", await processKillCopy(inner)],
    ["a power cut losing unsynced bytes", inner.crash({ seed: 1, keepUnsynced: 0 })],
    ["a power cut keeping unsynced bytes", inner.crash({ seed: 2, keepUnsynced: 1 })],
  ];
  for (const [what, fs] of images) {
    const db = await Database.open(DIR, { fs });
    for (const [pk, v] of Object.entries(expected)) {
      assert.equal((await db.get(pk))?.v, v, `${pk} after ${what}`);
    }
    const lost = db.health().warnings.filter((warning) => /missing/.test(warning));
    assert.deepEqual(lost, [], `no file lost after ${what}`);
    await db.close();
  }
}

/** An ErrorFileSystem that fails the directory sync right after a rename of `trigger`. */
class FailDirSyncAfterRename extends ErrorFileSystem {
  armed = false;
  readonly #trigger: string;

  constructor(inner: MemoryFileSystem, trigger: string) {
    super(inner);
    this.#trigger = trigger;
  }

  override async rename(from: string, to: string): Promise<void> {
    await super.rename(from, to);
    if (this.armed && from.endsWith(this.#trigger)) {
      this.armed = false;
      this.inject({ op: "syncDir", errno: "EIO" });
    }
  }
}

function isFailed(error: unknown): boolean {
  return error instanceof KstoneError && error.code === "FAILED" &&
    /reopen the database/.test(error.message);
}

test("Database.put() rejects with ENOSPC when the WAL write fails; the database turns read-only and loses nothing acknowledged", async () => {
  const { inner, fs, db } = await setup();
  await db.put("a", { v: 1 });
  await db.put("b", { v: 2 });
  fs.inject({ op: "write", path: "wal.log", errno: "ENOSPC", partial: true });
  await assert.rejects(db.put("c", { v: 3 }), { code: "IO_ERROR", errno: "ENOSPC" });
  await assert.rejects(db.put("d", { v: 4 }), isFailed);
  assert.equal(db.health().status, "unhealthy");
  assert.equal((await db.get("a"))?.v, 1, "reads go on");
  await assertSurvives(inner, { a: 1, b: 2, d: undefined });

  await db.close();
  const again = await Database.open(DIR, { fs });
  assert.equal((await again.get("b"))?.v, 2);
  await again.put("e", { v: 5 });
  assert.equal((await again.get("e"))?.v, 5, "a reopened database takes writes again");
  await again.close();
});

test("Database.put() rejects with EIO when the WAL fdatasync fails; acknowledged writes survive", async () => {
  const { inner, fs, db } = await setup();
  await db.put("a", { v: 1 });
  fs.inject({ op: "sync", path: "wal.log", errno: "EIO" });
  await assert.rejects(db.put("b", { v: 2 }), { code: "IO_ERROR", errno: "EIO" });
  await assert.rejects(db.delete("a"), isFailed);
  assert.match(db.health().errors.join(), /Write-ahead log failed/);
  await assertSurvives(inner, { a: 1 });
  await db.close();
});

test("Database.flush() rejects with ENOSPC when an SST cannot be written; writes go on and a later flush succeeds", async () => {
  const { inner, fs, db } = await setup({ autoCompact: false });
  for (let i = 0; i < 20; i++) await db.put(`k${i}`, { v: i });
  const full = fs.inject({ op: "append", path: ".sst", errno: "ENOSPC", times: Infinity });
  await assert.rejects(db.flush(), { code: "IO_ERROR", errno: "ENOSPC" });
  await db.put("after", { v: 99 });
  for (let i = 0; i < 20; i++) assert.equal((await db.get(`k${i}`))?.v, i);
  await assertSurvives(inner, { k0: 0, k19: 19, after: 99 });

  full.cancel();
  await db.flush();
  const sstFiles = (await inner.list(DIR)).filter((name) => name.endsWith(".sst"));
  assert.equal(sstFiles.length, (await db.stats()).total_sst_files, "no partial SST left behind");
  await db.close();
  const again = await Database.open(DIR, { fs });
  assert.equal((await again.get("k7"))?.v, 7);
  assert.equal(again.health().status, "healthy");
  await again.close();
});

test("Database.flush() rejects when renaming MANIFEST.tmp fails; the previous MANIFEST stays in force", async () => {
  const { inner, fs, db } = await setup({ autoCompact: false });
  await db.put("a", { v: 1 });
  await db.flush();
  await db.put("b", { v: 2 });
  fs.inject({ op: "rename", path: "MANIFEST", errno: "EIO" });
  await assert.rejects(db.flush(), { code: "IO_ERROR", errno: "EIO" });
  await assertSurvives(inner, { a: 1, b: 2 });
  await db.flush();
  await db.close();
  const again = await Database.open(DIR, { fs });
  assert.equal((await again.get("b"))?.v, 2);
  assert.equal(again.health().status, "healthy");
  await again.close();
});

test("Database.flush() rejects when renaming wal.log.tmp fails; the old log stays in use", async () => {
  const { inner, fs, db } = await setup();
  await db.put("a", { v: 1 });
  await db.put("b", { v: 2 });
  fs.inject({ op: "rename", path: "wal.log", errno: "EIO" });
  await assert.rejects(db.flush(), { code: "IO_ERROR", errno: "EIO" });
  await db.put("c", { v: 3 });
  await db.delete("a");
  await assertSurvives(inner, { a: undefined, b: 2, c: 3 });
  await db.close();
});

test("A failed directory sync after the WAL rewrite fails the WAL; every acknowledged write survives", async () => {
  const inner = new MemoryFileSystem();
  const fs = new FailDirSyncAfterRename(inner, "wal.log.tmp");
  const db = await Database.create(DIR, { fs });
  await db.put("a", { v: 1 });
  await db.put("b", { v: 2 });
  fs.armed = true;
  await assert.rejects(db.flush(), { code: "IO_ERROR", errno: "EIO" });
  await assert.rejects(db.put("c", { v: 3 }), isFailed);
  assert.equal(db.health().status, "unhealthy");
  await assertSurvives(inner, { a: 1, b: 2, c: undefined });
  await db.close();
});

test("A failed directory sync after a compaction renamed its MANIFEST keeps the compacted data", async () => {
  const inner = new MemoryFileSystem();
  const fs = new FailDirSyncAfterRename(inner, "MANIFEST.tmp");
  const db = await Database.create(DIR, { fs, autoCompact: false });
  await db.put("user#123", { v: 1 });
  await db.flush();
  await db.put("user#123", { v: 2 });
  await db.put("other", { v: 3 });
  await db.flush();
  fs.armed = true;
  await assert.rejects(db.compact(), { code: "IO_ERROR", errno: "EIO" });
  assert.equal((await db.get("user#123"))?.v, 2);
  // The renamed MANIFEST, listing the compaction's output, may or may not be durable.
  await assertSurvives(inner, { "user#123": 2, other: 3 });
  await db.close();
  await assertSurvives(inner, { "user#123": 2, other: 3 });
});

test("Database.open() that meets an I/O error fails with it and leaves the database openable", async () => {
  const { fs, db } = await setup({ flushOnClose: false });
  await db.put("a", { v: 1 });
  await db.flush();
  await db.put("b", { v: 2 });
  await db.close();
  for (
    const rule of [
      { op: "readFile", path: "MANIFEST" },
      { op: "open", path: ".sst" },
      { op: "sync", path: "wal.log" },
      { op: "list" },
    ] as const
  ) {
    fs.inject({ ...rule, errno: "EIO" });
    await assert.rejects(Database.open(DIR, { fs }), { code: "IO_ERROR", errno: "EIO" });
    const again = await Database.open(DIR, { fs, flushOnClose: false });
    assert.equal((await again.get("a"))?.v, 1, `after a failed ${rule.op}`);
    assert.equal((await again.get("b"))?.v, 2, `after a failed ${rule.op}`);
    await again.close();
  }
});
