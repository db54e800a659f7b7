/**
 * The data-plane benchmark's peers: Deno KV under Deno (key `[pk, sk]`, the document as the
 * value; `list` for queries and scans, `atomic` for conditional updates and transactions) and
 * `bun:sqlite` under Bun (table `(pk, sk, doc JSON) WITHOUT ROWID`, WAL, `synchronous=FULL`;
 * range queries, and one transaction per write).
 *
 * @module
 */
import type { DataPlaneSubject, Row } from "./_data_plane_subject.ts";

/** The part of `Deno.Kv` used here (typed locally: `Deno.openKv` is unstable). */
interface Kv {
  get(key: readonly string[]): Promise<KvEntry>;
  list(
    selector: { prefix: readonly string[] },
    options?: { limit?: number; batchSize?: number },
  ): AsyncIterable<KvEntry>;
  atomic(): KvAtomic;
  close(): void;
}
interface KvEntry {
  readonly value: unknown;
  readonly versionstamp: string | null;
}
interface KvAtomic {
  check(entry: { key: readonly string[]; versionstamp: string | null }): KvAtomic;
  set(key: readonly string[], value: unknown): KvAtomic;
  commit(): Promise<{ ok: boolean }>;
}

/** Deno KV as a data-plane subject; run Deno with `--unstable-kv`. */
export class DenoKvDataPlane implements DataPlaneSubject {
  readonly name = "Deno KV";
  #kv: Kv | undefined;

  get #open(): Kv {
    if (this.#kv === undefined) throw new Error("Deno KV: not open");
    return this.#kv;
  }

  async create(dir: string): Promise<void> {
    const openKv = (globalThis as { Deno?: { openKv?: (path: string) => Promise<Kv> } }).Deno
      ?.openKv;
    if (openKv === undefined) {
      throw new Error("Deno.openKv is missing: run with `deno run -A --unstable-kv`");
    }
    this.#kv = await openKv(`${dir}/kv.sqlite`);
  }

  async load(rows: readonly Row[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      const atomic = this.#open.atomic();
      for (const row of rows.slice(i, i + 500)) atomic.set([row.pk, row.sk], row.doc);
      if (!(await atomic.commit()).ok) throw new Error("Deno KV: load failed");
    }
  }

  async queryPartition(pk: string, limit?: number): Promise<number> {
    let count = 0;
    const options = limit === undefined
      ? { batchSize: 500 }
      : { limit, batchSize: Math.min(limit, 500) };
    for await (const entry of this.#open.list({ prefix: [pk] }, options)) {
      if (entry.value !== null) count++;
    }
    return count;
  }

  async scanAll(): Promise<number> {
    let count = 0;
    for await (const entry of this.#open.list({ prefix: [] }, { batchSize: 500 })) {
      if (entry.value !== null) count++;
    }
    return count;
  }

  async conditionalUpdate(row: Row, age: number, score: number): Promise<boolean> {
    const key = [row.pk, row.sk];
    const entry = await this.#open.get(key);
    const doc = entry.value as Record<string, unknown> | null;
    if (doc === null || doc.age !== age) return false;
    const result = await this.#open.atomic().check({ key, versionstamp: entry.versionstamp }).set(
      key,
      { ...doc, score },
    )
      .commit();
    return result.ok;
  }

  async transactPut(rows: readonly Row[]): Promise<void> {
    const atomic = this.#open.atomic();
    for (const row of rows) atomic.set([row.pk, row.sk], row.doc);
    if (!(await atomic.commit()).ok) throw new Error("Deno KV: atomic commit failed");
  }

  close(): Promise<void> {
    this.#kv?.close();
    this.#kv = undefined;
    return Promise.resolve();
  }
}

/** The part of `bun:sqlite` used here. */
interface Statement {
  run(...params: (string | number)[]): { changes: number };
  all(...params: (string | number)[]): unknown[];
  finalize(): void;
}
interface SqliteDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): Statement;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
}

/** bun:sqlite as a data-plane subject; build it with {@linkcode SqliteDataPlane.load}. */
export class SqliteDataPlane implements DataPlaneSubject {
  readonly name = "bun:sqlite";
  readonly #Database: new (path: string) => SqliteDatabase;
  #db: SqliteDatabase | undefined;
  #statements: Record<"insert" | "query" | "queryLimit" | "scan" | "update", Statement> | undefined;
  #insertMany: ((rows: readonly Row[]) => void) | undefined;

  private constructor(database: new (path: string) => SqliteDatabase) {
    this.#Database = database;
  }

  /**
   * Imports `bun:sqlite` (only Bun has it).
   *
   * @returns The subject.
   */
  static async open(): Promise<SqliteDataPlane> {
    const specifier = "bun:sqlite";
    const module = await import(specifier) as { Database: new (path: string) => SqliteDatabase };
    return new SqliteDataPlane(module.Database);
  }

  get #s() {
    if (this.#statements === undefined) throw new Error("bun:sqlite: not open");
    return this.#statements;
  }

  create(dir: string): Promise<void> {
    const db = new this.#Database(`${dir}/peer.sqlite`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("CREATE TABLE items (pk TEXT, sk TEXT, doc TEXT, PRIMARY KEY (pk, sk)) WITHOUT ROWID");
    this.#db = db;
    this.#statements = {
      insert: db.prepare("INSERT OR REPLACE INTO items (pk, sk, doc) VALUES (?, ?, ?)"),
      query: db.prepare("SELECT sk, doc FROM items WHERE pk = ? ORDER BY sk"),
      queryLimit: db.prepare("SELECT sk, doc FROM items WHERE pk = ? ORDER BY sk LIMIT ?"),
      scan: db.prepare("SELECT pk, sk, doc FROM items"),
      update: db.prepare(
        "UPDATE items SET doc = json_set(doc, '$.score', ?) WHERE pk = ? AND sk = ? AND json_extract(doc, '$.age') = ?",
      ),
    };
    const insert = this.#statements.insert;
    this.#insertMany = db.transaction((rows: readonly Row[]) => {
      for (const row of rows) insert.run(row.pk, row.sk, JSON.stringify(row.doc));
    });
    return Promise.resolve();
  }

  load(rows: readonly Row[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 1000) this.#insertMany!(rows.slice(i, i + 1000));
    return Promise.resolve();
  }

  queryPartition(pk: string, limit?: number): Promise<number> {
    const rows =
      (limit === undefined ? this.#s.query.all(pk) : this.#s.queryLimit.all(pk, limit)) as {
        doc: string;
      }[];
    for (const row of rows) JSON.parse(row.doc);
    return Promise.resolve(rows.length);
  }

  scanAll(): Promise<number> {
    const rows = this.#s.scan.all() as { doc: string }[];
    for (const row of rows) JSON.parse(row.doc);
    return Promise.resolve(rows.length);
  }

  conditionalUpdate(row: Row, age: number, score: number): Promise<boolean> {
    return Promise.resolve(this.#s.update.run(score, row.pk, row.sk, age).changes === 1);
  }

  transactPut(rows: readonly Row[]): Promise<void> {
    this.#insertMany!(rows);
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.#statements !== undefined) {
      for (const statement of Object.values(this.#statements)) statement.finalize();
    }
    this.#db?.close();
    this.#db = undefined;
    this.#statements = undefined;
    return Promise.resolve();
  }
}
