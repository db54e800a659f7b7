/**
 * kstone's large-open check (target: open of a 1,000,000-item database in under 1 s, whatever
 * its WAL holds). A child process loads the items, goes on overwriting them until `wal.log` is
 * nearly `maxWalBytes`, and exits without closing, as a crash would; then `Database.open`,
 * which must replay that WAL, is timed three times (each open closes without flushing, so
 * every open replays the same log).
 *
 * @module
 */
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { Database, type DatabaseOptions } from "../mod.ts";
import { DEFAULT_STORE_OPTIONS } from "../engine/store/options.ts";
import type { ItemSet } from "./_items.ts";
import { directoryBytes } from "./_proc.ts";

/** What the large-open check measured. */
export interface OpenResult {
  /** Items in the database. */
  items: number;
  /** Bytes of `wal.log` at the crash: what each open replays. */
  walBytes: number;
  /** The largest `wal.log` seen while loading. */
  walPeakBytes: number;
  /** Bytes of the directory at the crash. */
  diskBytes: number;
  /** Each timed open, ms. */
  openMs: number[];
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * The child's part: load `items` into a new database at `dir`, overwrite items until the WAL
 * is at 90% of `maxWalBytes`, print the WAL peak and exit without closing.
 *
 * @param items The items.
 * @param options kstone tuning.
 * @param dir The database directory to create.
 */
export async function fillAndCrash(
  items: ItemSet,
  options: DatabaseOptions,
  dir: string,
): Promise<never> {
  const db = await Database.create(dir, options);
  const walPath = join(dir, "wal.log");
  const walTarget = 0.9 * (options.maxWalBytes ?? DEFAULT_STORE_OPTIONS.maxWalBytes);
  let walPeak = 0;
  for (let n = 0; n < 2 * items.count; n += 1000) {
    const puts: Promise<unknown>[] = [];
    for (let k = n; k < n + 1000; k++) {
      const i = items.order[k % items.count]!;
      puts.push(db.put({ pk: items.pk(i), sk: items.sk(i) }, items.doc(i)));
    }
    await Promise.all(puts);
    const wal = fileBytes(walPath);
    walPeak = Math.max(walPeak, wal);
    if (n % 100_000 === 0) console.error(`[kstone] open check: wrote ${n.toLocaleString("en-US")}`);
    if (n + 1000 >= items.count && wal >= walTarget) break;
  }
  console.log(JSON.stringify({ walPeak }));
  process.exit(0);
}

/**
 * Runs the check.
 *
 * @param items The items (1,000,000 for the target).
 * @param options kstone tuning; `flushOnClose` is forced off.
 * @param baseDir An existing directory on the disk to measure.
 * @param spawnFill Runs {@linkcode fillAndCrash} on a directory in a child process and returns
 *   its standard output.
 * @returns The measurements.
 */
export async function runOpenCheck(
  items: ItemSet,
  options: DatabaseOptions,
  baseDir: string,
  spawnFill: (dir: string) => string,
): Promise<OpenResult> {
  const parent = join(baseDir, "open");
  const dir = join(parent, "bench.keystone");
  mkdirSync(parent, { recursive: true });
  try {
    const output = spawnFill(dir);
    const walPeakBytes = Number(/"walPeak":(\d+)/.exec(output)?.[1] ?? NaN);
    const walBytes = fileBytes(join(dir, "wal.log"));
    const diskBytes = directoryBytes(dir);
    const tuning: DatabaseOptions = { ...options, flushOnClose: false };
    const openMs: number[] = [];
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      const db = await Database.open(dir, tuning);
      openMs.push(Math.round(performance.now() - start));
      await db.close();
    }
    const result = { items: items.count, walBytes, walPeakBytes, diskBytes, openMs };
    console.error(`[kstone] open check: ${JSON.stringify(result)}`);
    return result;
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}
