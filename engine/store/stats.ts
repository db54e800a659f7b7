/**
 * Counters the store keeps while it runs. `Database.stats()` reports them with the sizes it
 * measures at the time of the call.
 *
 * @module
 */

/**
 * Compaction totals, named as the troubleshooting chapter reads them
 * (`stats.compaction.total_bytes_written / stats.compaction.total_bytes_read`).
 */
export interface CompactionStats {
  /** Compactions finished. */
  total_compactions: number;
  /** Input SSTs merged. */
  total_ssts_merged: number;
  /** Output SSTs written. */
  total_ssts_created: number;
  /** Bytes of input SSTs read. */
  total_bytes_read: number;
  /** Bytes of output SSTs written. */
  total_bytes_written: number;
  /** Input bytes minus output bytes. */
  total_bytes_reclaimed: number;
  /** Shadowed versions dropped. */
  total_records_deduplicated: number;
  /** Tombstones dropped. */
  total_tombstones_removed: number;
  /** Compactions running now. */
  active_compactions: number;
}

/** Counters of one open store. */
export interface StoreStats {
  /** Batches committed. */
  batches: number;
  /** Mutations committed. */
  mutations: number;
  /** Memtable flushes (one per stripe flushed). */
  flushes: number;
  /** Bytes of SSTs written by flushes. */
  flushedBytes: number;
  /** MANIFEST replacements. */
  manifestWrites: number;
  /** WAL rewrites that dropped flushed records. */
  walRewrites: number;
  /** Compaction totals. */
  compaction: CompactionStats;
}

/**
 * Fresh, zeroed counters.
 *
 * @returns The counters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newStoreStats } from "./stats.ts";
 * assert.equal(newStoreStats().compaction.total_compactions, 0);
 * ```
 */
export function newStoreStats(): StoreStats {
  return {
    batches: 0,
    mutations: 0,
    flushes: 0,
    flushedBytes: 0,
    manifestWrites: 0,
    walRewrites: 0,
    compaction: {
      total_compactions: 0,
      total_ssts_merged: 0,
      total_ssts_created: 0,
      total_bytes_read: 0,
      total_bytes_written: 0,
      total_bytes_reclaimed: 0,
      total_records_deduplicated: 0,
      total_tombstones_removed: 0,
      active_compactions: 0,
    },
  };
}
