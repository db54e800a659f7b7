/**
 * The store: 256 stripes over one WAL, with commit, reads, flushes and compactions. Everything
 * above it (items, tables, expressions) is lowered onto {@linkcode Store.commit},
 * {@linkcode Store.get} and {@linkcode Store.range}.
 *
 * @module
 */
import { bytesToLatin1, latin1ToBytes } from "../codec/bytes.ts";
import { KstoneError } from "../errors.ts";
import { sstFileName } from "../filename.ts";
import { type FileLock, type FileSystem, joinPath } from "../fs/file_system.ts";
import { type ManifestState, writeManifest } from "../manifest/manifest.ts";
import { Memtable } from "../memtable/memtable.ts";
import type { BlockCache } from "../sstable/block_cache.ts";
import { TableBuilder } from "../sstable/table_writer.ts";
import { TableReader } from "../sstable/table_reader.ts";
import type { WalWriter } from "../wal/writer.ts";
import { encodeBatchInto, encodedBatchSize, type Mutation } from "./batch_codec.ts";
import { compactStripe, keyspaceOf } from "../compaction/compactor.ts";
import type { ResolvedStoreOptions } from "./options.ts";
import { newStoreStats, type StoreStats } from "./stats.ts";
import {
  lookup,
  mergeRange,
  type RangeEntry,
  type RangeOptions,
  type Stripe,
  type TableRef,
} from "./stripe.ts";

/** SST files a flush writes at once. */
const FLUSH_PARALLELISM = 16;

/** A consistent read view across all stripes; release it when done. */
export interface Snapshot {
  /** The LSN the snapshot sees up to. */
  readonly seq: number;
  /** Range-reads one stripe as of the snapshot. */
  range(stripe: number, options?: RangeOptions): Generator<RangeEntry>;
  /** Reads one key as of the snapshot; the bytes are valid as {@linkcode Store.get}'s. */
  get(stripe: number, key: Uint8Array): Uint8Array | undefined;
  /** Lets the store drop versions and files only this snapshot needed. */
  release(): void;
}

/** What {@linkcode Store} needs from `open.ts`. */
export interface StoreParts {
  fs: FileSystem;
  dir: string;
  options: ResolvedStoreOptions;
  lock: FileLock;
  wal: WalWriter;
  manifest: ManifestState;
  stripes: Stripe[];
  cache: BlockCache;
  lastLsn: number;
  warnings: string[];
}

/**
 * The storage engine of one open database directory. Made by `openStore`/`createStore` in
 * `open.ts`.
 */
export class Store {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly options: ResolvedStoreOptions;
  readonly stats: StoreStats = newStoreStats();
  /** Problems found at open that did not stop it, e.g. a listed SST that is missing. */
  readonly warnings: string[];
  readonly #lock: FileLock;
  readonly #wal: WalWriter;
  readonly #stripes: Stripe[];
  readonly #cache: BlockCache;
  #manifest: ManifestState;
  #manifestWrite: Promise<void> = Promise.resolve();
  #lastLsn: number;
  #nextFileId: number;
  #memtableBytes: number;
  #snapshots = new Map<number, number>();
  #deferredClose: TableRef[] = [];
  /** Flushed memtables a snapshot may still read: released with the last snapshot. */
  #deferredRelease: Memtable[] = [];
  #flushing: Promise<void> | undefined;
  #flushAgain = false;
  #compactions = new Set<Promise<void>>();
  #background: Error | undefined;
  #closed = false;
  /** Keyspace ids (deleted tables and indexes) whose entries compaction drops. */
  #dropped: ReadonlySet<number> = new Set();
  /** SSTs written by a compaction that dropped everything `#dropped` names. */
  #clean = new Set<number>();

  constructor(parts: StoreParts) {
    this.fs = parts.fs;
    this.dir = parts.dir;
    this.options = parts.options;
    this.warnings = parts.warnings;
    this.#lock = parts.lock;
    this.#wal = parts.wal;
    this.#manifest = parts.manifest;
    this.#stripes = parts.stripes;
    this.#cache = parts.cache;
    this.#lastLsn = parts.lastLsn;
    this.#nextFileId = parts.manifest.nextFileId;
    this.#memtableBytes = 0;
    for (const stripe of parts.stripes) this.#memtableBytes += stripe.memtable.bytes;
  }

  /** The LSN of the newest committed batch. */
  get lastLsn(): number {
    return this.#lastLsn;
  }

  /**
   * The LSN the next {@linkcode commit} gets. Code that runs in the same synchronous step as
   * that commit (stream records name their sequence numbers after it) may rely on it.
   */
  get nextLsn(): number {
    return this.#wal.nextLsn;
  }

  /** The WAL writer (for stats). */
  get wal(): WalWriter {
    return this.#wal;
  }

  /** The stripes (for stats and tests). */
  get stripes(): readonly Stripe[] {
    return this.#stripes;
  }

  /** The shared block cache (for stats). */
  get cache(): BlockCache {
    return this.#cache;
  }

  /**
   * Commits a batch of mutations atomically. Synchronously, before it returns, the batch gets
   * its LSN, is appended to the WAL and is visible to reads; the promise resolves once it is
   * durable. A check made in the same synchronous step as the commit is thus atomic.
   *
   * @param mutations The batch; applied in order (a later mutation of a key wins).
   * @param size Its `encodedBatchSize`, when the caller computed it already (to check it against
   *   the WAL's record limit).
   * @returns A promise that resolves when the batch is durable.
   * @throws {KstoneError} CLOSED after close, FAILED after a WAL failure.
   */
  commit(
    mutations: readonly Mutation[],
    size: number = encodedBatchSize(mutations),
  ): Promise<void> {
    this.#checkOpen();
    const lsn = this.#wal.appendEncoded(size, encodeBatchInto, mutations);
    let full = false;
    for (const mutation of mutations) {
      const memtable = this.#stripes[mutation.stripe]!.memtable;
      const before = memtable.bytes;
      memtable.put(bytesToLatin1(mutation.key), lsn, mutation.value);
      this.#memtableBytes += memtable.bytes - before;
      if (memtable.size >= this.options.maxStripeRecords) full = true;
    }
    this.#lastLsn = lsn;
    this.stats.batches++;
    this.stats.mutations += mutations.length;
    const walBytes = this.#wal.size;
    const budget = this.options.memtableBudgetBytes;
    if (full || this.#memtableBytes > budget || walBytes > this.options.maxWalBytes) {
      this.#maybeFlush();
    }
    const durable = this.#wal.durable(lsn);
    // Back-pressure: past twice a limit, writers wait for the flush to catch up, so memory
    // and the WAL (and thus recovery time) stay bounded under a sustained load.
    if (this.#memtableBytes > 2 * budget || walBytes > 2 * this.options.maxWalBytes) {
      const flushing = this.#flushing;
      if (flushing !== undefined) return durable.then(() => flushing.catch(() => {}));
    }
    return durable;
  }

  /**
   * Reads the newest live version of a key.
   *
   * @param stripe The key's stripe.
   * @param key The encoded key.
   * @returns The encoded item, or `undefined` when the key is absent or deleted. The bytes may
   *   view a cached block whose buffer a later read reuses: decode or copy them before the next
   *   read of the store.
   */
  get(stripe: number, key: Uint8Array): Uint8Array | undefined {
    this.#checkOpen();
    return this.#stripes[stripe]!.get(key, Infinity) ?? undefined;
  }

  /**
   * Iterates live keys of one stripe in key order, as of now. Consume it synchronously or take
   * a {@linkcode snapshot} to read across awaits.
   *
   * @param stripe The stripe.
   * @param options Bounds and direction.
   * @returns The live entries.
   */
  range(stripe: number, options: RangeOptions = {}): Generator<RangeEntry> {
    this.#checkOpen();
    return mergeRange(this.#stripes[stripe]!.view(), Infinity, options);
  }

  /**
   * Opens a consistent view of every stripe as of the last commit. Flushes and compactions do
   * not change what it reads. Release it when done.
   *
   * @returns The snapshot.
   */
  snapshot(): Snapshot {
    this.#checkOpen();
    const seq = this.#lastLsn;
    const views = this.#stripes.map((stripe) => stripe.view());
    this.#snapshots.set(seq, (this.#snapshots.get(seq) ?? 0) + 1);
    let released = false;
    return {
      seq,
      range: (stripe, options = {}) => mergeRange(views[stripe]!, seq, options),
      get: (stripe, key) => {
        const view = views[stripe]!;
        return lookup(view.memtables, view.tables, key, seq) ?? undefined;
      },
      release: () => {
        if (released) return;
        released = true;
        const left = (this.#snapshots.get(seq) ?? 1) - 1;
        if (left === 0) this.#snapshots.delete(seq);
        else this.#snapshots.set(seq, left);
        if (this.#snapshots.size === 0) this.#closeDeferred();
      },
    };
  }

  /** Flushes every memtable to SSTs and rewrites the WAL without the flushed records. */
  async flush(): Promise<void> {
    this.#checkOpen();
    await this.#runFlush(true);
  }

  /** Compacts every stripe that holds two or more SSTs, and waits for it. */
  async compact(): Promise<void> {
    this.#checkOpen();
    await this.#flushing;
    const jobs: Promise<void>[] = [];
    this.#stripes.forEach((stripe, index) => {
      if ((stripe.tables.length >= 2 || this.#holdsDropped(index)) && !stripe.compacting) {
        jobs.push(this.#startCompaction(index));
      }
    });
    await Promise.all([...jobs, ...this.#compactions]);
  }

  /**
   * Names the keyspaces whose entries are garbage (deleted tables and indexes; ids are never
   * reused). Compactions drop them, and {@linkcode compact} also compacts a stripe with a single
   * SST that may hold some.
   *
   * @param ids Every dropped keyspace id.
   */
  dropKeyspaces(ids: ReadonlySet<number>): void {
    this.#dropped = ids;
    this.#clean = new Set();
  }

  #holdsDropped(index: number): boolean {
    if (this.#dropped.size === 0) return false;
    return this.#stripes[index]!.tables.some((table) => {
      if (this.#clean.has(table.id)) return false;
      const { smallestKey, largestKey } = table.reader.properties;
      const low = keyspaceOf(smallestKey);
      const high = keyspaceOf(largestKey);
      for (const id of this.#dropped) if (id >= low && id <= high) return true;
      return false;
    });
  }

  /** Waits for every running flush and compaction. */
  async idle(): Promise<void> {
    while (this.#flushing !== undefined || this.#compactions.size > 0) {
      await this.#flushing;
      await Promise.all(this.#compactions);
    }
  }

  /**
   * Closes the store: waits for background work, flushes (unless `flushOnClose` is off), syncs
   * and closes the WAL, closes every SST and releases the lock. Closing twice is a no-op.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.idle();
      if (this.options.flushOnClose && !this.#wal.failed) await this.#runFlush(true);
      await this.idle();
    } finally {
      // Even when the final flush failed: no flush or compaction may outlive close() (it would
      // install a MANIFEST and remove files after the lock is released).
      while (this.#flushing !== undefined || this.#compactions.size > 0) {
        await Promise.allSettled([this.#flushing, ...this.#compactions]);
      }
      this.#closed = true;
      await this.#wal.close().catch(() => {});
      if (this.#snapshots.size === 0) {
        // Nothing reads this store any more: its memory goes back now, for whatever the process
        // opens next (reopening the database, say) rather than at the next full collection.
        for (const stripe of this.#stripes) {
          for (const memory of [stripe.memtable, ...stripe.immutables]) memory.release();
        }
        this.#cache.release();
      }
      for (const stripe of this.#stripes) for (const table of stripe.tables) table.reader.close();
      for (const table of this.#deferredClose) table.reader.close();
      await this.#lock.release();
    }
  }

  /** Whether the store was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Memory held by all memtables, in bytes. */
  memtableBytes(): number {
    return this.#memtableBytes;
  }

  #checkOpen(): void {
    if (this.#closed) throw new KstoneError("CLOSED", "Database is closed");
  }

  /** The error of the last background flush or compaction, cleared when one succeeds. */
  get backgroundError(): Error | undefined {
    return this.#background;
  }

  #maybeFlush(): void {
    if (this.#flushing !== undefined) {
      this.#flushAgain ||= this.#needsFlush() !== "none";
      return;
    }
    const need = this.#needsFlush();
    if (need !== "none") void this.#runFlush(need === "all").catch(() => {});
  }

  #needsFlush(): "none" | "some" | "all" {
    if (this.#wal.size > this.options.maxWalBytes) return "all";
    if (this.memtableBytes() > this.options.memtableBudgetBytes) return "some";
    for (const stripe of this.#stripes) {
      if (stripe.memtable.size >= this.options.maxStripeRecords) return "some";
    }
    return "none";
  }

  /** Runs flushes one at a time; `all` flushes every stripe and rewrites the WAL. */
  #runFlush(all: boolean): Promise<void> {
    const previous = this.#flushing ?? Promise.resolve();
    const run = previous.then(async () => {
      try {
        await this.#flushOnce(all);
        this.#background = undefined;
      } catch (error) {
        this.#background = error as Error;
        if (all) throw error;
      }
    });
    const tracked = run.finally(() => {
      if (this.#flushing === tracked) this.#flushing = undefined;
      if (this.#flushAgain && !this.#closed) {
        this.#flushAgain = false;
        this.#maybeFlush();
      }
    });
    this.#flushing = tracked;
    return tracked;
  }

  #pickStripes(all: boolean): number[] {
    const picked: number[] = [];
    const budget = this.options.memtableBudgetBytes;
    const order = this.#stripes.map((stripe, index) => ({ index, stripe }))
      .filter(({ stripe }) => stripe.memtable.size > 0 || stripe.immutables.length > 0)
      .sort((a, b) => b.stripe.memtable.bytes - a.stripe.memtable.bytes);
    let total = this.memtableBytes();
    for (const { index, stripe } of order) {
      const due = all || stripe.immutables.length > 0 ||
        stripe.memtable.size >= this.options.maxStripeRecords ||
        total > budget / 2;
      if (!due) continue;
      picked.push(index);
      total -= stripe.memtable.bytes;
    }
    return picked;
  }

  async #flushOnce(all: boolean): Promise<void> {
    const picked = this.#pickStripes(all || this.#wal.size > this.options.maxWalBytes);
    const switchLsn = this.#lastLsn;
    for (const index of picked) {
      const stripe = this.#stripes[index]!;
      if (stripe.memtable.size === 0) continue;
      stripe.immutables.unshift(stripe.memtable);
      stripe.memtable = new Memtable();
    }
    const made: { index: number; table: TableRef | undefined; flushed: Memtable[] }[] = [];
    try {
      // Several SSTs at once: their opens and fdatasyncs overlap on the I/O threads.
      for (let at = 0; at < picked.length; at += FLUSH_PARALLELISM) {
        // allSettled: when one write fails, the others must finish before their files are
        // discarded (else they go on writing after the flush failed, even after close()).
        const results = await Promise.allSettled(
          picked.slice(at, at + FLUSH_PARALLELISM).map(async (index) => {
            const stripe = this.#stripes[index]!;
            const flushed = [...stripe.immutables];
            const table = await this.#writeMemtables(index, flushed, stripe.tables.length === 0);
            made.push({ index, table, flushed });
          }),
        );
        const failed = results.find((result) => result.status === "rejected");
        if (failed !== undefined) throw failed.reason;
      }
      await this.fs.syncDir(this.dir);
      // The SSTs may hold records whose WAL sync is still pending (group commit, or "interval"
      // durability). They must not become live before those records are durable in the WAL:
      // else a power cut would keep the flushed stripes' half of a batch and lose the rest.
      await this.#wal.sync();
    } catch (error) {
      for (const { index, table } of made) {
        if (table !== undefined) await this.#discard(index, table);
      }
      throw error;
    }
    await this.#updateManifest((state) => {
      for (const { index, table } of made) {
        if (table !== undefined) state.tables[index]!.unshift({ id: table.id, size: table.size });
        state.flushedLsn[index] = Math.max(state.flushedLsn[index]!, switchLsn);
      }
      state.lastLsn = Math.max(state.lastLsn, switchLsn);
    });
    for (const { index, table, flushed } of made) {
      const stripe = this.#stripes[index]!;
      if (table !== undefined) stripe.tables = [table, ...stripe.tables];
      stripe.immutables = stripe.immutables.filter((memory) => !flushed.includes(memory));
      for (const memory of flushed) {
        this.#memtableBytes -= memory.bytes;
        this.#retire(memory);
      }
      this.stats.flushes++;
      if (table !== undefined) this.stats.flushedBytes += table.size;
    }
    await this.#truncateWal(all);
    this.#scheduleCompactions();
  }

  async #writeMemtables(
    index: number,
    memtables: Memtable[],
    dropTombstones: boolean,
  ): Promise<TableRef | undefined> {
    const id = this.#nextFileId++;
    const path = joinPath(this.dir, sstFileName(index, id));
    const builder = await TableBuilder.create(this.fs, path, {
      blockSize: this.options.blockSize,
      bloomFalsePositiveRate: this.options.bloomFalsePositiveRate,
    });
    let written = 0;
    try {
      if (memtables.length === 1) {
        // The usual flush: the newest version of each key, with no object per key. The builder
        // copies each key, so one buffer holds them in turn.
        let keyBytes = new Uint8Array(256);
        memtables[0]!.forEachNewest((key, seq, value) => {
          if (value === null && dropTombstones) return;
          const n = key.length;
          if (n > keyBytes.length) keyBytes = new Uint8Array(2 * n);
          for (let i = 0; i < n; i++) keyBytes[i] = key.charCodeAt(i);
          builder.add({ key: keyBytes.subarray(0, n), seq, value });
          written++;
        });
      } else {
        // Several memtables: the newest of them holding a key has its newest version.
        const keys = new Set<string>();
        for (const memory of memtables) for (const key of memory.keys()) keys.add(key);
        for (const key of [...keys].sort()) {
          let entry;
          for (const memory of memtables) {
            entry = memory.get(key);
            if (entry !== undefined) break;
          }
          if (entry === undefined || (entry.value === null && dropTombstones)) continue;
          builder.add({ key: latin1ToBytes(key), seq: entry.seq, value: entry.value });
          written++;
        }
      }
      if (written === 0) {
        await builder.abandon();
        return undefined;
      }
      const properties = await builder.finish();
      const reader = await TableReader.open(this.fs, path, { cache: this.#cache, fileId: id });
      return { id, size: properties.fileSize, reader };
    } catch (error) {
      await builder.abandon().catch(() => {});
      throw error;
    }
  }

  async #discard(index: number, table: TableRef): Promise<void> {
    table.reader.close();
    this.#cache.evictFile(table.id);
    await this.fs.remove(joinPath(this.dir, sstFileName(index, table.id))).catch(() => {});
  }

  /** Applies a change to the manifest and writes it, one change at a time. */
  #updateManifest(change: (state: ManifestState) => void): Promise<void> {
    const run = this.#manifestWrite.then(async () => {
      const next: ManifestState = {
        lastLsn: this.#manifest.lastLsn,
        nextFileId: Math.max(this.#manifest.nextFileId, this.#nextFileId),
        flushedLsn: [...this.#manifest.flushedLsn],
        tables: this.#manifest.tables.map((list) => [...list]),
      };
      change(next);
      await writeManifest(this.fs, this.dir, next);
      this.#manifest = next;
      this.stats.manifestWrites++;
    });
    this.#manifestWrite = run.catch(() => {});
    return run;
  }

  /** Drops WAL records every stripe has flushed: on a full flush, or past half the WAL limit. */
  async #truncateWal(all: boolean): Promise<void> {
    if (!all && this.#wal.size <= this.options.maxWalBytes / 2) return;
    let keepFrom = this.#lastLsn + 1;
    for (const stripe of this.#stripes) {
      if (stripe.memtable.minSeq < keepFrom) keepFrom = stripe.memtable.minSeq;
      for (const memory of stripe.immutables) {
        if (memory.minSeq < keepFrom) keepFrom = memory.minSeq;
      }
    }
    await this.#wal.truncateBefore(keepFrom);
    this.stats.walRewrites++;
  }

  #scheduleCompactions(): void {
    if (!this.options.autoCompact) return;
    this.#stripes.forEach((stripe, index) => {
      if (
        stripe.tables.length >= this.options.sstThreshold && !stripe.compacting &&
        this.#compactions.size < this.options.maxConcurrentCompactions
      ) {
        void this.#startCompaction(index).catch(() => {});
      }
    });
  }

  #startCompaction(index: number): Promise<void> {
    const stripe = this.#stripes[index]!;
    stripe.compacting = true;
    this.stats.compaction.active_compactions++;
    const dropped = this.#dropped;
    const job = compactStripe({
      fs: this.fs,
      dir: this.dir,
      index,
      inputs: [...stripe.tables],
      fileId: this.#nextFileId++,
      cache: this.#cache,
      options: this.options,
      stats: this.stats.compaction,
      dropped,
      install: async (inputs, output) => {
        await this.#installCompaction(index, inputs, output);
        if (output !== undefined && dropped === this.#dropped) this.#clean.add(output.id);
      },
    }).catch((error) => {
      this.#background = error as Error;
      throw error;
    }).finally(() => {
      stripe.compacting = false;
      this.stats.compaction.active_compactions--;
      this.#compactions.delete(job);
    }).then(() => {
      // Starts compactions that waited for a free slot. Not after a failure: retrying at once
      // (a full disk) would spin; the next flush schedules them again.
      if (!this.#closed) this.#scheduleCompactions();
    });
    this.#compactions.add(job);
    return job;
  }

  async #installCompaction(
    index: number,
    inputs: TableRef[],
    output: TableRef | undefined,
  ): Promise<void> {
    const gone = new Set(inputs.map((table) => table.id));
    await this.#updateManifest((state) => {
      const kept = state.tables[index]!.filter((table) => !gone.has(table.id));
      if (output !== undefined) kept.push({ id: output.id, size: output.size });
      state.tables[index] = kept;
    });
    const stripe = this.#stripes[index]!;
    const kept = stripe.tables.filter((table) => !gone.has(table.id));
    stripe.tables = output === undefined ? kept : [...kept, output];
    for (const table of inputs) {
      await this.fs.remove(joinPath(this.dir, sstFileName(index, table.id))).catch(() => {});
      this.#cache.evictFile(table.id);
      if (this.#snapshots.size === 0) table.reader.close();
      else this.#deferredClose.push(table);
    }
  }

  #closeDeferred(): void {
    for (const table of this.#deferredClose) table.reader.close();
    this.#deferredClose = [];
    for (const memory of this.#deferredRelease) memory.release();
    this.#deferredRelease = [];
  }

  /**
   * Frees a memtable nothing reads any more (flushed, or of a closed store) at once, or when the
   * last open snapshot, which may read it, is released.
   */
  #retire(memory: Memtable): void {
    if (this.#snapshots.size === 0) memory.release();
    else this.#deferredRelease.push(memory);
  }
}
