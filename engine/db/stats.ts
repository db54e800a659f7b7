/**
 * `Database.stats()`: the store's counters plus sizes measured at the time of the call. Field
 * names are snake_case, as the troubleshooting chapter reads them
 * (`stats.compaction.total_bytes_written / stats.compaction.total_bytes_read`).
 *
 * @module
 */
import { WAL_FILE } from "../filename.ts";
import { joinPath } from "../fs/file_system.ts";
import type { CompactionStats } from "../store/stats.ts";
import type { Store } from "../store/store.ts";
import type { OperationCounters } from "./table.ts";

/** What `Database.stats()` reports. */
export interface DatabaseStats {
  /** Operations since open. */
  operations: OperationCounters & { batches: number; mutations: number };
  /** Named tables (the default table not counted). */
  table_count: number;
  /** Memory held by memtables, in bytes (estimate). */
  memtable_size_bytes: number;
  /** Versions held by memtables (a key written twice since the last flush counts twice). */
  memtable_records: number;
  /** Live SST files. */
  total_sst_files: number;
  /** Live SST files of each stripe, index = stripe. */
  sst_files_per_stripe: number[];
  /** Bytes of live SST files. */
  sst_size_bytes: number;
  /** Bytes of `wal.log`. */
  wal_size_bytes: number;
  /** Bytes of every file of the database directory. */
  total_disk_size_bytes: number;
  /** Stripes flushed since open. */
  flushes: number;
  /** The LSN of the newest write. */
  last_lsn: number;
  /** Block cache use. */
  block_cache: { hits: number; misses: number };
  /** Compaction totals since open. */
  compaction: CompactionStats;
}

/**
 * Builds the report.
 *
 * @param store The open store.
 * @param counters The database's operation counters.
 * @param tableCount The number of named tables.
 * @returns The report.
 */
export async function collectStats(
  store: Store,
  counters: OperationCounters,
  tableCount: number,
): Promise<DatabaseStats> {
  let memtableRecords = 0;
  let sstBytes = 0;
  const perStripe: number[] = [];
  for (const stripe of store.stripes) {
    memtableRecords += stripe.memtable.size;
    for (const memory of stripe.immutables) memtableRecords += memory.size;
    perStripe.push(stripe.tables.length);
    for (const table of stripe.tables) sstBytes += table.size;
  }
  let diskBytes = 0;
  let walBytes = 0;
  for (const name of await store.fs.list(store.dir)) {
    const info = await store.fs.stat(joinPath(store.dir, name)).catch(() => undefined);
    if (info === undefined || info.isDirectory) continue;
    diskBytes += info.size;
    if (name === WAL_FILE) walBytes = info.size;
  }
  return {
    operations: { ...counters, batches: store.stats.batches, mutations: store.stats.mutations },
    table_count: tableCount,
    memtable_size_bytes: store.memtableBytes(),
    memtable_records: memtableRecords,
    total_sst_files: perStripe.reduce((sum, count) => sum + count, 0),
    sst_files_per_stripe: perStripe,
    sst_size_bytes: sstBytes,
    wal_size_bytes: walBytes,
    total_disk_size_bytes: diskBytes,
    flushes: store.stats.flushes,
    last_lsn: store.lastLsn,
    block_cache: { hits: store.cache.hits, misses: store.cache.misses },
    compaction: { ...store.stats.compaction },
  };
}
