/**
 * One of the 256 stripes: its memtable, the memtables being flushed, and its SSTs, with the read
 * paths that merge them (newest version wins, a tombstone hides older ones).
 *
 * @module
 */
import { bytesToLatin1, compareBytes } from "../codec/bytes.ts";
import { Memtable } from "../memtable/memtable.ts";
import { BloomKey } from "../sstable/bloom.ts";
import type { EntriesOptions, TableReader } from "../sstable/table_reader.ts";

/** A live SST of a stripe. */
export interface TableRef {
  /** The file id. */
  readonly id: number;
  /** The file size in bytes. */
  readonly size: number;
  /** The open reader. */
  readonly reader: TableReader;
}

/** What a reader sees of a stripe: its sources, newest first, frozen at one moment. */
export interface StripeView {
  /** The active memtable, then the ones being flushed, newest first. */
  readonly memtables: readonly Memtable[];
  /** The SSTs, newest first. */
  readonly tables: readonly TableRef[];
}

/** One live key and its encoded item, as range reads return them. */
export interface RangeEntry {
  /** The encoded key as a latin1 string (see `bytesToLatin1`). */
  readonly key: string;
  /** The encoded item. */
  readonly value: Uint8Array;
}

/** Bounds and direction of a range read. */
export interface RangeOptions {
  /** First key to include. */
  start?: Uint8Array | undefined;
  /** First key to exclude. */
  end?: Uint8Array | undefined;
  /** Descending order. @default false */
  reverse?: boolean | undefined;
}

/**
 * The mutable state of one stripe.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Stripe } from "./stripe.ts";
 * const stripe = new Stripe();
 * stripe.memtable.put("k", 1, new Uint8Array([7]));
 * assert.deepEqual(stripe.get(new Uint8Array([107]), Infinity), new Uint8Array([7]));
 * ```
 */
export class Stripe {
  /** Takes new writes. */
  memtable: Memtable = new Memtable();
  /** Memtables being flushed, newest first. */
  immutables: Memtable[] = [];
  /** SSTs, newest first. */
  tables: TableRef[] = [];
  /** Whether a compaction of this stripe is running. */
  compacting = false;

  /** The current sources, for a snapshot. */
  view(): StripeView {
    return { memtables: [this.memtable, ...this.immutables], tables: this.tables };
  }

  /**
   * Reads the newest version of a key visible at `seq`.
   *
   * @param key The encoded key.
   * @param seq The snapshot LSN (`Infinity` for the latest).
   * @returns The encoded item, `null` when the newest version is a delete, `undefined` when the
   *   key was never written (or only in versions newer than `seq`). Bytes from an SST are valid
   *   until the next read (see `TableReader.get`).
   */
  get(key: Uint8Array, seq: number): Uint8Array | null | undefined {
    const hashes = LOOKUP_HASHES.hash(key);
    const memtable = this.memtable;
    if (memtable.size !== 0) {
      const fresh = memtable.getValue(key, hashes.first, seq);
      if (fresh !== undefined) return fresh;
    }
    return lookupHashed(this.immutables, this.tables, key, seq, hashes);
  }
}

/**
 * Reads a key from a stripe's sources, newest first.
 *
 * @param memtables The active memtable, then those being flushed, newest first.
 * @param tables The SSTs, newest first.
 * @param key The encoded key.
 * @param seq The snapshot LSN.
 * @returns As {@linkcode Stripe.get}.
 */
export function lookup(
  memtables: readonly Memtable[],
  tables: readonly TableRef[],
  key: Uint8Array,
  seq: number,
): Uint8Array | null | undefined {
  return lookupHashed(memtables, tables, key, seq, LOOKUP_HASHES.hash(key));
}

/**
 * {@linkcode lookup} of a key already hashed: one hash serves the memtables' indexes and the
 * SSTs' bloom filters. An empty memtable is skipped (after a reopen every memtable is empty).
 */
function lookupHashed(
  memtables: readonly Memtable[],
  tables: readonly TableRef[],
  key: Uint8Array,
  seq: number,
  hashes: BloomKey,
): Uint8Array | null | undefined {
  for (let i = 0; i < memtables.length; i++) {
    const memory = memtables[i]!;
    if (memory.size === 0) continue;
    const value = memory.getValue(key, hashes.first, seq);
    if (value !== undefined) return value;
  }
  for (let i = 0; i < tables.length; i++) {
    const entry = tables[i]!.reader.get(key, hashes);
    if (entry !== undefined && entry.seq <= seq) return entry.value;
  }
  return undefined;
}

/** The bloom hashes of the key {@linkcode lookup} is reading (lookups never overlap). */
const LOOKUP_HASHES = new BloomKey();

interface Head {
  key: string;
  seq: number;
  value: Uint8Array | null;
}

/**
 * Iterates the live keys of a stripe view within a range, merging every source: for each key
 * the newest version at or below `seq` wins, and tombstones are skipped.
 *
 * @param view The sources.
 * @param seq The snapshot LSN.
 * @param options Bounds and direction.
 * @returns The live entries in key order.
 */
export function* mergeRange(
  view: StripeView,
  seq: number,
  options: RangeOptions = {},
): Generator<RangeEntry> {
  const reverse = options.reverse === true;
  const sources: Iterator<Head>[] = [];
  const startString = options.start === undefined ? "" : bytesToLatin1(options.start);
  const endString = options.end === undefined ? undefined : bytesToLatin1(options.end);
  for (const memory of view.memtables) {
    sources.push(memtableHeads(memory, seq, startString, endString, reverse));
  }
  for (const table of view.tables) sources.push(tableHeads(table, seq, options));
  const heads: (Head | undefined)[] = sources.map((source) => source.next().value);
  const live = heads.filter((head) => head !== undefined).length;
  if (live <= 1) {
    const only = heads.findIndex((head) => head !== undefined);
    if (only < 0) return;
    const source = sources[only]!;
    for (let head: Head | undefined = heads[only]; head !== undefined; head = source.next().value) {
      if (head.value !== null) yield { key: head.key, value: head.value };
    }
    return;
  }
  while (true) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head === undefined) continue;
      const current = best < 0 ? undefined : heads[best]!;
      if (current === undefined || (reverse ? head.key > current.key : head.key < current.key)) {
        best = i;
      }
    }
    if (best < 0) return;
    const winner = heads[best]!;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i] !== undefined && heads[i]!.key === winner.key) {
        heads[i] = sources[i]!.next().value;
      }
    }
    if (winner.value !== null) yield { key: winner.key, value: winner.value };
  }
}

function* memtableHeads(
  memory: Memtable,
  seq: number,
  start: string,
  end: string | undefined,
  reverse: boolean,
): Generator<Head> {
  const keys = memory.keys(start, end);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[reverse ? keys.length - 1 - i : i]!;
    const entry = memory.get(key, seq);
    if (entry !== undefined) yield { key, seq: entry.seq, value: entry.value };
  }
}

function* tableHeads(table: TableRef, seq: number, options: RangeOptions): Generator<Head> {
  // A table wholly outside the range is skipped without reading a block (opening a database
  // scans the catalog range of every stripe).
  const { smallestKey, largestKey } = table.reader.properties;
  if (options.end !== undefined && compareBytes(smallestKey, options.end) >= 0) return;
  if (options.start !== undefined && compareBytes(largestKey, options.start) < 0) return;
  const bounds: EntriesOptions = { reverse: options.reverse === true };
  if (options.start !== undefined) bounds.start = options.start;
  if (options.end !== undefined) bounds.end = options.end;
  for (const entry of table.reader.entries(bounds)) {
    if (entry.seq <= seq) {
      yield { key: bytesToLatin1(entry.key), seq: entry.seq, value: entry.value };
    }
  }
}
