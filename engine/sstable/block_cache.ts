/**
 * The block cache: decoded data blocks of every open SST under a byte budget, shared by all the
 * table readers of a database. Each table holds its cached blocks in an array by block number
 * (a {@linkcode CachedTable}), so a hit costs one array read and one reference bit; eviction
 * follows the CLOCK policy (second-chance FIFO): the oldest block goes unless it was used since
 * the hand last passed it, in which case it loses its bit and goes round again.
 *
 * @module
 */
import { releaseBuffer } from "../buffer_release.ts";
import { KstoneError } from "../errors.ts";
import type { Block } from "./block.ts";
import { CHECKSUM_SIZE } from "./format.ts";

/**
 * One table's blocks in a {@linkcode BlockCache}, by block number. Readers look blocks up
 * through {@linkcode BlockCache.get}; only the cache changes the arrays.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BlockCache } from "./block_cache.ts";
 * const table = new BlockCache(1 << 20).table(7, 3);
 * assert.deepEqual([table.fileId, table.blocks.length], [7, 3]);
 * ```
 */
export class CachedTable {
  /** The table's file id. */
  readonly fileId: number;
  /** The cached blocks by block number; `undefined` where not cached. */
  readonly blocks: (Block | undefined)[];
  /** Per block, 1 when it was used since the CLOCK hand last passed it. */
  readonly referenced: Uint8Array;

  /**
   * @param fileId The table's file id.
   * @param blockCount The table's number of data blocks.
   */
  constructor(fileId: number, blockCount: number) {
    this.fileId = fileId;
    this.blocks = new Array<Block | undefined>(blockCount).fill(undefined);
    this.referenced = new Uint8Array(blockCount);
  }
}

/** Queue entries left by dropped blocks that trigger a compaction of the queue. */
const STALE_SLACK = 1024;

/** Pooled block buffers come in sizes that are multiples of this. */
const POOL_STEP = 512;

/** The largest block read into a pooled buffer; larger ones get arrays of their own. */
const POOL_MAX = 16 * 1024;

/**
 * Pooled buffers are cut from slabs of this size: one `ArrayBuffer` per block costs V8 and
 * JSC several microseconds to make and to collect. A slab lives while any of its pieces does.
 */
const SLAB_BYTES = 64 * 1024;

/** Bytes of evicted blocks' buffers kept for reuse, at most. */
const POOL_BYTES = 1024 * 1024;

/**
 * A CLOCK cache of data blocks with a byte budget. A block costs its payload's byte length; a
 * block larger than the whole budget is not kept.
 *
 * The cache also lends the buffers that point lookups read blocks into
 * ({@linkcode BlockCache.buffer}): evicting a block marked {@linkcode Block.recyclable} puts its
 * buffer back for the next read, so a steady stream of cold reads allocates (and leaves for the
 * garbage collector) almost nothing. Bytes of such a block, and values viewing them, are valid
 * until the next read through the cache.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Block } from "./block.ts";
 * import { BlockBuilder } from "./block_builder.ts";
 * import { BlockCache } from "./block_cache.ts";
 * const builder = new BlockBuilder();
 * builder.add(new Uint8Array([1]), 1, new Uint8Array(100));
 * const block = Block.decode(builder.finish().slice());
 * const cache = new BlockCache(1 << 20);
 * const table = cache.table(7, 4);
 * assert.equal(cache.get(table, 2), undefined);
 * cache.insert(table, 2, block);
 * assert.equal(cache.get(table, 2), block);
 * assert.deepEqual([cache.hits, cache.misses], [1, 1]);
 * cache.evictFile(7);
 * assert.equal(cache.blockCount, 0);
 * ```
 */
export class BlockCache {
  /** The byte budget. */
  readonly capacity: number;
  #usage = 0;
  #count = 0;
  #hits = 0;
  #misses = 0;
  readonly #files = new Map<number, CachedTable>();
  // The CLOCK queue, oldest first from `#head`: one entry per cached block, plus stale entries
  // of blocks dropped since (an entry is live while its table still holds that very block).
  #tables: (CachedTable | undefined)[] = [];
  #numbers: number[] = [];
  #queued: (Block | undefined)[] = [];
  #head = 0;
  #stale = 0;
  // Buffers of evicted recyclable blocks, by size class (size / POOL_STEP), and the slab new
  // ones are cut from.
  readonly #free: Uint8Array[][] = [];
  #freeBytes = 0;
  #slab = new ArrayBuffer(0);
  #slabUsed = 0;

  /**
   * @param capacityBytes The byte budget; 0 keeps nothing.
   * @throws {KstoneError} `INVALID_ARGUMENT` when the budget is not a non-negative integer.
   */
  constructor(capacityBytes: number) {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 0) {
      throw new KstoneError(
        "INVALID_ARGUMENT",
        `Cannot create block cache: capacity must be a non-negative integer, got ${capacityBytes}`,
      );
    }
    this.capacity = capacityBytes;
  }

  /** Bytes held now. */
  get usage(): number {
    return this.#usage;
  }

  /** Blocks held now. */
  get blockCount(): number {
    return this.#count;
  }

  /** Lookups that found their block. */
  get hits(): number {
    return this.#hits;
  }

  /** Lookups that did not. */
  get misses(): number {
    return this.#misses;
  }

  /**
   * A buffer to read a block of `length` bytes into: a recycled buffer of the right size class
   * when one is free, else a new piece of a slab.
   *
   * @param length The block's length in bytes, its checksum included.
   * @returns `length` bytes (not zeroed: the caller overwrites them).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { BlockCache } from "./block_cache.ts";
   * const cache = new BlockCache(1 << 20);
   * const [a, b] = [cache.buffer(4100), cache.buffer(4100)];
   * assert.equal(a.length, 4100);
   * assert.equal(b.byteOffset - a.byteOffset, 4608);
   * ```
   */
  buffer(length: number): Uint8Array {
    if (length > POOL_MAX) return new Uint8Array(length);
    const size = Math.ceil(length / POOL_STEP);
    const free = this.#free[size];
    if (free !== undefined && free.length > 0) {
      this.#freeBytes -= size * POOL_STEP;
      return free.pop()!.subarray(0, length);
    }
    const bytes = size * POOL_STEP;
    if (this.#slabUsed + bytes > this.#slab.byteLength) {
      this.#slab = new ArrayBuffer(SLAB_BYTES);
      this.#slabUsed = 0;
    }
    const piece = new Uint8Array(this.#slab, this.#slabUsed, length);
    this.#slabUsed += bytes;
    return piece;
  }

  /**
   * The slots of a table, made on first use: a reader calls this once when it opens.
   *
   * @param fileId The table's file id.
   * @param blockCount The table's number of data blocks.
   * @returns The table's slots; those of an earlier table of that id with another block count
   * are dropped.
   */
  table(fileId: number, blockCount: number): CachedTable {
    const known = this.#files.get(fileId);
    if (known !== undefined && known.blocks.length === blockCount) return known;
    if (known !== undefined) this.evictFile(fileId);
    const table = new CachedTable(fileId, blockCount);
    this.#files.set(fileId, table);
    return table;
  }

  /**
   * Looks a block up and marks it used.
   *
   * @param table The table's slots.
   * @param block The block number.
   * @returns The block, or `undefined` (counted as a miss).
   */
  get(table: CachedTable, block: number): Block | undefined {
    const found = table.blocks[block];
    if (found === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    table.referenced[block] = 1;
    return found;
  }

  /**
   * Adds (or replaces) a block, evicting blocks first until it fits the budget.
   *
   * @param table The table's slots.
   * @param block The block number.
   * @param value The decoded block.
   */
  insert(table: CachedTable, block: number, value: Block): void {
    const size = value.byteLength;
    if (size > this.capacity) return;
    const old = table.blocks[block];
    if (old === value) return;
    if (old !== undefined) this.#drop(table, block, old);
    while (this.#usage + size > this.capacity) this.#evictOne();
    table.blocks[block] = value;
    table.referenced[block] = 0;
    this.#push(table, block, value);
    this.#usage += size;
    this.#count++;
  }

  /**
   * Drops every block of one table, e.g. once the file is deleted after a compaction.
   *
   * @param fileId The table's file id.
   */
  evictFile(fileId: number): void {
    const table = this.#files.get(fileId);
    if (table !== undefined) this.evictTable(table);
  }

  /**
   * Drops every block of one table's slots, and forgets the slots; a reader calls this when it
   * closes (its slots may have been forgotten already by {@linkcode evictFile}).
   *
   * @param table The table's slots.
   */
  evictTable(table: CachedTable): void {
    if (this.#files.get(table.fileId) === table) this.#files.delete(table.fileId);
    const blocks = table.blocks;
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i];
      if (block !== undefined) this.#drop(table, i, block);
    }
    if (this.#stale > this.#count + STALE_SLACK) this.#compact();
  }

  /** Drops every block and resets the counters. */
  clear(): void {
    for (let i = this.#head; i < this.#tables.length; i++) {
      const table = this.#tables[i]!;
      const n = this.#numbers[i]!;
      if (table.blocks[n] === this.#queued[i]) table.blocks[n] = undefined;
    }
    this.#files.clear();
    this.#tables = [];
    this.#numbers = [];
    this.#queued = [];
    this.#head =
      this.#stale =
      this.#usage =
      this.#count =
      this.#hits =
      this.#misses =
        0;
  }

  /**
   * Drops every block, as {@linkcode clear} does, and frees the memory of the blocks and of the
   * pooled buffers now (see `buffer_release.ts`), so the next database's cache reuses it rather
   * than grow the process beside the dead one. Only once nothing will read a cached block again:
   * a database calls it as it closes, when no snapshot is open.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Block } from "./block.ts";
   * import { BlockBuilder } from "./block_builder.ts";
   * import { BlockCache } from "./block_cache.ts";
   * const builder = new BlockBuilder();
   * builder.add(new Uint8Array([1]), 1, new Uint8Array(100));
   * const block = Block.decode(builder.finish().slice());
   * const cache = new BlockCache(1 << 20);
   * cache.insert(cache.table(7, 1), 0, block);
   * cache.release();
   * assert.equal(cache.blockCount, 0);
   * assert.equal(block.data.length, 0);
   * ```
   */
  release(): void {
    const buffers = new Set<ArrayBufferLike>([this.#slab]);
    for (let i = this.#head; i < this.#queued.length; i++) {
      const block = this.#queued[i];
      if (block !== undefined) buffers.add(block.data.buffer);
    }
    for (const pooled of this.#free) for (const piece of pooled ?? []) buffers.add(piece.buffer);
    this.clear();
    this.#free.length = 0;
    this.#freeBytes = 0;
    this.#slab = new ArrayBuffer(0);
    this.#slabUsed = 0;
    for (const buffer of buffers) releaseBuffer(buffer);
  }

  /** Removes a cached block whose queue entry stays behind, stale. */
  #drop(table: CachedTable, block: number, value: Block): void {
    this.#release(table, block, value);
    this.#stale++;
  }

  /** Takes a block out of its table and the cache's accounting, recycling its buffer. */
  #release(table: CachedTable, block: number, value: Block): void {
    table.blocks[block] = undefined;
    this.#usage -= value.byteLength;
    this.#count--;
    if (value.recyclable) this.#recycle(value.data);
  }

  #push(table: CachedTable, block: number, value: Block): void {
    this.#tables.push(table);
    this.#numbers.push(block);
    this.#queued.push(value);
  }

  /** Advances the hand until one block is evicted (the budget is over, so one is cached). */
  #evictOne(): void {
    const tables = this.#tables;
    const numbers = this.#numbers;
    const queued = this.#queued;
    while (true) {
      const at = this.#head++;
      const table = tables[at]!;
      const n = numbers[at]!;
      const value = queued[at]!;
      tables[at] = queued[at] = undefined;
      if (table.blocks[n] !== value) {
        this.#stale--;
      } else if (table.referenced[n] !== 0) {
        table.referenced[n] = 0;
        this.#push(table, n, value);
      } else {
        this.#release(table, n, value);
        break;
      }
    }
    if (this.#head > STALE_SLACK && this.#head * 2 > tables.length) this.#compact();
  }

  /** Keeps the buffer of an evicted block (`data`, its payload) for {@linkcode buffer}. */
  #recycle(data: Uint8Array): void {
    const size = Math.ceil((data.byteLength + CHECKSUM_SIZE) / POOL_STEP);
    const bytes = size * POOL_STEP;
    if (bytes > POOL_MAX || this.#freeBytes + bytes > POOL_BYTES) return;
    this.#freeBytes += bytes;
    (this.#free[size] ??= []).push(new Uint8Array(data.buffer, data.byteOffset, bytes));
  }

  /** Rewrites the queue without its consumed and stale entries. */
  #compact(): void {
    const tables: (CachedTable | undefined)[] = [];
    const numbers: number[] = [];
    const queued: (Block | undefined)[] = [];
    for (let i = this.#head; i < this.#tables.length; i++) {
      const table = this.#tables[i]!;
      const n = this.#numbers[i]!;
      const value = this.#queued[i]!;
      if (table.blocks[n] !== value) continue;
      tables.push(table);
      numbers.push(n);
      queued.push(value);
    }
    this.#tables = tables;
    this.#numbers = numbers;
    this.#queued = queued;
    this.#head = 0;
    this.#stale = 0;
  }
}
