/**
 * Writes an SST file: `header | data blocks | index | bloom | properties | footer`, as
 * `docs/format/sstable.md` describes. Entries are encoded synchronously into a chunk buffer that
 * goes to the file system in ~256 KiB appends; `finish` writes the metadata, syncs and closes.
 *
 * @module
 */
import { compareBytes } from "../codec/bytes.ts";
import { crc32c } from "../codec/crc32c.ts";
import { KstoneError } from "../errors.ts";
import type { FileHandle, FileSystem } from "../fs/file_system.ts";
import { BlockBuilder } from "./block_builder.ts";
import { bloomBitsPerKey, BloomFilterBuilder } from "./bloom.ts";
import { checkSeq, type SstEntry } from "./entry.ts";
import {
  CHECKSUM_SIZE,
  DEFAULT_BLOCK_SIZE,
  DEFAULT_BLOOM_FALSE_POSITIVE_RATE,
  FORMAT_VERSION,
  HEADER_SIZE,
  WRITE_CHUNK_SIZE,
} from "./format.ts";
import { type BlockHandle, encodeFooter, encodeHeader } from "./header_footer.ts";
import { IndexBuilder } from "./index_block.ts";
import { encodeProperties, type TableProperties } from "./properties.ts";
import { fileName } from "./_errors.ts";
import { putU32 } from "./_varint.ts";

/**
 * Options of {@linkcode TableBuilder.create} and {@linkcode writeTable}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TableBuilderOptions } from "./table_writer.ts";
 * const options: TableBuilderOptions = { blockSize: 16 * 1024, bloomFalsePositiveRate: 0.001 };
 * assert.equal(options.blockSize, 16384);
 * ```
 */
export interface TableBuilderOptions {
  /** Target payload size of a data block; an entry larger than this gets a block of its own. @default 4096 */
  blockSize?: number;
  /** The bloom filter's false-positive rate, in `(0, 1)`. @default 0.01 */
  bloomFalsePositiveRate?: number;
  /** Bloom bits per key, overriding `bloomFalsePositiveRate`; 0 writes no filter. @default undefined */
  bloomBitsPerKey?: number;
}

/**
 * Write chunks of finished builders, for the next builder to take. A flush builds its tables one
 * after another in synchronous steps, so a few chunks serve them all (every file system copies
 * what it is given before `write`/`append` returns).
 */
const spareChunks: Uint8Array[] = [];
const MAX_SPARE_CHUNKS = 4;
const EMPTY_CHUNK = new Uint8Array(0);

function invalid(message: string): KstoneError {
  return new KstoneError("INVALID_ARGUMENT", message);
}

function resolveBitsPerKey(options: TableBuilderOptions): number {
  const bits = options.bloomBitsPerKey;
  if (bits === undefined) {
    return bloomBitsPerKey(options.bloomFalsePositiveRate ?? DEFAULT_BLOOM_FALSE_POSITIVE_RATE);
  }
  if (!(bits >= 0 && bits <= 64)) {
    throw invalid(`Cannot write SST file: bloomBitsPerKey must be in [0, 64], got ${bits}`);
  }
  return bits;
}

/**
 * Writes one SST file from entries given in strictly ascending key order.
 *
 * The builder neither renames the file nor syncs its directory: the caller makes the new name
 * durable (`FileSystem.syncDir`) before recording the table in the MANIFEST.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { TableBuilder } from "./table_writer.ts";
 * const fs = new MemoryFileSystem();
 * const builder = await TableBuilder.create(fs, "/000-1.sst");
 * builder.add({ key: new Uint8Array([1]), seq: 1, value: new Uint8Array([42]) });
 * builder.add({ key: new Uint8Array([2]), seq: 2, value: null });
 * const props = await builder.finish();
 * assert.equal(props.entryCount, 2);
 * assert.equal(props.tombstoneCount, 1);
 * ```
 */
export class TableBuilder {
  readonly #fs: FileSystem;
  readonly #path: string;
  readonly #file: FileHandle;
  readonly #blockSize: number;
  readonly #bitsPerKey: number;
  readonly #block = new BlockBuilder();
  readonly #index = new IndexBuilder();
  readonly #bloom = new BloomFilterBuilder();
  #chunk = spareChunks.pop() ?? new Uint8Array(WRITE_CHUNK_SIZE);
  #chunkPos = 0;
  /** Bytes already handed to the file. */
  #flushed = 0;
  #state: "open" | "failed" | "finished" | "abandoned" = "open";
  #lastIndexKey: Uint8Array | undefined;
  #smallestKey: Uint8Array | undefined;
  #entryCount = 0;
  #tombstoneCount = 0;
  #minSeq = Number.MAX_SAFE_INTEGER;
  #maxSeq = 0;
  #rawKeyBytes = 0;
  #rawValueBytes = 0;

  private constructor(
    fs: FileSystem,
    path: string,
    file: FileHandle,
    blockSize: number,
    bitsPerKey: number,
  ) {
    this.#fs = fs;
    this.#path = path;
    this.#file = file;
    this.#blockSize = blockSize;
    this.#bitsPerKey = bitsPerKey;
    this.#write(encodeHeader());
  }

  /**
   * Creates (or truncates) the file at `path` and starts a table in it.
   *
   * @param fs The file system.
   * @param path The SST's path, normally `{stripe:03}-{id}.sst` (see `sstFileName`).
   * @param options Block size and bloom filter sizing.
   * @returns The builder.
   * @throws {KstoneError} `INVALID_ARGUMENT` for an option out of range; `IO_ERROR` when the
   * file cannot be opened.
   */
  static async create(
    fs: FileSystem,
    path: string,
    options: TableBuilderOptions = {},
  ): Promise<TableBuilder> {
    const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    if (!Number.isSafeInteger(blockSize) || blockSize < 1 || blockSize > 64 * 1024 * 1024) {
      throw invalid(`Cannot write SST file: blockSize must be in [1, 64 MiB], got ${blockSize}`);
    }
    const bitsPerKey = resolveBitsPerKey(options);
    const file = await fs.open(path, { create: true, truncate: true });
    return new TableBuilder(fs, path, file, blockSize, bitsPerKey);
  }

  /** Entries added so far. */
  get entryCount(): number {
    return this.#entryCount;
  }

  /** The file's size if it were finished now, without index, bloom and properties. */
  get estimatedSize(): number {
    return this.#flushed + this.#chunkPos + (this.#block.count > 0 ? this.#block.size + 4 : 0);
  }

  /**
   * Adds an entry. Keys must strictly ascend in `compareBytes` order. The entry's bytes are
   * copied; the caller may reuse them.
   *
   * @param entry The key, seq and value (`null` for a tombstone).
   * @throws {KstoneError} `INVALID_ARGUMENT` when the key does not follow the previous one, the
   * seq is not an integer in `[1, 2^53)`, or the builder is finished; `IO_ERROR` when a chunk
   * cannot be written (the builder is then failed: call {@linkcode abandon}).
   */
  add(entry: SstEntry): void {
    this.#checkOpen("add an entry to");
    const { key, seq, value } = entry;
    checkSeq(seq);
    const block = this.#block;
    const order = block.count > 0
      ? block.compareWithLast(key)
      : this.#lastIndexKey === undefined
      ? 1
      : compareBytes(key, this.#lastIndexKey);
    if (order <= 0) {
      throw invalid(
        `Cannot add SST entry to ${fileName(this.#path)}: keys must strictly ascend, ` +
          `entry ${this.#entryCount} is ${order === 0 ? "equal to" : "less than"} the previous key`,
      );
    }
    const valueLength = value === null ? -1 : value.length;
    if (block.count > 0 && block.sizeWith(key, seq, valueLength) > this.#blockSize) {
      this.#guard(() => this.#flushBlock());
    }
    block.add(key, seq, value);
    this.#bloom.add(key);
    if (this.#entryCount === 0) this.#smallestKey = key.slice();
    this.#entryCount++;
    if (value === null) this.#tombstoneCount++;
    else this.#rawValueBytes += value.length;
    this.#rawKeyBytes += key.length;
    if (seq < this.#minSeq) this.#minSeq = seq;
    if (seq > this.#maxSeq) this.#maxSeq = seq;
  }

  /**
   * Writes the last data block, the index, bloom and properties blocks and the footer, then
   * syncs the file's data and closes it.
   *
   * @returns What the table holds.
   * @throws {KstoneError} `INVALID_ARGUMENT` when no entry was added (the partial file is
   * removed: a table always has a key range) or the builder is finished; `IO_ERROR` when a write
   * or the sync fails (call {@linkcode abandon}).
   */
  async finish(): Promise<TableProperties> {
    this.#checkOpen("finish");
    if (this.#entryCount === 0) {
      await this.abandon();
      throw invalid(`Cannot finish SST file ${fileName(this.#path)}: it has no entries`);
    }
    let props: TableProperties | undefined;
    this.#guard(() => {
      if (this.#block.count > 0) this.#flushBlock();
      const indexOffset = this.#offset;
      const index = this.#writeBlock(this.#index.finish());
      const bloom = this.#writeBlock(this.#bloom.finish(this.#bitsPerKey));
      const largestKey = this.#lastIndexKey!;
      const stored = {
        entryCount: this.#entryCount,
        tombstoneCount: this.#tombstoneCount,
        minSeq: this.#minSeq,
        maxSeq: this.#maxSeq,
        smallestKey: this.#smallestKey!,
        largestKey,
        dataBytes: indexOffset - HEADER_SIZE,
        rawKeyBytes: this.#rawKeyBytes,
        rawValueBytes: this.#rawValueBytes,
      };
      const properties = this.#writeBlock(encodeProperties(stored));
      this.#write(encodeFooter({ index, bloom, properties }));
      this.#flushChunk();
      this.#releaseChunk();
      props = {
        ...stored,
        path: this.#path,
        fileSize: this.#flushed,
        formatVersion: FORMAT_VERSION,
        blockCount: this.#index.count,
        indexBytes: index.length,
        bloomBytes: bloom.length,
      };
    });
    try {
      await this.#file.datasync();
    } catch (error) {
      this.#state = "failed";
      throw error;
    }
    this.#file.close();
    this.#state = "finished";
    return props!;
  }

  /**
   * Closes and removes the partial file. Safe to call after a failure or twice; does nothing
   * once {@linkcode finish} has succeeded.
   *
   * @throws {KstoneError} `IO_ERROR` when the file exists but cannot be removed.
   */
  async abandon(): Promise<void> {
    if (this.#state === "finished" || this.#state === "abandoned") return;
    this.#state = "abandoned";
    this.#releaseChunk();
    try {
      this.#file.close();
    } catch {
      // The handle is being thrown away; a failing close changes nothing.
    }
    try {
      await this.#fs.remove(this.#path);
    } catch (error) {
      if (!(error instanceof KstoneError && error.errno === "ENOENT")) throw error;
    }
  }

  get #offset(): number {
    return this.#flushed + this.#chunkPos;
  }

  #checkOpen(action: string): void {
    if (this.#state !== "open") {
      throw invalid(`Cannot ${action} SST file ${fileName(this.#path)}: builder is ${this.#state}`);
    }
  }

  #guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#state = "failed";
      throw error;
    }
  }

  #flushBlock(): void {
    const block = this.#block;
    const lastKey = block.lastKey();
    this.#index.add(lastKey, this.#writeBlock(block.finish()));
    this.#lastIndexKey = lastKey;
    block.reset();
  }

  /** Writes `payload` and its CRC-32C; returns the block's handle. */
  #writeBlock(payload: Uint8Array): BlockHandle {
    const offset = this.#offset;
    this.#write(payload);
    const checksum = new Uint8Array(CHECKSUM_SIZE);
    putU32(checksum, 0, crc32c(payload));
    this.#write(checksum);
    return { offset, length: payload.length + CHECKSUM_SIZE };
  }

  #write(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.length) {
      const room = this.#chunk.length - this.#chunkPos;
      const n = Math.min(room, bytes.length - from);
      this.#chunk.set(bytes.subarray(from, from + n), this.#chunkPos);
      this.#chunkPos += n;
      from += n;
      if (this.#chunkPos === this.#chunk.length) this.#flushChunk();
    }
  }

  #flushChunk(): void {
    if (this.#chunkPos === 0) return;
    this.#file.append(this.#chunk.subarray(0, this.#chunkPos));
    this.#flushed += this.#chunkPos;
    this.#chunkPos = 0;
  }

  /** Hands the chunk to the next builder; this one writes nothing more. */
  #releaseChunk(): void {
    if (this.#chunk.length === WRITE_CHUNK_SIZE && spareChunks.length < MAX_SPARE_CHUNKS) {
      spareChunks.push(this.#chunk);
    }
    this.#chunk = EMPTY_CHUNK;
    this.#chunkPos = 0;
  }
}

/**
 * Writes a whole table from sorted entries; on any failure the partial file is removed.
 *
 * @param fs The file system.
 * @param path The SST's path.
 * @param entries The entries, keys strictly ascending, at least one.
 * @param options Block size and bloom filter sizing.
 * @returns What the table holds.
 * @throws {KstoneError} as {@linkcode TableBuilder.add} and {@linkcode TableBuilder.finish}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { writeTable } from "./table_writer.ts";
 * const fs = new MemoryFileSystem();
 * const key = new TextEncoder().encode("user#1");
 * const props = await writeTable(fs, "/125-1.sst", [{ key, seq: 9, value: new Uint8Array(3) }]);
 * assert.deepEqual([props.minSeq, props.maxSeq], [9, 9]);
 * assert.deepEqual((await fs.readFile("/125-1.sst")).subarray(0, 4), new TextEncoder().encode("SSTM"));
 * ```
 */
export async function writeTable(
  fs: FileSystem,
  path: string,
  entries: Iterable<SstEntry>,
  options: TableBuilderOptions = {},
): Promise<TableProperties> {
  const builder = await TableBuilder.create(fs, path, options);
  try {
    for (const entry of entries) builder.add(entry);
    return await builder.finish();
  } catch (error) {
    await builder.abandon();
    throw error;
  }
}
