/**
 * What the data-plane benchmark drives: kstone and its peer behind one small interface, and
 * kstone's implementation (the default table, items `{ pk, sk, ...document }`).
 *
 * @module
 */
import { Database, type DatabaseOptions, type Item } from "../mod.ts";
import type { Doc } from "./_items.ts";

/** One item of the benchmark. */
export interface Row {
  /** Partition key. */
  readonly pk: string;
  /** Sort key. */
  readonly sk: string;
  /** The document. */
  readonly doc: Doc;
}

/** A store under test. Every method decodes what it reads, as a user would. */
export interface DataPlaneSubject {
  /** The name printed in the table. */
  readonly name: string;
  /** Creates a fresh store in the empty directory `dir`. */
  create(dir: string): Promise<void>;
  /** Loads rows (not timed). */
  load(rows: readonly Row[]): Promise<void>;
  /** Reads the first `limit` items of a partition (all when undefined), in sort key order. */
  queryPartition(pk: string, limit?: number): Promise<number>;
  /** Reads every item; returns how many. */
  scanAll(): Promise<number>;
  /** Sets `score` when `age` equals `age`; returns whether it did. Durable when it resolves. */
  conditionalUpdate(row: Row, age: number, score: number): Promise<boolean>;
  /** Writes rows all or nothing. Durable when it resolves. */
  transactPut(rows: readonly Row[]): Promise<void>;
  /** Closes the store. */
  close(): Promise<void>;
}

/** kstone as a data-plane subject. */
export class KstoneDataPlane implements DataPlaneSubject {
  readonly name = "kstone";
  readonly #options: DatabaseOptions;
  #db: Database | undefined;

  /** @param options Tuning passed to `Database.create`. */
  constructor(options: DatabaseOptions = {}) {
    this.#options = options;
  }

  get #open(): Database {
    if (this.#db === undefined) throw new Error("kstone: not open");
    return this.#db;
  }

  async create(dir: string): Promise<void> {
    this.#db = await Database.create(`${dir}/bench.keystone`, this.#options);
  }

  async load(rows: readonly Row[]): Promise<void> {
    const db = this.#open;
    const batches: Promise<void>[] = [];
    for (let i = 0; i < rows.length; i += 25) {
      batches.push(db.batchWrite({ "": rows.slice(i, i + 25).map((row) => ({ put: item(row) })) }));
      if (batches.length === 64) await Promise.all(batches.splice(0));
    }
    await Promise.all(batches);
    await db.flush();
    await db.compact();
  }

  async queryPartition(pk: string, limit?: number): Promise<number> {
    const page = await this.#open.query({
      keyConditionExpression: "pk = :pk",
      expressionAttributeValues: { ":pk": pk },
      limit,
    });
    return page.items.length;
  }

  async scanAll(): Promise<number> {
    let count = 0;
    for await (const page of this.#open.scanPages()) count += page.items.length;
    return count;
  }

  async conditionalUpdate(row: Row, age: number, score: number): Promise<boolean> {
    try {
      await this.#open.update({ pk: row.pk, sk: row.sk }, {
        updateExpression: "SET score = :score",
        conditionExpression: "age = :age",
        expressionAttributeValues: { ":score": score, ":age": age },
      });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "CONDITIONAL_CHECK_FAILED") return false;
      throw error;
    }
  }

  transactPut(rows: readonly Row[]): Promise<void> {
    return this.#open.transactWrite(rows.map((row) => ({ put: { item: item(row) } })));
  }

  async close(): Promise<void> {
    await this.#db?.close();
    this.#db = undefined;
  }
}

function item(row: Row): Item {
  return { pk: row.pk, sk: row.sk, ...row.doc };
}
