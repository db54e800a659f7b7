/**
 * The in-memory table of one stripe: the newest writes, not yet in an SST.
 *
 * Keys are latin1 strings of the encoded key bytes (see `bytesToLatin1`), so a `Map` serves point
 * lookups and `<` on the strings gives the byte order of the keys. Sorted iteration keeps a
 * sorted array of keys plus a small unsorted tail of keys added since, merged on demand.
 *
 * Each key holds a chain of versions. A new version keeps the one it replaces only while an open
 * snapshot may still need it (`retainSeq`), so snapshot reads stay exact without copying.
 *
 * Values are copied into chunks the memtable owns (an arena), so it holds no view into a caller's
 * buffer: a value encoded in a slab shared with other stripes' values, or a WAL read buffer at
 * recovery, would otherwise keep that whole buffer alive until every stripe holding a piece of it
 * was flushed. The arena dies with the memtable; a replaced value's bytes stay counted until then
 * (values over 16 KiB get arrays of their own, freed and uncounted when replaced).
 *
 * @module
 */

/** One version of a key. `value === null` is a tombstone. */
export interface MemEntry {
  /** The LSN of the write. */
  readonly seq: number;
  /** The encoded item, or `null` for a delete. */
  readonly value: Uint8Array | null;
  /** The version this one replaced, kept for open snapshots. */
  older: MemEntry | undefined;
}

/** Estimated bytes of bookkeeping per entry, counted in {@linkcode Memtable.bytes}. */
export const ENTRY_OVERHEAD = 160;

/** The first arena chunk; each next one doubles, up to {@linkcode MAX_CHUNK}. */
const FIRST_CHUNK = 4096;
/** The largest arena chunk; larger values get an array of their own. */
const MAX_CHUNK = 64 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * A sorted in-memory table with versioned entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Memtable } from "./memtable.ts";
 * const table = new Memtable();
 * table.put("b", 1, new Uint8Array([2]), Infinity);
 * table.put("a", 2, null, Infinity);
 * assert.deepEqual([...table.keys()], ["a", "b"]);
 * assert.equal(table.get("a")?.value, null);
 * ```
 */
export class Memtable {
  #map = new Map<string, MemEntry>();
  #sorted: string[] = [];
  #unsorted: string[] = [];
  #bytes = 0;
  #chunk = EMPTY;
  #chunkUsed = 0;
  #minSeq = Infinity;
  #maxSeq = 0;

  /** Number of distinct keys. */
  get size(): number {
    return this.#map.size;
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
   * @param seq The write's LSN; larger than every earlier version of the key.
   * @param value The encoded item, or `null` for a delete; copied.
   * @param retainSeq The oldest open snapshot's LSN, `Infinity` when none is open: while one is,
   *   replaced versions are kept so the snapshot can still read them.
   */
  put(key: string, seq: number, value: Uint8Array | null, retainSeq: number): void {
    const previous = this.#map.get(key);
    const keep = previous !== undefined && retainSeq !== Infinity;
    if (previous === undefined) {
      this.#unsorted.push(key);
      this.#bytes += key.length + ENTRY_OVERHEAD;
    } else if (!keep) {
      for (let old: MemEntry | undefined = previous; old !== undefined; old = old.older) {
        // A value in the arena stays until the memtable goes; one of its own is freed now.
        const own = old.value !== null && old.value.length > MAX_CHUNK / 4;
        this.#bytes -= VERSION_OVERHEAD + (own ? old.value!.length : 0);
      }
    }
    const entry: MemEntry = {
      seq,
      value: value === null ? null : this.#copy(value),
      older: keep ? previous : undefined,
    };
    this.#bytes += VERSION_OVERHEAD + (value === null ? 0 : value.length);
    this.#map.set(key, entry);
    if (seq < this.#minSeq) this.#minSeq = seq;
    if (seq > this.#maxSeq) this.#maxSeq = seq;
  }

  /** Copies a value into the arena (or, past the largest chunk, into an array of its own). */
  #copy(value: Uint8Array): Uint8Array {
    const length = value.length;
    if (length > MAX_CHUNK / 4) return value.slice();
    if (this.#chunkUsed + length > this.#chunk.length) {
      const grown = Math.max(FIRST_CHUNK, 2 * this.#chunk.length, length);
      this.#chunk = new Uint8Array(Math.min(MAX_CHUNK, grown));
      this.#chunkUsed = 0;
    }
    const start = this.#chunkUsed;
    this.#chunkUsed = start + length;
    const copy = this.#chunk.subarray(start, start + length);
    copy.set(value);
    return copy;
  }

  /**
   * Reads the newest version of a key visible at `seq`.
   *
   * @param key The encoded key as a latin1 string.
   * @param seq The snapshot LSN. @default Infinity
   * @returns The version, or `undefined` when the key has none at or below `seq`.
   */
  get(key: string, seq = Infinity): MemEntry | undefined {
    let entry = this.#map.get(key);
    while (entry !== undefined && entry.seq > seq) entry = entry.older;
    return entry;
  }

  /**
   * The keys in ascending order within `[start, end)`.
   *
   * @param start The first key to include. @default ""
   * @param end The first key to exclude; `undefined` for no bound.
   * @returns The sorted keys (a fresh array, safe to hold across writes).
   */
  keys(start = "", end?: string): string[] {
    const sorted = this.#sortedKeys();
    let lo = lowerBound(sorted, start);
    const hi = end === undefined ? sorted.length : lowerBound(sorted, end);
    if (lo > hi) lo = hi;
    return sorted.slice(lo, hi);
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

/** Estimated bytes of one version's bookkeeping (its value is counted apart). */
const VERSION_OVERHEAD = 32;

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
