/**
 * The block cache: decoded data blocks of every open SST, keyed by (file id, block offset), kept
 * in least-recently-used order under a byte budget. One cache is shared by all the table
 * readers of a database.
 *
 * @module
 */
import { KstoneError } from "../errors.ts";
import type { Block } from "./block.ts";

interface Node {
  readonly fileId: number;
  readonly offset: number;
  readonly block: Block;
  prev: Node | null;
  next: Node | null;
}

/**
 * An LRU cache of data blocks with a byte budget. A block costs its payload's byte length; a
 * block larger than the whole budget is not kept.
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
 * assert.equal(cache.get(7, 12), undefined);
 * cache.insert(7, 12, block);
 * assert.equal(cache.get(7, 12), block);
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
  readonly #files = new Map<number, Map<number, Node>>();
  /** Most recently used. */
  #head: Node | null = null;
  /** Least recently used, the next to go. */
  #tail: Node | null = null;

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
   * Looks a block up and marks it most recently used.
   *
   * @param fileId The table's file id.
   * @param offset The block's offset in the file.
   * @returns The block, or `undefined` (counted as a miss).
   */
  get(fileId: number, offset: number): Block | undefined {
    const node = this.#files.get(fileId)?.get(offset);
    if (node === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    if (node !== this.#head) {
      this.#unlink(node);
      this.#pushFront(node);
    }
    return node.block;
  }

  /**
   * Adds (or replaces) a block, then evicts least recently used blocks until the budget holds.
   *
   * @param fileId The table's file id.
   * @param offset The block's offset in the file.
   * @param block The decoded block.
   */
  insert(fileId: number, offset: number, block: Block): void {
    if (block.byteLength > this.capacity) return;
    const old = this.#files.get(fileId)?.get(offset);
    if (old !== undefined) this.#remove(old, this.#files.get(fileId)!);
    let blocks = this.#files.get(fileId);
    if (blocks === undefined) {
      blocks = new Map();
      this.#files.set(fileId, blocks);
    }
    const node: Node = { fileId, offset, block, prev: null, next: null };
    blocks.set(offset, node);
    this.#pushFront(node);
    this.#usage += block.byteLength;
    this.#count++;
    while (this.#usage > this.capacity && this.#tail !== null) {
      const victim = this.#tail;
      this.#remove(victim, this.#files.get(victim.fileId)!);
    }
  }

  /**
   * Drops every block of one table, e.g. once the file is deleted after a compaction.
   *
   * @param fileId The table's file id.
   */
  evictFile(fileId: number): void {
    const blocks = this.#files.get(fileId);
    if (blocks === undefined) return;
    for (const node of blocks.values()) {
      this.#unlink(node);
      this.#usage -= node.block.byteLength;
      this.#count--;
    }
    this.#files.delete(fileId);
  }

  /** Drops every block and resets the counters. */
  clear(): void {
    this.#files.clear();
    this.#head = this.#tail = null;
    this.#usage =
      this.#count =
      this.#hits =
      this.#misses =
        0;
  }

  #remove(node: Node, blocks: Map<number, Node>): void {
    this.#unlink(node);
    blocks.delete(node.offset);
    if (blocks.size === 0) this.#files.delete(node.fileId);
    this.#usage -= node.block.byteLength;
    this.#count--;
  }

  #unlink(node: Node): void {
    if (node.prev === null) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.#tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = null;
  }

  #pushFront(node: Node): void {
    node.next = this.#head;
    if (this.#head !== null) this.#head.prev = node;
    this.#head = node;
    if (this.#tail === null) this.#tail = node;
  }
}
