/**
 * SST files (`{stripe:03}-{id}.sst`): the immutable sorted tables a flush or compaction writes.
 * {@linkcode TableBuilder} / {@linkcode writeTable} write them, {@linkcode TableReader} reads
 * them through a shared {@linkcode BlockCache}. The byte layout is in `docs/format/sstable.md`.
 *
 * @example Write, read, iterate
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { BlockCache, TableReader, writeTable } from "./mod.ts";
 * const fs = new MemoryFileSystem();
 * const key = (n: number) => new Uint8Array([0, 0, 0, 1, n]);
 * await writeTable(fs, "/007-3.sst", [
 *   { key: key(1), seq: 10, value: new Uint8Array([1]) },
 *   { key: key(2), seq: 11, value: null },
 * ]);
 * const table = await TableReader.open(fs, "/007-3.sst", { cache: new BlockCache(1 << 20) });
 * assert.equal(table.get(key(2))?.value, null);
 * assert.equal([...table.entries({ reverse: true })][0]?.seq, 11);
 * table.close();
 * ```
 *
 * @module
 */
export { Block } from "./block.ts";
export { BlockBuilder } from "./block_builder.ts";
export { BlockCache } from "./block_cache.ts";
export { bloomBitsPerKey, BloomFilter, BloomFilterBuilder, bloomProbes, murmur3 } from "./bloom.ts";
export { checkSeq, type SstEntry } from "./entry.ts";
export * from "./format.ts";
export { type BlockHandle, type Footer } from "./header_footer.ts";
export { type TableProperties } from "./properties.ts";
export { type EntriesOptions, TableReader, type TableReaderOptions } from "./table_reader.ts";
export { TableBuilder, type TableBuilderOptions, writeTable } from "./table_writer.ts";
