/**
 * Reads an SST file. Opening reads and verifies the header, footer, index, bloom filter and
 * properties, which stay in memory; data blocks are read on demand with synchronous reads,
 * verified, and kept in a {@linkcode BlockCache} shared by the database's readers.
 *
 * @module
 */
import { compareBytes } from "../codec/bytes.ts";
import { crc32c } from "../codec/crc32c.ts";
import { KstoneError } from "../errors.ts";
import { parseSstFileName } from "../filename.ts";
import type { FileHandle, FileSystem } from "../fs/file_system.ts";
import { Block } from "./block.ts";
import { BlockCache, type CachedTable } from "./block_cache.ts";
import { BloomFilter, type BloomKey } from "./bloom.ts";
import type { SstEntry } from "./entry.ts";
import { CHECKSUM_SIZE, FOOTER_SIZE, HEADER_SIZE } from "./format.ts";
import { decodeFooter, decodeHeader } from "./header_footer.ts";
import { BlockIndex } from "./index_block.ts";
import { decodeProperties, type TableProperties } from "./properties.ts";
import { verifyTable } from "./_verify.ts";
import { checksumMismatch, fileName, headerInvalid, malformed } from "./_errors.ts";
import { getU32 } from "./_varint.ts";

/** The budget of the cache a reader makes for itself when none is given. */
const PRIVATE_CACHE_BYTES = 4 * 1024 * 1024;

/**
 * Options of {@linkcode TableReader.open}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BlockCache, type CachedTable } from "./block_cache.ts";
 * import type { TableReaderOptions } from "./table_reader.ts";
 * const options: TableReaderOptions = { cache: new BlockCache(64 << 20), fileId: 5 };
 * assert.equal(options.cache?.capacity, 64 << 20);
 * ```
 */
export interface TableReaderOptions {
  /** The database's shared block cache. @default a private 4 MiB cache */
  cache?: BlockCache;
  /** The table's id in the cache. @default the id in the `{stripe:03}-{id}.sst` file name */
  fileId?: number;
}

/**
 * Options of {@linkcode TableReader.entries}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EntriesOptions } from "./table_reader.ts";
 * const lastTenOfPrefix: EntriesOptions = {
 *   start: new Uint8Array([0, 0, 0, 1]),
 *   end: new Uint8Array([0, 0, 0, 2]),
 *   reverse: true,
 * };
 * assert.equal(lastTenOfPrefix.reverse, true);
 * ```
 */
export interface EntriesOptions {
  /** The first key to return (inclusive). @default the table's first key */
  start?: Uint8Array;
  /** The key to stop before (exclusive). @default past the table's last key */
  end?: Uint8Array;
  /** Walk from the end of the range backwards. @default false */
  reverse?: boolean;
  /** Keep the blocks read in the cache; a compaction passes `false`. @default true */
  fillCache?: boolean;
}

/**
 * Bytes read from a table's end at open: the footer, and the index, bloom and properties blocks
 * of a table of up to ~100 data blocks, in one read.
 */
const TAIL_BYTES = 8 * 1024;

/**
 * The tail read at open, shared by every open: the part of it that stays in memory is copied
 * out, and an open uses it within one synchronous step.
 */
const TAIL = new Uint8Array(TAIL_BYTES);

function readExact(
  file: FileHandle,
  offset: number,
  length: number,
  path: string,
  into = new Uint8Array(length),
): Uint8Array {
  const bytes = into.length === length ? into : into.subarray(0, length);
  if (file.read(bytes, offset) !== length) throw headerInvalid(path);
  return bytes;
}

/** Checks the CRC-32C trailing `block` and returns the payload before it. */
function payloadOf(block: Uint8Array, path: string): Uint8Array {
  const end = block.length - CHECKSUM_SIZE;
  if (end < 0 || getU32(block, end) !== crc32c(block, 0, end)) throw checksumMismatch(path);
  return block.subarray(0, end);
}

function parse<T>(path: string, what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw decodeError(path, what, error);
  }
}

/** What to throw for `error` raised by decoding `what`: a RangeError (bad bytes) is corruption. */
function decodeError(path: string, what: string, error: unknown): unknown {
  return error instanceof RangeError ? malformed(path, `${what}: ${error.message}`) : error;
}

/**
 * An open SST file. Reads are synchronous. Keys and values it returns may be views of cached
 * blocks: never mutate them, and copy them to keep them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { TableReader } from "./table_reader.ts";
 * import { writeTable } from "./table_writer.ts";
 * const fs = new MemoryFileSystem();
 * const utf8 = (s: string) => new TextEncoder().encode(s);
 * await writeTable(fs, "/001-7.sst", [
 *   { key: utf8("a"), seq: 1, value: utf8("apple") },
 *   { key: utf8("b"), seq: 2, value: null },
 *   { key: utf8("c"), seq: 3, value: utf8("cherry") },
 * ]);
 * const table = await TableReader.open(fs, "/001-7.sst");
 * assert.deepEqual(table.get(utf8("a"))?.value, utf8("apple"));
 * assert.equal(table.get(utf8("b"))?.value, null);
 * assert.equal(table.get(utf8("z")), undefined);
 * const keys = [...table.entries({ start: utf8("b"), reverse: true })].map((e) => e.key[0]);
 * assert.deepEqual(keys, [0x63, 0x62]);
 * table.close();
 * ```
 */
export class TableReader {
  /** The file's path. */
  readonly path: string;
  /** The table's id in the block cache. */
  readonly fileId: number;
  /** What the table holds, loaded from its properties block. */
  readonly properties: TableProperties;
  readonly #file: FileHandle;
  readonly #cache: BlockCache;
  readonly #slots: CachedTable;
  readonly #index: BlockIndex;
  readonly #bloom: BloomFilter;
  #closed = false;

  private constructor(
    path: string,
    file: FileHandle,
    cache: BlockCache,
    fileId: number,
    index: BlockIndex,
    bloom: BloomFilter,
    properties: TableProperties,
  ) {
    this.path = path;
    this.#file = file;
    this.#cache = cache;
    this.#slots = cache.table(fileId, index.count);
    this.fileId = fileId;
    this.#index = index;
    this.#bloom = bloom;
    this.properties = properties;
  }

  /**
   * Opens an SST file and verifies everything but its data blocks.
   *
   * @param fs The file system.
   * @param path The SST's path.
   * @param options The shared cache and the table's id in it.
   * @returns The reader; {@linkcode close} it when done.
   * @throws {KstoneError} `CORRUPTION` `Corruption detected: SST file header invalid: <name>`
   * for a bad magic, header or footer, or a file too short for them; `CORRUPTION`
   * `Checksum mismatch in SST file <name>` when the index, bloom or properties block fails its
   * CRC; `NOT_SUPPORTED` for a newer format version; `INVALID_ARGUMENT` when a shared cache is
   * given but no file id can be found; `IO_ERROR` when the file cannot be opened.
   */
  static async open(
    fs: FileSystem,
    path: string,
    options: TableReaderOptions = {},
  ): Promise<TableReader> {
    const fileId = options.fileId ?? parseSstFileName(fileName(path))?.id ??
      (options.cache === undefined ? 0 : undefined);
    if (fileId === undefined) {
      throw new KstoneError(
        "INVALID_ARGUMENT",
        `Cannot open SST file ${
          fileName(path)
        } with a shared cache: no fileId and the name has none`,
      );
    }
    const file = await fs.open(path);
    try {
      const size = file.size();
      if (size < HEADER_SIZE + FOOTER_SIZE) throw headerInvalid(path);
      const version = decodeHeader(readExact(file, 0, HEADER_SIZE, path), path);
      const tailStart = Math.max(HEADER_SIZE, size - TAIL_BYTES);
      const tail = readExact(file, tailStart, size - tailStart, path, TAIL);
      const footerAt = tail.length - FOOTER_SIZE;
      const footer = decodeFooter(tail.subarray(footerAt), path, size, version);
      const metaStart = footer.index.offset;
      // The index and bloom filter keep views of `meta`: copy it out of the tail.
      const meta = metaStart >= tailStart
        ? tail.slice(metaStart - tailStart, footerAt)
        : readExact(file, metaStart, size - FOOTER_SIZE - metaStart, path);
      const slice = (at: number, length: number) =>
        payloadOf(meta.subarray(at - metaStart, at - metaStart + length), path);
      const indexPayload = slice(footer.index.offset, footer.index.length);
      const bloomPayload = slice(footer.bloom.offset, footer.bloom.length);
      const propsPayload = slice(footer.properties.offset, footer.properties.length);
      const index = parse(
        path,
        "index block",
        () => BlockIndex.decode(indexPayload, HEADER_SIZE, footer.index.offset),
      );
      const bloom = parse(path, "bloom block", () => BloomFilter.decode(bloomPayload));
      const stored = parse(path, "properties block", () => decodeProperties(propsPayload));
      const last = index.count === 0 ? new Uint8Array(0) : index.lastKey(index.count - 1);
      if (
        stored.dataBytes !== footer.index.offset - HEADER_SIZE ||
        stored.entryCount < index.count || compareBytes(stored.largestKey, last) !== 0
      ) {
        throw malformed(path, "properties block disagrees with the index");
      }
      const properties: TableProperties = {
        ...stored,
        path,
        fileSize: size,
        formatVersion: version,
        blockCount: index.count,
        indexBytes: footer.index.length,
        bloomBytes: footer.bloom.length,
      };
      const cache = options.cache ?? new BlockCache(PRIVATE_CACHE_BYTES);
      return new TableReader(path, file, cache, fileId, index, bloom, properties);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /**
   * Tells whether the bloom filter admits `key` (no I/O).
   *
   * @param key The key.
   * @returns `false` only when the table certainly lacks `key`.
   */
  mayContain(key: Uint8Array): boolean {
    return this.#bloom.mayContain(key);
  }

  /**
   * Looks a key up: bloom filter, then binary search of the index, then of one data block.
   *
   * @param key The key.
   * @param hashes The key's bloom hashes, when the caller probes several tables with one key.
   * @returns The entry (a tombstone has `value: null`), or `undefined` when the table lacks it.
   * Its value views a cached block whose buffer the cache may reuse: it is valid until the next
   * read through the same cache (copy it to keep it).
   * @throws {KstoneError} `CORRUPTION` `Checksum mismatch in SST file <name>` when the block
   * read fails its CRC; `CLOSED` after {@linkcode close}.
   */
  get(key: Uint8Array, hashes?: BloomKey): SstEntry | undefined {
    if (this.#closed) throw this.#closedError();
    const bloom = this.#bloom;
    if (
      hashes === undefined
        ? !bloom.mayContain(key)
        : !bloom.mayContainHashes(hashes.first, hashes.second)
    ) {
      return undefined;
    }
    const block = this.#index.find(key);
    if (block === this.#index.count) return undefined;
    const cached = this.#cache.get(this.#slots, block);
    if (cached !== undefined) return cached.get(key);
    // Read into the cache's pool: the entry is used before the next read, and an iterator that
    // later takes the block from the cache pins it.
    const read = this.#readBlock(block, this.#cache.buffer(this.#index.length(block)));
    read.recyclable = true;
    this.#cache.insert(this.#slots, block, read);
    return read.get(key);
  }

  /**
   * Iterates entries in key order (or reversed), within `[start, end)`, loading blocks lazily.
   *
   * @param options Bounds, direction and cache use.
   * @returns A synchronous iterator of entries, tombstones included.
   * @throws {KstoneError} `CLOSED` after {@linkcode close}; while iterating, `CORRUPTION` as
   * {@linkcode get}.
   */
  entries(options: EntriesOptions = {}): IterableIterator<SstEntry> {
    if (this.#closed) throw this.#closedError();
    const { start, end, reverse = false, fillCache = true } = options;
    return reverse ? this.#backward(start, end, fillCache) : this.#forward(start, end, fillCache);
  }

  /**
   * Reads every data block from the file (bypassing the cache) and checks every checksum, the
   * entry layout, the key order, the index, the bloom filter and the properties.
   *
   * @throws {KstoneError} `CORRUPTION` at the first problem; `CLOSED` after {@linkcode close}.
   */
  verify(): void {
    if (this.#closed) throw this.#closedError();
    verifyTable({
      path: this.path,
      index: this.#index,
      bloom: this.#bloom,
      properties: this.properties,
      readBlock: (block) => this.#readBlock(block, new Uint8Array(this.#index.length(block))),
    });
  }

  /** Closes the file and drops the table's blocks from the cache. Closing twice is a no-op. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.evictTable(this.#slots);
    this.#file.close();
  }

  *#forward(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    fill: boolean,
  ): Generator<SstEntry> {
    const index = this.#index;
    let b = start === undefined ? 0 : index.find(start);
    for (let first = true; b < index.count; b++, first = false) {
      const block = this.#block(b, fill);
      const checkEnd = end !== undefined && index.compareLastKey(b, end) >= 0;
      for (
        let i = first && start !== undefined ? block.lowerBound(start) : 0;
        i < block.count;
        i++
      ) {
        const entry = block.entryAt(i);
        if (checkEnd && compareBytes(entry.key, end) >= 0) return;
        yield entry;
      }
    }
  }

  *#backward(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    fill: boolean,
  ): Generator<SstEntry> {
    const index = this.#index;
    let b = end === undefined ? index.count : index.find(end);
    let block: Block | undefined;
    let i = 0;
    if (b === index.count) {
      b--;
    } else {
      block = this.#block(b, fill);
      i = block.lowerBound(end!) - 1;
    }
    for (; b >= 0; b--, block = undefined) {
      if (block === undefined) {
        block = this.#block(b, fill);
        i = block.count - 1;
      }
      // Every key of block b is above the previous block's last key: check only when needed.
      const checkStart = start !== undefined &&
        (b === 0 || index.compareLastKey(b - 1, start) < 0);
      for (; i >= 0; i--) {
        const entry = block.entryAt(i);
        if (checkStart && compareBytes(entry.key, start) < 0) return;
        yield entry;
      }
    }
  }

  /** A block for an iterator, which holds it across yields: its buffer is never recycled. */
  #block(block: number, fill: boolean): Block {
    const cached = this.#cache.get(this.#slots, block);
    if (cached !== undefined) {
      cached.recyclable = false;
      return cached;
    }
    if (this.#closed) throw this.#closedError();
    const decoded = this.#readBlock(block, new Uint8Array(this.#index.length(block)));
    if (fill) this.#cache.insert(this.#slots, block, decoded);
    return decoded;
  }

  /** Reads data block `block` into `bytes` (its length), checks its CRC and decodes it. */
  #readBlock(block: number, bytes: Uint8Array): Block {
    const offset = this.#index.offset(block);
    const length = bytes.length;
    const read = this.#file.read(bytes, offset);
    if (read !== length) throw malformed(this.path, `data block at ${offset} ends past the file`);
    const payload = payloadOf(bytes, this.path);
    try {
      return Block.decode(payload);
    } catch (error) {
      // Not through `parse`: no closure and no message per block read.
      throw decodeError(this.path, `data block at ${offset}`, error);
    }
  }

  #closedError(): KstoneError {
    return new KstoneError("CLOSED", `Cannot read SST file ${fileName(this.path)}: it is closed`, {
      path: this.path,
    });
  }
}
