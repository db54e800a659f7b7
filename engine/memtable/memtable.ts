/**
 * The in-memory table of one stripe: the newest writes, not yet in an SST.
 *
 * A write appends a version to a log held in parallel arrays (key, LSN, where its value lies),
 * so it allocates no object of its own. Keys are latin1 strings of the encoded key bytes (see
 * `bytesToLatin1`), so `<` on them gives the byte order of the keys.
 *
 * Reads need an index: a hash table (open addressing over typed arrays) from each key to its
 * newest version, each version linking to the one before it. A key's hash is its first bloom hash
 * (`BloomKey`), so a point read hashes its key bytes once for the memtables and the SSTs' bloom
 * filters, and finds a version without making the key's string. The index is brought up to date
 * on the first read after writes; a flush of a memtable nothing read (a bulk load) sorts the log
 * itself instead and never builds it. Sorted iteration keeps a sorted array of the distinct keys
 * plus a small unsorted tail of keys found since, merged on demand.
 *
 * Every version stays until the memtable is dropped, so a snapshot reads exactly what was
 * current at its LSN; {@linkcode Memtable.bytes} counts them all, and the memory budget flushes
 * a memtable that overwrites grow. Once flushed and read by no snapshot, a memtable is
 * {@linkcode Memtable.release}d: its memory goes back at once, not at the next full collection.
 *
 * Values are copied into chunks the memtable owns (an arena), so it holds no view into a caller's
 * buffer: a value encoded in a slab shared with other stripes' values, or a WAL read buffer at
 * recovery, would otherwise keep that whole buffer alive until every stripe holding a piece of it
 * was flushed. Values over 4 KiB get arrays of their own.
 *
 * @module
 */
import { releaseBuffer } from "../buffer_release.ts";
import { KstoneError } from "../errors.ts";
import { murmur3Latin1 } from "../sstable/bloom.ts";
import { BLOOM_SEED_1 } from "../sstable/format.ts";

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

/** Slots of an index at first; it doubles when half full. */
const FIRST_SLOTS = 64;

/** The hash the index files `key` (a latin1 key string) under: `BloomKey.first` of its bytes. */
function hashText(key: string): number {
  return murmur3Latin1(key, BLOOM_SEED_1) | 0;
}

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
  // The index of versions [0, #indexed): per slot, the newest version of a key plus one (0: an
  // empty slot) and the key's hash; each version links to the one before.
  #slots = new Int32Array(FIRST_SLOTS);
  #slotHashes = new Int32Array(FIRST_SLOTS);
  #distinct = 0;
  #older = new Int32Array(FIRST_CAPACITY);
  #indexed = 0;
  #sorted: string[] = [];
  #unsorted: string[] = [];
  // The smallest and largest of keys [0, #bounded).
  #lowest = "";
  #highest = "";
  #bounded = 0;
  // The arena.
  #chunks: Uint8Array[] = [EMPTY];
  #chunk = EMPTY;
  #chunkIndex = 0;
  #chunkUsed = 0;
  #bytes = 0;
  #minSeq = Infinity;
  #maxSeq = 0;
  #released = false;

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
    if (this.#released) throw releasedError();
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
      releaseBuffer(column.buffer);
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
    if (this.#released) throw releasedError();
    const keys = this.#keys;
    for (let i = this.#indexed; i < this.#count; i++) {
      if (2 * (this.#distinct + 1) > this.#slots.length) this.#rehash();
      const key = keys[i]!;
      const hash = hashText(key);
      const slots = this.#slots;
      const hashes = this.#slotHashes;
      const mask = slots.length - 1;
      let at = hash & mask;
      while (true) {
        const version = slots[at]! - 1;
        if (version === NONE) {
          this.#older[i] = NONE;
          this.#unsorted.push(key);
          this.#distinct++;
          break;
        }
        if (hashes[at] === hash && keys[version] === key) {
          this.#older[i] = version;
          break;
        }
        at = (at + 1) & mask;
      }
      slots[at] = i + 1;
      hashes[at] = hash;
    }
    this.#indexed = this.#count;
  }

  /** Doubles the index's slots. */
  #rehash(): void {
    const oldSlots = this.#slots;
    const oldHashes = this.#slotHashes;
    const slots = new Int32Array(2 * oldSlots.length);
    const hashes = new Int32Array(slots.length);
    const mask = slots.length - 1;
    for (let from = 0; from < oldSlots.length; from++) {
      if (oldSlots[from] === 0) continue;
      const hash = oldHashes[from]!;
      let at = hash & mask;
      while (slots[at] !== 0) at = (at + 1) & mask;
      slots[at] = oldSlots[from]!;
      hashes[at] = hash;
    }
    releaseBuffer(oldSlots.buffer);
    releaseBuffer(oldHashes.buffer);
    this.#slots = slots;
    this.#slotHashes = hashes;
  }

  /** The newest indexed version of the key string `key`, or NONE. */
  #newestOfText(key: string): number {
    const hash = hashText(key);
    const slots = this.#slots;
    const hashes = this.#slotHashes;
    const mask = slots.length - 1;
    for (let at = hash & mask;; at = (at + 1) & mask) {
      const version = slots[at]! - 1;
      if (version === NONE || (hashes[at] === hash && this.#keys[version] === key)) return version;
    }
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
    const i = this.#visible(this.#newestOfText(key), seq);
    return i === NONE ? undefined : { seq: this.#seqs[i]!, value: this.#valueOf(i) };
  }

  /**
   * Reads the value of the newest version of a key visible at `seq`, by the key's bytes: what
   * {@linkcode get} reads for the key's latin1 string, without making the string.
   *
   * @param key The encoded key.
   * @param hash The key's first bloom hash (`BloomKey.first`).
   * @param seq The snapshot LSN.
   * @returns The value (a view into the memtable), `null` for a delete, or `undefined` when the
   *   key has no version at or below `seq`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { BloomKey } from "../sstable/bloom.ts";
   * import { Memtable } from "./memtable.ts";
   * const table = new Memtable();
   * table.put("ab", 1, new Uint8Array([7]));
   * table.put("ab", 2, null);
   * const key = new Uint8Array([97, 98]);
   * const hash = new BloomKey().hash(key).first;
   * assert.equal(table.getValue(key, hash, Infinity), null);
   * assert.deepEqual(table.getValue(key, hash, 1), new Uint8Array([7]));
   * assert.equal(table.getValue(key, hash, 0), undefined);
   * ```
   */
  getValue(key: Uint8Array, hash: number, seq: number): Uint8Array | null | undefined {
    if (this.#indexed !== this.#count) this.#catchUp();
    hash |= 0;
    const slots = this.#slots;
    const hashes = this.#slotHashes;
    const keys = this.#keys;
    const length = key.length;
    const mask = slots.length - 1;
    let i = NONE;
    for (let at = hash & mask;; at = (at + 1) & mask) {
      const version = slots[at]! - 1;
      if (version === NONE) return undefined;
      if (hashes[at] !== hash) continue;
      const text = keys[version]!;
      if (text.length !== length) continue;
      let k = 0;
      while (k < length && text.charCodeAt(k) === key[k]) k++;
      if (k === length) {
        i = version;
        break;
      }
    }
    i = this.#visible(i, seq);
    return i === NONE ? undefined : this.#valueOf(i);
  }

  /** The newest of version `i` and the older versions of its key at or below `seq`, or NONE. */
  #visible(i: number, seq: number): number {
    while (i !== NONE && this.#seqs[i]! > seq) i = this.#older[i]!;
    return i;
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
    if (this.#released) throw releasedError();
    if (this.#count === 0 || this.#outside(start, end)) return [];
    if (this.#indexed !== this.#count) this.#catchUp();
    const sorted = this.#sortedKeys();
    let lo = lowerBound(sorted, start);
    const hi = end === undefined ? sorted.length : lowerBound(sorted, end);
    if (lo > hi) lo = hi;
    return sorted.slice(lo, hi);
  }

  /**
   * Whether no key lies in `[start, end)`, from the smallest and largest key written (kept up
   * to date here rather than on each write). A range outside them (opening a database reads
   * the catalog's range in every stripe) then neither builds the index nor sorts the keys.
   */
  #outside(start: string, end: string | undefined): boolean {
    const keys = this.#keys;
    let lowest = this.#lowest, highest = this.#highest;
    for (let i = this.#bounded; i < this.#count; i++) {
      const key = keys[i]!;
      if (i === 0 || key < lowest) lowest = key;
      if (i === 0 || key > highest) highest = key;
    }
    this.#lowest = lowest;
    this.#highest = highest;
    this.#bounded = this.#count;
    return highest < start || (end !== undefined && lowest >= end);
  }

  /**
   * Calls `visit` with the newest version of every key, in ascending key order: what a flush
   * writes. Unlike {@linkcode keys} then {@linkcode get} per key, it makes no entry object.
   *
   * @param visit Takes the key, the version's LSN and its value, or `null` for a delete. The
   *   value is a view into the memtable: copy it to keep it.
   */
  forEachNewest(visit: (key: string, seq: number, value: Uint8Array | null) => void): void {
    if (this.#released) throw releasedError();
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
    for (let k = 0; k < sorted.length; k++) {
      const key = sorted[k]!;
      const i = this.#newestOfText(key);
      visit(key, this.#seqs[i]!, this.#valueOf(i));
    }
  }

  /**
   * Frees the memtable's memory now (its arena and typed columns; see `buffer_release.ts`), so
   * the memtables written next reuse it rather than grow the process beside it. Only for a
   * memtable nothing will read again: flushed, and held by no snapshot. Any later use throws.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Memtable } from "./memtable.ts";
   * const table = new Memtable();
   * table.put("a", 1, new Uint8Array(100));
   * table.release();
   * assert.throws(() => table.get("a"), /released/);
   * ```
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    // Reads check #indexed against #count first: the mismatch sends them to #catchUp, which
    // throws, so the hot paths need no check of their own.
    this.#indexed = -1;
    for (const chunk of this.#chunks) releaseBuffer(chunk.buffer);
    for (
      const column of [
        this.#chunkOf,
        this.#offsets,
        this.#lengths,
        this.#older,
        this.#slots,
        this.#slotHashes,
      ]
    ) releaseBuffer(column.buffer);
    this.#chunks = [];
    this.#chunk = EMPTY;
    this.#keys = [];
    this.#sorted = [];
    this.#unsorted = [];
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

function releasedError(): KstoneError {
  return new KstoneError("CLOSED", "Memtable was released after its flush");
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
