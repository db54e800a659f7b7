/**
 * The in-memory table of one stripe: the newest writes, not yet in an SST.
 *
 * A write appends a version to a log held in parallel arrays (key, LSN, where its value lies),
 * so it allocates no object of its own. Keys are latin1 strings of the encoded key bytes (see
 * `bytesToLatin1`), so `<` on them gives the byte order of the keys.
 *
 * Reads need an index: a `Map` from each key to its newest version, each version linking to the
 * one before it. The index is brought up to date on the first read after writes; a flush of a
 * memtable nothing read (a bulk load) sorts the log itself instead and never builds it. Sorted
 * iteration keeps a sorted array of the distinct keys plus a small unsorted tail of keys found
 * since, merged on demand.
 *
 * Every version stays until the memtable is dropped, so a snapshot reads exactly what was
 * current at its LSN; {@linkcode Memtable.bytes} counts them all, and the memory budget flushes
 * a memtable that overwrites grow.
 *
 * Values are copied into chunks the memtable owns (an arena), so it holds no view into a caller's
 * buffer: a value encoded in a slab shared with other stripes' values, or a WAL read buffer at
 * recovery, would otherwise keep that whole buffer alive until every stripe holding a piece of it
 * was flushed. Values over 4 KiB get arrays of their own.
 *
 * @module
 */

/** One version of a key. `value === null` is a tombstone. */
export interface MemEntry {
  /** The LSN of the write. */
  readonly seq: number;
  /** The encoded item, or `null` for a delete. */
  readonly value: Uint8Array | null;
}

/**
 * Estimated bytes of bookkeeping per version (its key and value are counted apart), counted in
 * {@linkcode Memtable.bytes}: the key string's header, five array slots, and an index entry.
 */
export const VERSION_OVERHEAD = 96;

/** The first arena chunk; each next one doubles, up to {@linkcode MAX_CHUNK}. */
const FIRST_CHUNK = 4096;
/**
 * The largest arena chunk. Small, as every stripe has a memtable: the room left in each one's
 * last chunk is memory the budget does not see (with 64 KiB chunks, up to 11 MiB over 256
 * stripes).
 */
const MAX_CHUNK = 16 * 1024;
/** Versions the log has room for at first; it doubles as needed. */
const FIRST_CAPACITY = 64;
const EMPTY = new Uint8Array(0);
/** Marks a deleted version in the length column, and "no older version" in the link column. */
const NONE = -1;

/**
 * A sorted in-memory table with versioned entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Memtable } from "./memtable.ts";
 * const table = new Memtable();
 * table.put("b", 1, new Uint8Array([2]));
 * table.put("a", 2, null);
 * table.put("b", 3, new Uint8Array([4]));
 * assert.deepEqual([...table.keys()], ["a", "b"]);
 * assert.equal(table.get("a")?.value, null);
 * assert.deepEqual(table.get("b", 2)?.value, new Uint8Array([2]));
 * assert.equal(table.size, 3);
 * ```
 */
export class Memtable {
  // The log: version i is #keys[i] at LSN #seqs[i], its value #chunks[#chunkOf[i]] from
  // #offsets[i] for #lengths[i] bytes (NONE: a delete).
  #keys: string[] = [];
  #seqs: number[] = [];
  #chunkOf = new Int32Array(FIRST_CAPACITY);
  #offsets = new Int32Array(FIRST_CAPACITY);
  #lengths = new Int32Array(FIRST_CAPACITY);
  #count = 0;
  // The index of versions [0, #indexed): newest version per key, each linking to the one before.
  #index = new Map<string, number>();
  #older = new Int32Array(FIRST_CAPACITY);
  #indexed = 0;
  #sorted: string[] = [];
  #unsorted: string[] = [];
  // The arena.
  #chunks: Uint8Array[] = [EMPTY];
  #chunk = EMPTY;
  #chunkIndex = 0;
  #chunkUsed = 0;
  #bytes = 0;
  #minSeq = Infinity;
  #maxSeq = 0;

  /** Number of versions held (a key written twice counts twice). */
  get size(): number {
    return this.#count;
  }

  /** Estimated memory held, in bytes (keys, values and bookkeeping). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The smallest LSN written here, or `Infinity` when empty. */
  get minSeq(): number {
    return this.#minSeq;
  }

  /** The largest LSN written here, or 0 when empty. */
  get maxSeq(): number {
    return this.#maxSeq;
  }

  /**
   * Writes a version of a key.
   *
   * @param key The encoded key as a latin1 string.
   * @param seq The write's LSN; at least that of every earlier version of the key (a batch may
   *   write a key twice at one LSN: the later write wins).
   * @param value The encoded item, or `null` for a delete; copied.
   */
  put(key: string, seq: number, value: Uint8Array | null): void {
    const i = this.#count;
    if (i === this.#lengths.length) this.#grow();
    this.#keys.push(key);
    this.#seqs.push(seq);
    if (value === null) {
      this.#lengths[i] = NONE;
      this.#bytes += key.length + VERSION_OVERHEAD;
    } else {
      this.#store(i, value);
      this.#bytes += key.length + VERSION_OVERHEAD + value.length;
    }
    this.#count = i + 1;
    if (seq < this.#minSeq) this.#minSeq = seq;
    if (seq > this.#maxSeq) this.#maxSeq = seq;
  }

  /** Doubles the room of the log's typed columns. */
  #grow(): void {
    const capacity = 2 * this.#lengths.length;
    const grown = (column: Int32Array) => {
      const larger = new Int32Array(capacity);
      larger.set(column);
      return larger;
    };
    this.#chunkOf = grown(this.#chunkOf);
    this.#offsets = grown(this.#offsets);
    this.#lengths = grown(this.#lengths);
    this.#older = grown(this.#older);
  }

  /** Copies version `i`'s value into the arena (or, past 4 KiB, into an array of its own). */
  #store(i: number, value: Uint8Array): void {
    const length = value.length;
    this.#lengths[i] = length;
    if (length > MAX_CHUNK / 4) {
      this.#chunkOf[i] = this.#chunks.length;
      this.#offsets[i] = 0;
      this.#chunks.push(value.slice());
      return;
    }
    if (this.#chunkUsed + length > this.#chunk.length) {
      const grown = Math.max(FIRST_CHUNK, 2 * this.#chunk.length, length);
      this.#chunk = new Uint8Array(Math.min(MAX_CHUNK, grown));
      this.#chunkIndex = this.#chunks.push(this.#chunk) - 1;
      this.#chunkUsed = 0;
    }
    this.#chunkOf[i] = this.#chunkIndex;
    this.#offsets[i] = this.#chunkUsed;
    this.#chunk.set(value, this.#chunkUsed);
    this.#chunkUsed += length;
  }

  /** Adds the versions written since the last read to the index. */
  #catchUp(): void {
    const keys = this.#keys;
    for (let i = this.#indexed; i < this.#count; i++) {
      const key = keys[i]!;
      const previous = this.#index.get(key);
      if (previous === undefined) {
        this.#older[i] = NONE;
        this.#unsorted.push(key);
      } else this.#older[i] = previous;
      this.#index.set(key, i);
    }
    this.#indexed = this.#count;
  }

  /**
   * Reads the newest version of a key visible at `seq`.
   *
   * @param key The encoded key as a latin1 string.
   * @param seq The snapshot LSN. @default Infinity
   * @returns The version, or `undefined` when the key has none at or below `seq`.
   */
  get(key: string, seq = Infinity): MemEntry | undefined {
    if (this.#indexed !== this.#count) this.#catchUp();
    let i = this.#index.get(key);
    if (i === undefined) return undefined;
    while (this.#seqs[i]! > seq) {
      i = this.#older[i]!;
      if (i === NONE) return undefined;
    }
    return { seq: this.#seqs[i]!, value: this.#valueOf(i) };
  }

  /** Version `i`'s value: a view into the arena, or `null` for a delete. */
  #valueOf(i: number): Uint8Array | null {
    const length = this.#lengths[i]!;
    if (length === NONE) return null;
    const offset = this.#offsets[i]!;
    return this.#chunks[this.#chunkOf[i]!]!.subarray(offset, offset + length);
  }

  /**
   * The keys in ascending order within `[start, end)`.
   *
   * @param start The first key to include. @default ""
   * @param end The first key to exclude; `undefined` for no bound.
   * @returns The sorted keys (a fresh array, safe to hold across writes).
   */
  keys(start = "", end?: string): string[] {
    if (this.#indexed !== this.#count) this.#catchUp();
    const sorted = this.#sortedKeys();
    let lo = lowerBound(sorted, start);
    const hi = end === undefined ? sorted.length : lowerBound(sorted, end);
    if (lo > hi) lo = hi;
    return sorted.slice(lo, hi);
  }

  /**
   * Calls `visit` with the newest version of every key, in ascending key order: what a flush
   * writes. Unlike {@linkcode keys} then {@linkcode get} per key, it makes no entry object.
   *
   * @param visit Takes the key, the version's LSN and its value, or `null` for a delete. The
   *   value is a view into the memtable: copy it to keep it.
   */
  forEachNewest(visit: (key: string, seq: number, value: Uint8Array | null) => void): void {
    if (this.#indexed === 0) {
      // Never read (a load): sort the versions themselves, newest first among equal keys,
      // rather than build the index only to drop it.
      const keys = this.#keys;
      const order = new Array<number>(this.#count);
      for (let i = 0; i < order.length; i++) order[i] = i;
      order.sort((a, b) => {
        const x = keys[a]!, y = keys[b]!;
        return x < y ? -1 : x > y ? 1 : b - a;
      });
      let previous: string | undefined;
      for (let k = 0; k < order.length; k++) {
        const i = order[k]!;
        const key = keys[i]!;
        if (key === previous) continue;
        previous = key;
        visit(key, this.#seqs[i]!, this.#valueOf(i));
      }
      return;
    }
    if (this.#indexed !== this.#count) this.#catchUp();
    const sorted = this.#sortedKeys();
    const index = this.#index;
    for (let k = 0; k < sorted.length; k++) {
      const key = sorted[k]!;
      const i = index.get(key)!;
      visit(key, this.#seqs[i]!, this.#valueOf(i));
    }
  }

  #sortedKeys(): string[] {
    if (this.#unsorted.length === 0) return this.#sorted;
    const tail = this.#unsorted.sort();
    this.#unsorted = [];
    if (this.#sorted.length === 0) {
      this.#sorted = tail;
      return tail;
    }
    const a = this.#sorted;
    if (tail[0]! > a[a.length - 1]!) {
      // Keys written in ascending order (a stream's records, a sequential load) only append.
      for (const key of tail) a.push(key);
      return a;
    }
    const merged: string[] = new Array(a.length + tail.length);
    let i = 0, j = 0, k = 0;
    while (i < a.length && j < tail.length) merged[k++] = a[i]! < tail[j]! ? a[i++]! : tail[j++]!;
    while (i < a.length) merged[k++] = a[i++]!;
    while (j < tail.length) merged[k++] = tail[j++]!;
    this.#sorted = merged;
    return merged;
  }
}

/** The index of the first element of `sorted` that is `>= key`. */
export function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
