/**
 * The default table's item methods, in the troubleshooting chapter's style:
 * `db.put("user#123", item)`, `db.get({ pk: "user#123", sk: "profile" })`, queries and scans of
 * the table with keys `pk` and an optional `sk`. The embedded `Database` and the remote client
 * of `connect()` both extend {@linkcode DefaultTableMethods}, each over its own table.
 *
 * @module
 */
import { validation } from "../errors.ts";
import type { Item } from "./table.ts";
import type {
  DeleteOptions,
  GetOptions,
  IterateOptions,
  Page,
  PutOptions,
  QueryOptions,
  ScanOptions,
  UpdateOptions,
} from "./table_options.ts";

/** A key of the default table: a partition key string, or `pk` with an optional `sk`. */
export type DefaultKey = string | { readonly pk: string; readonly sk?: string };

/** The item methods a table offers, embedded (`Table`) or remote (`RemoteTable`). */
export interface ItemTable {
  /** Stores an item. */
  put(item: Item, options?: PutOptions): Promise<Item | undefined>;
  /** Reads an item. */
  get(key: Item, options?: GetOptions): Promise<Item | undefined>;
  /** Deletes an item. */
  delete(key: Item, options?: DeleteOptions): Promise<Item | undefined>;
  /** Updates an item. */
  update(key: Item, options?: UpdateOptions): Promise<Item | undefined>;
  /** Queries one page. */
  query(options: QueryOptions): Promise<Page>;
  /** Every page of a Query. */
  queryPages(options: QueryOptions & IterateOptions): AsyncGenerator<Page, void, undefined>;
  /** Every item of a Query. */
  queryAll(options: QueryOptions & IterateOptions): AsyncGenerator<Item, void, undefined>;
  /** Scans one page. */
  scan(options?: ScanOptions): Promise<Page>;
  /** Every page of a Scan. */
  scanPages(options?: ScanOptions & IterateOptions): AsyncGenerator<Page, void, undefined>;
  /** Every item of a Scan. */
  scanAll(options?: ScanOptions & IterateOptions): AsyncGenerator<Item, void, undefined>;
}

/**
 * The default table's item methods over a table. Use them through `Database` or `connect()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { DefaultTableMethods } from "./default_table.ts";
 * await using db = await Database.memory();
 * assert.ok(db instanceof DefaultTableMethods);
 * await db.put({ pk: "user#1", sk: "profile" }, { name: "Ada" });
 * assert.deepEqual(await db.get({ pk: "user#1", sk: "profile" }), {
 *   pk: "user#1",
 *   sk: "profile",
 *   name: "Ada",
 * });
 * ```
 */
export abstract class DefaultTableMethods {
  readonly #table: ItemTable;

  /**
   * @param table The default table (keys `pk` and an optional `sk`).
   */
  protected constructor(table: ItemTable) {
    this.#table = table;
  }

  /**
   * Stores an item in the default table under `key`, replacing any item there. The item's
   * `pk` (and `sk`) attributes are set from the key. Resolves once the write is durable.
   *
   * @param key The partition key, or `{ pk, sk }`.
   * @param item The other attributes.
   * @param options Condition and return values, as for `Table.put`.
   * @returns The old item when `returnValues` is `ALL_OLD`, else `undefined`.
   */
  put(key: DefaultKey, item: Item = {}, options: PutOptions = {}): Promise<Item | undefined> {
    let keyItem;
    try {
      keyItem = defaultKey(key);
      for (const name of ["pk", "sk"] as const) {
        if (item[name] !== undefined && item[name] !== keyItem[name]) {
          throw validation(`The item's ${name} does not match the key: ${String(item[name])}`);
        }
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#table.put({ ...keyItem, ...item }, options);
  }

  /**
   * Reads an item of the default table.
   *
   * @param key The partition key, or `{ pk, sk }`.
   * @param options Projection, as for `Table.get`.
   * @returns The item with its `pk`/`sk`, or `undefined` when there is none.
   */
  get(key: DefaultKey, options: GetOptions = {}): Promise<Item | undefined> {
    return this.#table.get(defaultKey(key), options);
  }

  /**
   * Deletes an item of the default table; deleting a missing item succeeds.
   *
   * @param key The partition key, or `{ pk, sk }`.
   * @param options Condition and return values, as for `Table.delete`.
   * @returns The old item when `returnValues` is `ALL_OLD`, else `undefined`.
   */
  async delete(key: DefaultKey, options: DeleteOptions = {}): Promise<Item | undefined> {
    return await this.#table.delete(defaultKey(key), options);
  }

  /**
   * Updates an item of the default table, creating it when missing; see `Table.update`.
   *
   * @param key The partition key, or `{ pk, sk }`.
   * @param options The update expression, condition, placeholders and what to return.
   * @returns What `returnValues` asks for.
   * @throws {ConditionalCheckFailedError} CONDITIONAL_CHECK_FAILED when the condition is false.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * await db.update("user#1", { updateExpression: "SET visits = :one", expressionAttributeValues: { ":one": 1 } });
   * assert.deepEqual(await db.get("user#1"), { pk: "user#1", visits: 1 });
   * ```
   */
  update(key: DefaultKey, options: UpdateOptions = {}): Promise<Item | undefined> {
    return this.#table.update(defaultKey(key), options);
  }

  /**
   * Queries a partition of the default table; see `Table.query`.
   *
   * @param options The key condition (on `pk` and `sk`) and DynamoDB's Query parameters.
   * @returns One page.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * await db.put({ pk: "user#1", sk: "order#1" }, { total: 5 });
   * await db.put({ pk: "user#1", sk: "profile" }, { name: "Ada" });
   * const page = await db.query({
   *   keyConditionExpression: "pk = :pk AND begins_with(sk, :order)",
   *   expressionAttributeValues: { ":pk": "user#1", ":order": "order#" },
   * });
   * assert.deepEqual(page.items, [{ pk: "user#1", sk: "order#1", total: 5 }]);
   * ```
   */
  query(options: QueryOptions): Promise<Page> {
    return this.#table.query(options);
  }

  /**
   * Pages through a Query of the default table from one snapshot; see `Table.queryPages`.
   *
   * @param options As {@linkcode Database.query}, plus an abort signal.
   * @returns The pages.
   */
  queryPages(options: QueryOptions & IterateOptions): AsyncGenerator<Page, void, undefined> {
    return this.#table.queryPages(options);
  }

  /**
   * Every item a Query of the default table matches; see `Table.queryAll`.
   *
   * @param options As {@linkcode Database.query}, plus an abort signal.
   * @returns The items.
   */
  queryAll(options: QueryOptions & IterateOptions): AsyncGenerator<Item, void, undefined> {
    return this.#table.queryAll(options);
  }

  /**
   * Scans one page of the default table; see `Table.scan`.
   *
   * @param options DynamoDB's Scan parameters.
   * @returns One page.
   */
  scan(options: ScanOptions = {}): Promise<Page> {
    return this.#table.scan(options);
  }

  /**
   * Pages through a Scan of the default table from one snapshot; see `Table.scanPages`.
   *
   * @param options As {@linkcode Database.scan}, plus an abort signal.
   * @returns The pages.
   */
  scanPages(options: ScanOptions & IterateOptions = {}): AsyncGenerator<Page, void, undefined> {
    return this.#table.scanPages(options);
  }

  /**
   * Every item of the default table; see `Table.scanAll`.
   *
   * @param options As {@linkcode Database.scan}, plus an abort signal.
   * @returns The items.
   */
  scanAll(options: ScanOptions & IterateOptions = {}): AsyncGenerator<Item, void, undefined> {
    return this.#table.scanAll(options);
  }
}

/**
 * The item key of a default-table key.
 *
 * @param key A partition key string, or `{ pk, sk }`.
 * @returns `{ pk }` or `{ pk, sk }`.
 * @throws {KstoneError} VALIDATION for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultKey } from "./default_table.ts";
 * assert.deepEqual(defaultKey("user#1"), { pk: "user#1" });
 * assert.deepEqual(defaultKey({ pk: "user#1", sk: "a" }), { pk: "user#1", sk: "a" });
 * ```
 */
export function defaultKey(key: DefaultKey): Item {
  if (typeof key === "string") return { pk: key };
  if (key === null || typeof key !== "object") {
    throw validation(`Invalid key: expected a string or { pk, sk }, got ${String(key)}`);
  }
  return key.sk === undefined ? { pk: key.pk } : { pk: key.pk, sk: key.sk };
}
