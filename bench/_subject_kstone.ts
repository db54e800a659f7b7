/**
 * kstone as a workload subject: items go to the default table under `{ pk, sk }` as objects of
 * six attributes; a bulk-load batch is one `putMany` (one commit, as SQLite's transaction).
 *
 * @module
 */
import { Database, type DatabaseOptions, type Item } from "../mod.ts";
import type { ItemSet } from "./_items.ts";
import type { Subject } from "./_subject.ts";

/** An item as kstone takes it. */
export interface KstoneRow {
  /** The key. */
  readonly key: { readonly pk: string; readonly sk: string };
  /** The whole item: the key and six attributes. */
  readonly item: Item;
}

/** The kstone subject. */
export class KstoneSubject implements Subject<KstoneRow> {
  readonly name = "kstone";
  readonly #items: ItemSet;
  readonly #options: DatabaseOptions;
  #db: Database | undefined;

  /**
   * @param items The workload's items.
   * @param options Tuning passed to `Database.create` and `Database.open`.
   */
  constructor(items: ItemSet, options: DatabaseOptions = {}) {
    this.#items = items;
    this.#options = options;
  }

  get #open(): Database {
    if (this.#db === undefined) throw new Error("kstone: not open");
    return this.#db;
  }

  row(i: number): KstoneRow {
    const key = { pk: this.#items.pk(i), sk: this.#items.sk(i) };
    return { key, item: { ...key, ...this.#items.doc(i) } };
  }

  async create(dir: string): Promise<void> {
    this.#db = await Database.create(`${dir}/bench.keystone`, this.#options);
  }

  async open(dir: string): Promise<void> {
    this.#db = await Database.open(`${dir}/bench.keystone`, this.#options);
  }

  async putOne(row: KstoneRow): Promise<void> {
    await this.#open.put(row.key, row.item);
  }

  async putInFlight(rows: readonly KstoneRow[]): Promise<void> {
    const db = this.#open;
    await Promise.all(rows.map((row) => db.put(row.key, row.item)));
  }

  putBatch(rows: readonly KstoneRow[]): Promise<void> {
    return this.#open.putMany(rows.map((row) => row.item));
  }

  async get(pk: string, sk: string): Promise<boolean> {
    return (await this.#open.get({ pk, sk })) !== undefined;
  }

  async read(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const item = await this.#open.get({ pk, sk });
    if (item === undefined) return undefined;
    const { pk: _pk, sk: _sk, ...doc } = item;
    return doc;
  }

  async close(): Promise<void> {
    await this.#db?.close();
    this.#db = undefined;
  }

  async details(): Promise<Record<string, unknown>> {
    if (this.#db === undefined) return {};
    const stats = await this.#db.stats();
    return {
      total_sst_files: stats.total_sst_files,
      sst_size_bytes: stats.sst_size_bytes,
      wal_size_bytes: stats.wal_size_bytes,
      total_disk_size_bytes: stats.total_disk_size_bytes,
      memtable_records: stats.memtable_records,
      memtable_size_bytes: stats.memtable_size_bytes,
      flushes: stats.flushes,
      block_cache: stats.block_cache,
      compaction: stats.compaction,
    };
  }
}
