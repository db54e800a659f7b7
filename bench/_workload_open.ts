/**
 * kstone's large-open check: load a database of 1,000,000 items, go on overwriting items until
 * the WAL is nearly full (`maxWalBytes`), close without flushing, and time `Database.open`
 * (which must replay that WAL), three times.
 *
 * @module
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Database, type DatabaseOptions } from "../mod.ts";
import type { ItemSet } from "./_items.ts";
import { directoryBytes } from "./_proc.ts";

/** What the large-open check measured. */
export interface OpenResult {
  /** Items in the database. */
  items: number;
  /** Bytes of `wal.log` at close. */
  walBytes: number;
  /** Bytes of the directory at close. */
  diskBytes: number;
  /** SST files at close. */
  sstFiles: number;
  /** Time to load the items (ms). */
  loadMs: number;
  /** Each timed open, ms. */
  openMs: number[];
}

const DEFAULT_MAX_WAL = 64 * 1024 * 1024;

/**
 * Runs the check.
 *
 * @param items The items (1,000,000 for the target).
 * @param options kstone tuning; `flushOnClose` is forced off.
 * @param baseDir An existing directory on the disk to measure.
 * @returns The measurements.
 */
export async function runOpenCheck(
  items: ItemSet,
  options: DatabaseOptions,
  baseDir: string,
): Promise<OpenResult> {
  const dir = join(baseDir, "open", "bench.keystone");
  mkdirSync(join(baseDir, "open"), { recursive: true });
  const tuning: DatabaseOptions = { ...options, flushOnClose: false };
  const walTarget = 0.9 * (options.maxWalBytes ?? DEFAULT_MAX_WAL);
  const db = await Database.create(dir, tuning);
  const start = performance.now();
  const write = async (from: number) => {
    const puts: Promise<void>[] = [];
    for (let n = from; n < from + 1000; n++) {
      const i = items.order[n % items.count]!;
      puts.push(db.put({ pk: items.pk(i), sk: items.sk(i) }, items.doc(i)));
    }
    await Promise.all(puts);
  };
  for (let n = 0; n < items.count; n += 1000) {
    await write(n);
    if (n % 100_000 === 0) {
      console.error(`[kstone] open check: loaded ${n.toLocaleString("en-US")}`);
    }
  }
  const loadMs = performance.now() - start;
  // Overwrite items until the WAL is nearly full (or a whole second pass is done).
  let stats = await db.stats();
  for (let n = 0; n < items.count && stats.wal_size_bytes < walTarget; n += 1000) {
    await write(n);
    if (n % 10_000 === 0) stats = await db.stats();
  }
  stats = await db.stats();
  await db.close();
  const openMs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const t = performance.now();
    const again = await Database.open(dir, tuning);
    openMs.push(Math.round(performance.now() - t));
    await again.close();
  }
  const result = {
    items: items.count,
    walBytes: stats.wal_size_bytes,
    diskBytes: directoryBytes(dir),
    sstFiles: stats.total_sst_files,
    loadMs: Math.round(loadMs),
    openMs,
  };
  console.error(`[kstone] open check: ${JSON.stringify(result)}`);
  rmSync(join(baseDir, "open"), { recursive: true, force: true });
  return result;
}
