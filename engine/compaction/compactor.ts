/**
 * Compaction of one stripe: merges all of its SSTs into one, keeping the newest version of each
 * key and dropping tombstones (the inputs hold the stripe's oldest data, so nothing older can be
 * resurrected). It also drops every entry of a dropped keyspace (a deleted table or index: the
 * key's u32 big-endian prefix names it, and ids are never reused), which is how deleting a table
 * reclaims its space. It yields to the event loop every few thousand entries so foreground reads
 * and writes keep flowing; the inputs stay readable until the output is installed.
 *
 * @module
 */
import { compareBytes } from "../codec/bytes.ts";
import { sstFileName } from "../filename.ts";
import { type FileSystem, joinPath } from "../fs/file_system.ts";
import type { BlockCache } from "../sstable/block_cache.ts";
import { TableBuilder } from "../sstable/table_writer.ts";
import { TableReader } from "../sstable/table_reader.ts";
import type { SstEntry } from "../sstable/entry.ts";
import type { ResolvedStoreOptions } from "../store/options.ts";
import type { CompactionStats } from "../store/stats.ts";
import type { TableRef } from "../store/stripe.ts";

/** Entries merged between two yields to the event loop. */
const YIELD_EVERY = 4096;

/** Everything one compaction needs. */
export interface CompactionJob {
  fs: FileSystem;
  dir: string;
  /** The stripe. */
  index: number;
  /** Every SST of the stripe, newest first. */
  inputs: TableRef[];
  /** The id of the output file. */
  fileId: number;
  cache: BlockCache;
  options: ResolvedStoreOptions;
  /** Totals to add this compaction to. */
  stats: CompactionStats;
  /** Keyspace ids whose entries are dropped. @default none */
  dropped?: ReadonlySet<number>;
  /** Replaces the inputs by the output (undefined when nothing survived) in the manifest. */
  install(inputs: TableRef[], output: TableRef | undefined): Promise<void>;
}

/**
 * The keyspace id a key belongs to: its u32 big-endian prefix (docs/format/key_encoding.md).
 *
 * @param key An encoded key of at least 4 bytes.
 * @returns The id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey } from "../codec/key_codec.ts";
 * import { keyspaceOf } from "./compactor.ts";
 * assert.equal(keyspaceOf(encodeKey(258, { S: "a" })), 258);
 * ```
 */
export function keyspaceOf(key: Uint8Array): number {
  return ((key[0]! << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!) >>> 0;
}

/**
 * Merges every entry of the inputs in key order; for each key the newest input wins.
 *
 * @param inputs SSTs, newest first.
 * @param onShadowed Called for each older version dropped.
 * @returns The winning entries, tombstones included.
 */
export function* mergeTables(
  inputs: readonly TableRef[],
  onShadowed: () => void,
): Generator<SstEntry> {
  const sources = inputs.map((table) => table.reader.entries({ fillCache: false }));
  const heads: (SstEntry | undefined)[] = sources.map((source) => source.next().value);
  while (true) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head === undefined) continue;
      if (best < 0 || compareBytes(head.key, heads[best]!.key) < 0) best = i;
    }
    if (best < 0) return;
    const winner = heads[best]!;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head === undefined || (i !== best && compareBytes(head.key, winner.key) !== 0)) continue;
      if (i !== best) onShadowed();
      heads[i] = sources[i]!.next().value;
    }
    yield winner;
  }
}

/**
 * Runs one compaction and installs its result.
 *
 * @param job The stripe, its inputs and where to write.
 * @returns A promise that settles once the output replaced the inputs.
 */
export async function compactStripe(job: CompactionJob): Promise<void> {
  const path = joinPath(job.dir, sstFileName(job.index, job.fileId));
  const builder = await TableBuilder.create(job.fs, path, {
    blockSize: job.options.blockSize,
    bloomFalsePositiveRate: job.options.bloomFalsePositiveRate,
  });
  let deduplicated = 0;
  let tombstones = 0;
  let written = 0;
  let output: TableRef | undefined;
  let installing = false;
  try {
    let sinceYield = 0;
    const dropped = job.dropped ?? new Set<number>();
    for (const entry of mergeTables(job.inputs, () => deduplicated++)) {
      if (entry.value === null) tombstones++;
      else if (dropped.size === 0 || !dropped.has(keyspaceOf(entry.key))) {
        builder.add(entry);
        written++;
      }
      if (++sinceYield === YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
    if (written === 0) await builder.abandon();
    else {
      const properties = await builder.finish();
      const reader = await TableReader.open(job.fs, path, { cache: job.cache, fileId: job.fileId });
      output = { id: job.fileId, size: properties.fileSize, reader };
    }
    installing = true;
    await job.install(job.inputs, output);
  } catch (error) {
    output?.reader.close();
    // A failed install may still have renamed the new MANIFEST into place (only its directory
    // sync failed): the output may be the live copy of the inputs' data, so it stays. If it is
    // not listed, the next open deletes it.
    if (output === undefined) await builder.abandon().catch(() => {});
    else if (!installing) await job.fs.remove(path).catch(() => {});
    throw error;
  }
  const read = job.inputs.reduce((sum, table) => sum + table.size, 0);
  const stats = job.stats;
  stats.total_compactions++;
  stats.total_ssts_merged += job.inputs.length;
  stats.total_ssts_created += output === undefined ? 0 : 1;
  stats.total_bytes_read += read;
  stats.total_bytes_written += output?.size ?? 0;
  stats.total_bytes_reclaimed += Math.max(0, read - (output?.size ?? 0));
  stats.total_records_deduplicated += deduplicated;
  stats.total_tombstones_removed += tombstones;
}
