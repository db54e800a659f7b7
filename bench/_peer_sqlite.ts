/**
 * `bun:sqlite` as the workload's peer under Bun: table `(pk TEXT, sk TEXT, doc TEXT,
 * PRIMARY KEY(pk, sk)) WITHOUT ROWID`, WAL mode, `synchronous=FULL`; one transaction per
 * sequential put, per 100 in-flight puts and per 1,000-item batch.
 *
 * @module
 */
import type { ItemSet } from "./_items.ts";
import type { Subject } from "./_subject.ts";

/** The part of `bun:sqlite` the workload uses (typed here so `deno check` passes). */
interface SqliteStatement {
  run(...params: string[]): unknown;
  get(...params: string[]): unknown;
  finalize(): void;
}
interface SqliteDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): SqliteStatement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}
type SqliteConstructor = new (path: string) => SqliteDatabase;

/** An item as SQLite takes it. */
export interface SqliteRow {
  /** Partition key. */
  readonly pk: string;
  /** Sort key. */
  readonly sk: string;
  /** The JSON text. */
  readonly doc: string;
}

interface Open {
  readonly db: SqliteDatabase;
  readonly insert: SqliteStatement;
  readonly select: SqliteStatement;
  readonly insertMany: (rows: readonly SqliteRow[]) => void;
}

/** The bun:sqlite subject; build it with {@linkcode SqliteSubject.load}. */
export class SqliteSubject implements Subject<SqliteRow> {
  readonly name = "bun:sqlite";
  readonly #items: ItemSet;
  readonly #Database: SqliteConstructor;
  #state: Open | undefined;

  private constructor(items: ItemSet, database: SqliteConstructor) {
    this.#items = items;
    this.#Database = database;
  }

  /**
   * Imports `bun:sqlite` (only Bun has it) and builds the subject.
   *
   * @param items The workload's items.
   * @returns The subject.
   */
  static async load(items: ItemSet): Promise<SqliteSubject> {
    const specifier = "bun:sqlite";
    const module = await import(specifier) as { Database: SqliteConstructor };
    return new SqliteSubject(items, module.Database);
  }

  get #open(): Open {
    if (this.#state === undefined) throw new Error("bun:sqlite: not open");
    return this.#state;
  }

  row(i: number): SqliteRow {
    return { pk: this.#items.pk(i), sk: this.#items.sk(i), doc: this.#items.json(i) };
  }

  create(dir: string): Promise<void> {
    const db = new this.#Database(`${dir}/peer.sqlite`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec(
      "CREATE TABLE IF NOT EXISTS items (pk TEXT, sk TEXT, doc TEXT, PRIMARY KEY (pk, sk)) WITHOUT ROWID",
    );
    this.#state = prepare(db);
    return Promise.resolve();
  }

  open(dir: string): Promise<void> {
    return this.create(dir);
  }

  putOne(row: SqliteRow): Promise<void> {
    this.#open.insert.run(row.pk, row.sk, row.doc);
    return Promise.resolve();
  }

  putInFlight(rows: readonly SqliteRow[]): Promise<void> {
    this.#open.insertMany(rows);
    return Promise.resolve();
  }

  putBatch(rows: readonly SqliteRow[]): Promise<void> {
    return this.putInFlight(rows);
  }

  get(pk: string, sk: string): boolean {
    return this.#open.select.get(pk, sk) !== null;
  }

  read(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const row = this.#open.select.get(pk, sk) as { doc: string } | null;
    return Promise.resolve(row === null ? undefined : JSON.parse(row.doc));
  }

  close(): Promise<void> {
    // Finalized statements let close() really close (and checkpoint the WAL into the file).
    this.#state?.insert.finalize();
    this.#state?.select.finalize();
    this.#state?.db.close();
    this.#state = undefined;
    return Promise.resolve();
  }
}

function prepare(db: SqliteDatabase): Open {
  const insert = db.prepare("INSERT OR REPLACE INTO items (pk, sk, doc) VALUES (?, ?, ?)");
  const select = db.prepare("SELECT doc FROM items WHERE pk = ? AND sk = ?");
  const insertMany = db.transaction((rows: readonly SqliteRow[]) => {
    for (const row of rows) insert.run(row.pk, row.sk, row.doc);
  });
  return { db, insert, select, insertMany };
}
