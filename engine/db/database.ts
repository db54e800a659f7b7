/**
 * The database: a directory such as `mydb.keystone/`, its default table (keys `pk` and an
 * optional `sk`, so `db.put("user#123", item)` works) and its named tables.
 *
 * @module
 */
import type { FileSystem } from "../fs/file_system.ts";
import { MemoryFileSystem } from "../fs/memory_fs.ts";
import { defaultFileSystem } from "../fs/runtime_fs.ts";
import { createStore, openStore } from "../store/open.ts";
import type { StoreOptions } from "../store/options.ts";
import type { Store } from "../store/store.ts";
import type {
  CreateTableOptions,
  TableDescription,
  TimeToLiveDescription,
  UpdateTableChanges,
} from "./admin_options.ts";
import { TableAdmin } from "./table_admin.ts";
import { type BackgroundOptions, BackgroundTasks } from "./background.ts";
import { listStreams, type StreamInfo } from "./stream_api.ts";
import { endWatches } from "../stream/watch.ts";
import { tableNotFound, TableRegistry } from "./table_registry.ts";
import { health, type HealthReport } from "./health.ts";
import type { KeySchema } from "./key_schema.ts";
import { collectStats, type DatabaseStats } from "./stats.ts";
import { type OperationCounters, Table, type TableContext } from "./table.ts";
// Operations (issue 3): the DynamoDB API over the default table and across tables.
import type { ApiContext } from "../api/context.ts";

/** Options of {@linkcode Database.create}, {@linkcode Database.open} and {@linkcode Database.memory}. */
export interface DatabaseOptions extends StoreOptions {
  /** The filesystem to use. @default the runtime's (Deno or node:fs) */
  fs?: FileSystem;
  /**
   * The clock, in milliseconds since the epoch, that decides time-to-live expiry and stamps
   * stream records; tests inject one. @default Date.now
   */
  clock?: () => number;
  /**
   * Milliseconds between two runs of the time-to-live sweeper, which deletes expired items in
   * the background; `0` turns it off (expired items stay hidden; `sweepExpired()` still works).
   * @default 60000
   */
  ttlSweepIntervalMs?: number;
  /** How long stream records are kept, in milliseconds. @default 86400000 (24 hours) */
  streamRetentionMs?: number;
}

import { DataPlane } from "./data_plane.ts";

export type { DefaultKey } from "./data_plane.ts";

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
export class Database extends DataPlane implements AsyncDisposable {
  readonly #store: Store;
  readonly #counters: OperationCounters;
  readonly #tables: TableRegistry;
  readonly #clock: () => number;
  readonly #context: TableContext;
  readonly #admin: TableAdmin;
  readonly #background: BackgroundTasks;

  private constructor(
    store: Store,
    clock: () => number = Date.now,
    background: BackgroundOptions = {},
  ) {
    const tables = new TableRegistry(store);
    const counters: OperationCounters = { puts: 0, gets: 0, deletes: 0 };
    const context: TableContext = { store, counters, tables, now: clock };
    super(new Table(context, tables.get("")!));
    this.#store = store;
    this.#clock = clock;
    this.#tables = tables;
    this.#counters = counters;
    this.#context = context;
    this.#admin = new TableAdmin({
      store,
      tables: this.#tables,
      now: clock,
      api: () => this.apiContext(),
    });
    this.#background = new BackgroundTasks(this.apiContext(), this.#tables, background);
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
    const { fs = defaultFileSystem(), clock, ttlSweepIntervalMs, streamRetentionMs, ...tuning } =
      options;
    return new Database(await createStore(fs, path, tuning), clock, {
      ttlSweepIntervalMs,
      streamRetentionMs,
    });
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
    const { fs = defaultFileSystem(), clock, ttlSweepIntervalMs, streamRetentionMs, ...tuning } =
      options;
    return new Database(await openStore(fs, path, tuning), clock, {
      ttlSweepIntervalMs,
      streamRetentionMs,
    });
  }

  /**
   * Creates a database that lives in memory only (the same engine on an in-memory filesystem).
   *
   * @param options Tuning.
   * @returns The open database.
   */
  static async memory(options: Omit<DatabaseOptions, "fs"> = {}): Promise<Database> {
    const { clock, ttlSweepIntervalMs, streamRetentionMs, ...tuning } = options;
    return new Database(
      await createStore(new MemoryFileSystem(), "/memory.keystone", tuning),
      clock,
      { ttlSweepIntervalMs, streamRetentionMs },
    );
  }

  /** The database directory. */
  get path(): string {
    return this.#store.dir;
  }

  /**
   * Creates a table, with its secondary indexes, stream and time to live (see
   * {@linkcode CreateTableOptions}).
   *
   * @param name 3 to 255 letters, digits, `_`, `-` or `.`.
   * @param keySchema The partition key and optional sort key, each with a type S, N or B.
   * @param options Local and global secondary indexes, a stream, time to live.
   * @returns The table.
   * @throws {KstoneError} RESOURCE_IN_USE when the table exists; VALIDATION for a bad name,
   *   schema or index, with DynamoDB's wording.
   *
   * @example A table with an index
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * await db.createTable("orders", {
   *   partitionKey: { name: "customer", type: "S" },
   *   sortKey: { name: "id", type: "S" },
   * }, {
   *   localIndexes: [{ name: "by_date", sortKey: { name: "date", type: "S" } }],
   *   globalIndexes: [{ name: "by_status", partitionKey: { name: "status", type: "S" }, projection: { type: "KEYS_ONLY" } }],
   * });
   * const { attributeDefinitions } = await db.describeTable("orders");
   * assert.deepEqual(attributeDefinitions.map((a) => a.name), ["customer", "id", "date", "status"]);
   * ```
   */
  async createTable(
    name: string,
    keySchema: KeySchema,
    options: CreateTableOptions = {},
  ): Promise<Table> {
    return new Table(this.#context, await this.#admin.createTable(name, keySchema, options));
  }

  /**
   * Describes a table: keys, status, item count and size (expired items left out), indexes
   * with their status, count and size, time to live and the latest stream.
   *
   * @param name The table's name; `""` is the default table.
   * @returns The description.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  describeTable(name: string): Promise<TableDescription> {
    return this.#admin.describeTable(name);
  }

  /**
   * Creates or deletes a global secondary index, or enables or disables the stream. A new
   * index is `CREATING` while the items already there are indexed in the background, then
   * `ACTIVE`; {@linkcode Database.waitForTable} waits for that.
   *
   * @param name The table's name; `""` is the default table.
   * @param changes One index update, or a stream change.
   * @throws {KstoneError} LIMIT_EXCEEDED while another index is being created or deleted;
   *   VALIDATION or RESOURCE_NOT_FOUND with DynamoDB's wording.
   *
   * @example Add an index to a table with items
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
   * await users.put({ id: "u1", email: "ada@example.com" });
   * await db.updateTable("users", {
   *   globalIndexUpdates: [{ create: { name: "by_email", partitionKey: { name: "email", type: "S" } } }],
   * });
   * await db.waitForTable("users");
   * const [index] = (await db.describeTable("users")).globalIndexes;
   * assert.equal(index?.status, "ACTIVE");
   * ```
   */
  async updateTable(name: string, changes: UpdateTableChanges): Promise<void> {
    await this.#admin.updateTable(name, changes);
  }

  /**
   * Waits until a table's indexes are all built or removed (the background work of
   * {@linkcode Database.updateTable} and of a reopen).
   *
   * @param name The table's name; `""` is the default table.
   * @returns Resolves when done; rejects with the error of a failed backfill.
   */
  waitForTable(name: string): Promise<void> {
    return this.#admin.waitForTable(name);
  }

  /**
   * Enables or disables time to live: with it on, items whose `attributeName` holds a number
   * of epoch seconds in the past are no longer read and are deleted in the background.
   *
   * @param name The table's name; `""` is the default table.
   * @param setting The attribute and whether expiry is on.
   * @throws {KstoneError} VALIDATION `TimeToLive is already enabled`, `TimeToLive is already
   *   disabled`, or `TimeToLive is active on a different AttributeName: ...`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * await db.updateTimeToLive("", { attributeName: "expires", enabled: true });
   * assert.deepEqual(db.describeTimeToLive(""), { status: "ENABLED", attributeName: "expires" });
   * await assert.rejects(db.updateTimeToLive("", { attributeName: "expires", enabled: true }), /already enabled/);
   * ```
   */
  async updateTimeToLive(
    name: string,
    setting: { readonly attributeName: string; readonly enabled: boolean },
  ): Promise<void> {
    await this.#admin.updateTimeToLive(name, setting);
  }

  /**
   * A table's time-to-live setting.
   *
   * @param name The table's name; `""` is the default table.
   * @returns `ENABLED` with its attribute, or `DISABLED`.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  describeTimeToLive(name: string): TimeToLiveDescription {
    return this.#admin.describeTimeToLive(name);
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
   * Deletes a table. Its items and index entries become unreachable at once and are dropped by
   * compaction ({@linkcode Database.compact} reclaims their space at once); its streams stay
   * readable. The id is never reused.
   *
   * @param name The table's name.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  async deleteTable(name: string): Promise<void> {
    await this.#admin.deleteTable(name);
  }

  /** Flushes every memtable to SSTs; the WAL is rewritten without what was flushed. */
  flush(): Promise<void> {
    return this.#store.flush();
  }

  /**
   * Compacts every stripe holding two or more SSTs, or one that may hold entries of a deleted
   * table or index, and waits for it.
   */
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

  /**
   * Stops the background tasks, ends stream iterations, flushes, closes every file and
   * releases the lock. Closing twice is a no-op.
   */
  async close(): Promise<void> {
    this.#admin.close();
    endWatches(this.#store);
    await this.#background.stop();
    await this.#store.close();
  }

  /**
   * Runs the time-to-live sweeper once, now: deletes every expired item of every table with
   * time to live on, each deletion with its index and stream changes (a REMOVE record marked
   * as the service's). The background sweeper does the same every `ttlSweepIntervalMs`.
   *
   * @returns How many items were deleted.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * let now = Date.UTC(2026, 0, 1);
   * await using db = await Database.memory({ clock: () => now });
   * await db.updateTimeToLive("", { attributeName: "expires", enabled: true });
   * await db.put("session", { expires: now / 1000 + 60 });
   * now += 61_000;
   * assert.equal(await db.get("session"), undefined); // hidden at once
   * assert.equal(await db.sweepExpired(), 1); // and now deleted
   * ```
   */
  sweepExpired(): Promise<number> {
    return this.#background.sweepExpired();
  }

  /**
   * Runs stream retention once, now: deletes the stream records older than
   * `streamRetentionMs`, in every stream.
   *
   * @returns How many records were deleted.
   */
  trimStreams(): Promise<number> {
    return this.#background.trimStreams();
  }

  /**
   * Every stream of the database, oldest first: the enabled ones, and disabled ones and those
   * of deleted tables while they hold records (what ListStreams lists).
   *
   * @returns The streams with their tables.
   */
  streams(): StreamInfo[] {
    return listStreams(this.#store, this.#tables);
  }

  /** Closes the database (`await using db = ...`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

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
}
