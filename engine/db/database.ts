/**
 * The database: a directory such as `mydb.keystone/`, its default table (keys `pk` and an
 * optional `sk`, so `db.put("user#123", item)` works) and its named tables.
 *
 * @module
 */
import { KstoneError, validation } from "../errors.ts";
import type { FileSystem } from "../fs/file_system.ts";
import { MemoryFileSystem } from "../fs/memory_fs.ts";
import { defaultFileSystem } from "../fs/runtime_fs.ts";
import { createStore, openStore } from "../store/open.ts";
import type { StoreOptions } from "../store/options.ts";
import type { Store } from "../store/store.ts";
import type { TableDefinition } from "./catalog.ts";
import { tableNotFound, TableRegistry } from "./table_registry.ts";
import { health, type HealthReport } from "./health.ts";
import { checkKeySchema, type KeySchema } from "./key_schema.ts";
import { collectStats, type DatabaseStats } from "./stats.ts";
import { type Item, type OperationCounters, Table, type TableContext } from "./table.ts";
// Operations (issue 3): the DynamoDB API over the default table and across tables.
import type { ApiContext } from "../api/context.ts";
import { batchGetItem } from "../api/batch_get_item.ts";
import { batchWriteItem } from "../api/batch_write_item.ts";
import { transactGetItems } from "../api/transact_get_items.ts";
import { transactWriteItems } from "../api/transact_write_items.ts";
import { unmarshallItem } from "../model/marshall.ts";
import {
  batchGetInput,
  batchWriteInput,
  transactGetInput,
  transactWriteInput,
} from "./_batch_convert.ts";
import type {
  BatchGetRequest,
  BatchGetResult,
  BatchWriteRequest,
  TransactGet,
  TransactWriteAction,
} from "./batch_options.ts";
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

/** Options of {@linkcode Database.create}, {@linkcode Database.open} and {@linkcode Database.memory}. */
export interface DatabaseOptions extends StoreOptions {
  /** The filesystem to use. @default the runtime's (Deno or node:fs) */
  fs?: FileSystem;
  /**
   * The clock, in milliseconds since the epoch, that decides time-to-live expiry and stamps
   * stream records; tests inject one. @default Date.now
   */
  clock?: () => number;
}

/** A key of the default table: a partition key string, or `pk` with an optional `sk`. */
export type DefaultKey = string | { readonly pk: string; readonly sk?: string };

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * An open kstone database.
 *
 * @example The default table, in the troubleshooting chapter's style
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * await using db = await Database.memory();
 * await db.put("user#123", { name: "Ada", age: 36 });
 * await db.put({ pk: "user#123", sk: "profile" }, { theme: "dark" });
 * assert.deepEqual(await db.get("user#123"), { pk: "user#123", name: "Ada", age: 36 });
 * assert.equal((await db.get({ pk: "user#123", sk: "profile" }))?.theme, "dark");
 * ```
 */
export class Database implements AsyncDisposable {
  readonly #store: Store;
  readonly #counters: OperationCounters = { puts: 0, gets: 0, deletes: 0 };
  readonly #tables: TableRegistry;
  readonly #clock: () => number;
  readonly #context: TableContext;
  readonly #default: Table;

  private constructor(store: Store, clock: () => number = Date.now) {
    this.#store = store;
    this.#clock = clock;
    this.#tables = new TableRegistry(store);
    this.#context = { store, counters: this.#counters, tables: this.#tables, now: clock };
    this.#default = new Table(this.#context, this.#tables.get("")!);
  }

  /**
   * Creates a new database directory (and missing parents) and opens it.
   *
   * @param path The directory, e.g. `mydb.keystone`.
   * @param options Filesystem and tuning.
   * @returns The open database.
   * @throws {KstoneError} ALREADY_EXISTS `Database already exists at <path>`.
   */
  static async create(path: string, options: DatabaseOptions = {}): Promise<Database> {
    const { fs = defaultFileSystem(), clock, ...tuning } = options;
    return new Database(await createStore(fs, path, tuning), clock);
  }

  /**
   * Opens an existing database directory, recovering it after a crash.
   *
   * @param path The directory.
   * @param options Filesystem and tuning.
   * @returns The open database.
   * @throws {KstoneError} IO_ERROR `IO error: No such file or directory (os error 2)` when there
   *   is none; CORRUPTION naming a damaged file; LOCKED when another process has it open.
   */
  static async open(path: string, options: DatabaseOptions = {}): Promise<Database> {
    const { fs = defaultFileSystem(), clock, ...tuning } = options;
    return new Database(await openStore(fs, path, tuning), clock);
  }

  /**
   * Creates a database that lives in memory only (the same engine on an in-memory filesystem).
   *
   * @param options Tuning.
   * @returns The open database.
   */
  static async memory(options: Omit<DatabaseOptions, "fs"> = {}): Promise<Database> {
    const { clock, ...tuning } = options;
    return new Database(
      await createStore(new MemoryFileSystem(), "/memory.keystone", tuning),
      clock,
    );
  }

  /** The database directory. */
  get path(): string {
    return this.#store.dir;
  }

  /**
   * Stores an item in the default table under `key`, replacing any item there. The item's
   * `pk` (and `sk`) attributes are set from the key. Resolves once the write is durable.
   *
   * @param key The partition key, or `{ pk, sk }`.
   * @param item The other attributes.
   * @param options Condition and return values, as for {@linkcode Table.put}.
   * @returns The old item when `returnValues` is `ALL_OLD`, else `undefined`.
   */
  async put(key: DefaultKey, item: Item = {}, options: PutOptions = {}): Promise<Item | undefined> {
    const keyItem = defaultKey(key);
    for (const name of ["pk", "sk"] as const) {
      if (item[name] !== undefined && item[name] !== keyItem[name]) {
        throw validation(`The item's ${name} does not match the key: ${String(item[name])}`);
      }
    }
    return await this.#default.put({ ...keyItem, ...item }, options);
  }

  /**
   * Reads an item of the default table.
   *
   * @param key The partition key, or `{ pk, sk }`.
   * @param options Projection, as for {@linkcode Table.get}.
   * @returns The item with its `pk`/`sk`, or `undefined` when there is none.
   */
  // deno-lint-ignore require-await
  async get(key: DefaultKey, options: GetOptions = {}): Promise<Item | undefined> {
    return this.#default.getSync(defaultKey(key), options);
  }

  /**
   * Deletes an item of the default table; deleting a missing item succeeds.
   *
   * @param key The partition key, or `{ pk, sk }`.
   * @param options Condition and return values, as for {@linkcode Table.delete}.
   * @returns The old item when `returnValues` is `ALL_OLD`, else `undefined`.
   */
  async delete(key: DefaultKey, options: DeleteOptions = {}): Promise<Item | undefined> {
    return await this.#default.delete(defaultKey(key), options);
  }

  /**
   * Creates a table.
   *
   * @param name 3 to 255 letters, digits, `_`, `-` or `.`.
   * @param keySchema The partition key and optional sort key, each with a type S, N or B.
   * @returns The table.
   * @throws {KstoneError} RESOURCE_IN_USE when the table exists; VALIDATION for a bad name or schema.
   */
  async createTable(name: string, keySchema: KeySchema): Promise<Table> {
    if (typeof name !== "string" || !TABLE_NAME.test(name)) {
      throw validation(
        `Invalid table name: ${String(name)}: must be 3 to 255 characters of [A-Za-z0-9_.-]`,
      );
    }
    if (this.#tables.get(name) !== undefined) {
      throw new KstoneError("RESOURCE_IN_USE", `Table already exists: ${name}`);
    }
    const definition: TableDefinition = {
      id: this.#tables.allocateId(),
      name,
      keySchema: checkKeySchema(keySchema),
      createdAt: this.#clock(),
      status: "ACTIVE",
    };
    await this.#tables.save(definition);
    return new Table(this.#context, definition);
  }

  /**
   * Gets a table by name.
   *
   * @param name The table's name.
   * @returns The table.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  table(name: string): Table {
    const definition = this.#tables.get(name);
    if (definition === undefined || name === "") throw tableNotFound(name);
    return new Table(this.#context, definition);
  }

  /** The names of the tables, sorted. */
  listTables(): string[] {
    return this.#tables.names();
  }

  /**
   * Deletes a table. Its items become unreachable at once; the id is never reused.
   *
   * @param name The table's name.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  async deleteTable(name: string): Promise<void> {
    const definition = this.#tables.get(name);
    if (definition === undefined || name === "") throw tableNotFound(name);
    await this.#tables.save({ ...definition, status: "DELETED" });
  }

  /** Flushes every memtable to SSTs; the WAL is rewritten without what was flushed. */
  flush(): Promise<void> {
    return this.#store.flush();
  }

  /** Compacts every stripe holding two or more SSTs and waits for it. */
  compact(): Promise<void> {
    return this.#store.compact();
  }

  /**
   * Reports counters and sizes: operations, memtable, SSTs per stripe, disk and WAL bytes,
   * flushes, last LSN, and compaction totals.
   *
   * @returns A fresh report.
   */
  stats(): Promise<DatabaseStats> {
    return collectStats(this.#store, this.#counters, this.#tables.size);
  }

  /**
   * Judges the database healthy, degraded or unhealthy, as the troubleshooting chapter's
   * "Health Check Interpretation" describes.
   *
   * @returns Status, warnings and errors.
   */
  health(): HealthReport {
    return health(this.#store);
  }

  /** Flushes, closes every file and releases the lock. Closing twice is a no-op. */
  close(): Promise<void> {
    return this.#store.close();
  }

  /** Closes the database (`await using db = ...`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // --- Operations (issue 3) -------------------------------------------------------------------

  #api: ApiContext | undefined;

  /**
   * The AttributeValue-level context the DynamoDB operations of `engine/api/` take (what the
   * server maps requests onto). Tables are resolved by name when a request runs; the default
   * table is named `""`.
   *
   * @returns The context.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * import { getItem } from "../api/get_item.ts";
   * await using db = await Database.memory();
   * await db.put("a", { n: 1 });
   * const output = await getItem(db.apiContext(), { TableName: "", Key: { pk: { S: "a" } } });
   * assert.deepEqual(output.Item, { pk: { S: "a" }, n: { N: "1" } });
   * ```
   */
  apiContext(): ApiContext {
    if (this.#api !== undefined) return this.#api;
    this.#api = {
      store: this.#store,
      counters: this.#counters,
      table: (name) => this.#tables.api(name),
      now: this.#clock,
    };
    return this.#api;
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
    return this.#default.update(defaultKey(key), options);
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
    return this.#default.query(options);
  }

  /**
   * Pages through a Query of the default table from one snapshot; see `Table.queryPages`.
   *
   * @param options As {@linkcode Database.query}, plus an abort signal.
   * @returns The pages.
   */
  queryPages(options: QueryOptions & IterateOptions): AsyncGenerator<Page, void, undefined> {
    return this.#default.queryPages(options);
  }

  /**
   * Every item a Query of the default table matches; see `Table.queryAll`.
   *
   * @param options As {@linkcode Database.query}, plus an abort signal.
   * @returns The items.
   */
  queryAll(options: QueryOptions & IterateOptions): AsyncGenerator<Item, void, undefined> {
    return this.#default.queryAll(options);
  }

  /**
   * Scans one page of the default table; see `Table.scan`.
   *
   * @param options DynamoDB's Scan parameters.
   * @returns One page.
   */
  scan(options: ScanOptions = {}): Promise<Page> {
    return this.#default.scan(options);
  }

  /**
   * Pages through a Scan of the default table from one snapshot; see `Table.scanPages`.
   *
   * @param options As {@linkcode Database.scan}, plus an abort signal.
   * @returns The pages.
   */
  scanPages(options: ScanOptions & IterateOptions = {}): AsyncGenerator<Page, void, undefined> {
    return this.#default.scanPages(options);
  }

  /**
   * Every item of the default table; see `Table.scanAll`.
   *
   * @param options As {@linkcode Database.scan}, plus an abort signal.
   * @returns The items.
   */
  scanAll(options: ScanOptions & IterateOptions = {}): AsyncGenerator<Item, void, undefined> {
    return this.#default.scanAll(options);
  }

  /**
   * Reads up to 100 items from one or more tables (`""` is the default table) in one
   * consistent step. Missing items are left out of the result.
   *
   * @param request Table name to keys (or to `{ keys, projectionExpression }`).
   * @returns Table name to the items found, in the order of the keys.
   * @throws {KstoneError} VALIDATION: `Too many items requested for the BatchGetItem call`
   *   over 100 keys, `Provided list of item keys contains duplicates`, a bad key.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
   * await users.put({ id: "u1", name: "Ada" });
   * await db.put("settings", { theme: "dark" });
   * const found = await db.batchGet({ users: [{ id: "u1" }, { id: "u2" }], "": ["settings"] });
   * assert.deepEqual(found, { users: [{ id: "u1", name: "Ada" }], "": [{ pk: "settings", theme: "dark" }] });
   * ```
   */
  async batchGet(request: BatchGetRequest): Promise<BatchGetResult> {
    const result: BatchGetResult = {};
    let input = batchGetInput(request);
    for (;;) {
      const output = await batchGetItem(this.apiContext(), input);
      for (const [name, items] of Object.entries(output.Responses)) {
        const list = result[name] ??= [];
        for (const item of items) list.push(unmarshallItem(item));
      }
      if (Object.keys(output.UnprocessedKeys).length === 0) return result;
      input = { RequestItems: output.UnprocessedKeys };
    }
  }

  /**
   * Writes up to 25 puts and deletes over one or more tables (`""` is the default table), no
   * two on the same item, as one atomic commit. Resolves once durable.
   *
   * @param request Table name to `{ put: item }` and `{ delete: key }` writes.
   * @throws {KstoneError} VALIDATION: `Too many items requested for the BatchWriteItem call`
   *   over 25, `Provided list of item keys contains duplicates`, a bad key or item.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * await db.batchWrite({ "": [{ put: { pk: "a", n: 1 } }, { put: { pk: "b", n: 2 } }] });
   * await db.batchWrite({ "": [{ delete: "a" }] });
   * assert.deepEqual((await db.scan()).items, [{ pk: "b", n: 2 }]);
   * ```
   */
  async batchWrite(request: BatchWriteRequest): Promise<void> {
    await batchWriteItem(this.apiContext(), batchWriteInput(request));
  }

  /**
   * Runs up to 100 puts, updates, deletes and condition checks on distinct items, all or
   * nothing, as one WAL record. Resolves once durable.
   *
   * @param actions The actions; `tableName` defaults to the default table.
   * @throws {TransactionCanceledError} TRANSACTION_CANCELED when a condition fails (or an
   *   update cannot apply); its `reasons` has one entry per action.
   * @throws {KstoneError} VALIDATION: no actions or more than 100, `Transaction request
   *   cannot include multiple operations on one item`, a bad key, item or expression.
   *
   * @example A transfer that must not overdraw
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database, type TransactionCanceledError } from "../../mod.ts";
   * await using db = await Database.memory();
   * await db.put("alice", { balance: 5 });
   * const transfer = (amount: number) =>
   *   db.transactWrite([
   *     {
   *       update: {
   *         key: "alice",
   *         updateExpression: "SET balance = balance - :a",
   *         conditionExpression: "balance >= :a",
   *         expressionAttributeValues: { ":a": amount },
   *       },
   *     },
   *     { update: { key: "bob", updateExpression: "ADD balance :a", expressionAttributeValues: { ":a": amount } } },
   *   ]);
   * await transfer(3);
   * await assert.rejects(transfer(3), (error: TransactionCanceledError) => {
   *   assert.deepEqual(error.reasons.map((r) => r.code), ["ConditionalCheckFailed", "None"]);
   *   return true;
   * });
   * assert.equal((await db.get("bob"))?.balance, 3);
   * ```
   */
  async transactWrite(actions: readonly TransactWriteAction[]): Promise<void> {
    await transactWriteItems(this.apiContext(), transactWriteInput(actions));
  }

  /**
   * Reads up to 100 distinct items as of one moment.
   *
   * @param gets The reads; `tableName` defaults to the default table.
   * @returns One entry per read, in order: the item, or `undefined` when missing.
   * @throws {KstoneError} VALIDATION: no reads or more than 100, the same item twice, a bad key.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * await db.put("a", { n: 1 });
   * assert.deepEqual(await db.transactGet([{ key: "a" }, { key: "b" }]), [{ pk: "a", n: 1 }, undefined]);
   * ```
   */
  async transactGet(gets: readonly TransactGet[]): Promise<(Item | undefined)[]> {
    const output = await transactGetItems(this.apiContext(), transactGetInput(gets));
    return output.Responses.map((response) =>
      response.Item === undefined ? undefined : unmarshallItem(response.Item)
    );
  }
}

function defaultKey(key: DefaultKey): Item {
  if (typeof key === "string") return { pk: key };
  if (key === null || typeof key !== "object") {
    throw validation(`Invalid key: expected a string or { pk, sk }, got ${String(key)}`);
  }
  return key.sk === undefined ? { pk: key.pk } : { pk: key.pk, sk: key.sk };
}
