/**
 * The write-ahead log `wal.log`: {@linkcode WalWriter} appends records with group commit,
 * {@linkcode readWal} (or the streaming {@linkcode WalReader} / {@linkcode walRecords}) reads
 * them back, dropping a torn tail and reporting corruption. The format is in docs/format/wal.md.
 *
 * @example Write, crash, recover, append
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { readWal, WalWriter } from "./mod.ts";
 * const fs = new MemoryFileSystem();
 * const wal = await WalWriter.create(fs, "/wal.log", { nextLsn: 1 });
 * await wal.durable(wal.append(new TextEncoder().encode("put a")));
 * wal.append(new TextEncoder().encode("put b")); // not durable yet
 * const crashed = fs.crash({ seed: 1, keepUnsynced: 0 });
 * const log = await readWal(crashed, "/wal.log");
 * assert.deepEqual(log.records.map((record) => record.lsn), [1]);
 * const again = await WalWriter.openForAppend(crashed, "/wal.log", {
 *   nextLsn: log.nextLsn,
 *   validSize: log.validSize,
 * });
 * assert.equal(again.append(new TextEncoder().encode("put c")), 2);
 * await again.close();
 * await wal.close();
 * ```
 *
 * @module
 */

export * from "./format.ts";
export {
  readWal,
  WalReader,
  type WalReaderOptions,
  type WalReadResult,
  type WalRecord,
  walRecords,
} from "./reader.ts";
export {
  decodeWalHeader,
  encodeWalHeader,
  encodeWalRecord,
  type EncodeWalRecordOptions,
} from "./record.ts";
export { WalWriter } from "./writer.ts";
export * from "./writer_options.ts";
