/**
 * A table: items addressed by their key attributes. Every method is a thin wrapper over the
 * DynamoDB operations of `engine/api/`, converting plain JS values to AttributeValues and back.
 *
 * @module
 */
import type { ApiContext } from "../api/context.ts";
import { deleteItem } from "../api/delete_item.ts";
import { getItemSync, getPlainItemSync } from "../api/get_item.ts";
import { putItem, putPlainItem } from "../api/put_item.ts";
import { putMany } from "../api/put_many.ts";
import { planQuery, queryPage } from "../api/query.ts";
import { planScan, scanPage } from "../api/scan.ts";
import { updateItem } from "../api/update_item.ts";
import { marshallItem } from "../model/marshall.ts";
import type { Store } from "../store/store.ts";
import type { TableDefinition } from "./catalog.ts";
import type { KeySchema } from "./key_schema.ts";
import { tableNotFound, type TableRegistry } from "./table_registry.ts";
import {
  conditionInput,
  isPlainPut,
  PLAIN_ITEMS,
  plainItem,
  queryInput,
  scanInput,
  toPage,
} from "./_convert.ts";
import { itemsOf, pages } from "./_pages.ts";
import {
  followChanges,
  readChanges,
  type ReadStreamOptions,
  type StreamChange,
  type StreamChangePage,
  type StreamRecordsOptions,
  tableStream,
} from "./stream_api.ts";
import type {
  DeleteOptions,
  GetOptions,
  Item,
  IterateOptions,
  Page,
  PutOptions,
  QueryOptions,
  ScanOptions,
  UpdateOptions,
} from "./table_options.ts";

export type { Item } from "./table_options.ts";

/** Operation counters shared by the tables of one database. */
export interface OperationCounters {
  puts: number;
  gets: number;
  deletes: number;
}

/** What a {@linkcode Table} needs from its database. */
export interface TableContext {
  readonly store: Store;
  readonly counters: OperationCounters;
  /** The database's live tables. */
  readonly tables: TableRegistry;
  /** The database's clock, milliseconds since the epoch. */
  readonly now: () => number;
}

/**
 * A table of items. Get one from `Database.createTable` or `Database.table`.
 *
 * @example Put, get and delete
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * const db = await Database.memory();
 * const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
 * await users.put({ id: "u1", name: "Ada" });
 * assert.deepEqual(await users.get({ id: "u1" }), { id: "u1", name: "Ada" });
 * await users.delete({ id: "u1" });
 * assert.equal(await users.get({ id: "u1" }), undefined);
 * await db.close();
 * ```
 */
export class Table {
  readonly #context: TableContext;
  readonly #definition: TableDefinition;
  readonly #api: ApiContext;

  /**
   * @param context The database's store, counters and tables.
   * @param definition The table's catalog entry when the handle is made; the handle follows
   *   later changes of the table (UpdateTable) and fails once the table is deleted.
   */
  constructor(context: TableContext, definition: TableDefinition) {
    this.#context = context;
    this.#definition = definition;
    const { id, name } = definition;
    this.#api = {
      store: context.store,
      counters: context.counters,
      now: context.now,
      table: () => {
        if (context.tables.get(name)?.id !== id) throw tableNotFound(name);
        return context.tables.api(name);
      },
    };
  }

  /** The table's name. */
  get name(): string {
    return this.#definition.name;
  }

  /** The table's key schema. */
  get keySchema(): KeySchema {
    return this.#definition.keySchema;
  }

  /**
   * Stores an item, replacing any item with the same key; with a `conditionExpression`, only
   * when it holds (checked and written atomically). Resolves once the write is durable.
   *
   * @param item The item; it must hold the key attributes.
   * @param options Condition, placeholders and what to return.
   * @returns The replaced item with `returnValues: "ALL_OLD"`, else `undefined`.
   * @throws {ConditionalCheckFailedError} CONDITIONAL_CHECK_FAILED when the condition is false.
   * @throws {KstoneError} VALIDATION when a key attribute is missing or of the wrong type, a
   *   key is too large, the item exceeds 400 KB or holds a value that cannot be stored.
   *
   * @example Create only if absent
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
   * await users.put({ id: "u1", name: "Ada" }, { conditionExpression: "attribute_not_exists(id)" });
   * await assert.rejects(
   *   users.put({ id: "u1", name: "Eve" }, { conditionExpression: "attribute_not_exists(id)" }),
   *   { code: "CONDITIONAL_CHECK_FAILED" },
   * );
   * ```
   */
  put(item: Item, options: PutOptions = {}): Promise<Item | undefined> {
    // The plain path hands back the commit's own promise (it resolves to undefined): an async
    // wrapper would cost a promise and a turn per put.
    let plain: Promise<void> | undefined;
    try {
      plain = isPlainPut(options) ? putPlainItem(this.#api, this.name, item) : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
    return plain === undefined ? this.#put(item, options) : plain as Promise<undefined>;
  }

  async #put(item: Item, options: PutOptions): Promise<Item | undefined> {
    const output = await putItem(this.#api, {
      TableName: this.name,
      Item: marshallItem(item),
      ...conditionInput(options),
      ReturnValues: options.returnValues,
    });
    return plainItem(output.Attributes);
  }

  /**
   * Puts many items at once, replacing any item with the same key, as one atomic commit (one
   * WAL record): after a crash either all of them are there or none is. The fast way to load
   * data; resolves once the batch is durable.
   *
   * @param items The items; each must hold the key attributes. Of items with the same key the
   *   last one wins.
   * @throws {KstoneError} VALIDATION for a bad item (then nothing is written) or a batch over
   *   the WAL record limit of 64 MiB.
   *
   * @example Load a thousand items in one commit
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * const readings = await db.createTable("readings", {
   *   partitionKey: { name: "sensor", type: "S" },
   *   sortKey: { name: "t", type: "N" },
   * });
   * await readings.putMany(Array.from({ length: 1000 }, (_, t) => ({ sensor: "s1", t, value: t / 10 })));
   * assert.deepEqual(await readings.get({ sensor: "s1", t: 999 }), { sensor: "s1", t: 999, value: 99.9 });
   * ```
   */
  async putMany(items: Iterable<Item>): Promise<void> {
    await putMany(this.#api, this.name, items);
  }

  /**
   * Reads an item by its key.
   *
   * @param key The key attributes, and nothing else.
   * @param options Projection.
   * @returns The item, or `undefined` when there is none.
   */
  // deno-lint-ignore require-await
  async get(key: Item, options: GetOptions = {}): Promise<Item | undefined> {
    return this.getSync(key, options);
  }

  /**
   * Reads an item by its key, synchronously.
   *
   * @param key The key attributes, and nothing else.
   * @param options Projection.
   * @returns The item, or `undefined` when there is none.
   */
  getSync(key: Item, options: GetOptions = {}): Item | undefined {
    if (
      options.projectionExpression === undefined && options.expressionAttributeNames === undefined
    ) {
      return getPlainItemSync(this.#api, this.name, key);
    }
    const output = getItemSync(this.#api, {
      TableName: this.name,
      Key: marshallItem(key),
      ProjectionExpression: options.projectionExpression,
      ExpressionAttributeNames: options.expressionAttributeNames,
    });
    return plainItem(output.Item);
  }

  /**
   * Updates an item, creating it from its key when it is missing; with a
   * `conditionExpression`, only when it holds. Resolves once the write is durable.
   *
   * @param key The key attributes, and nothing else.
   * @param options The update expression, condition, placeholders and what to return.
   * @returns What `returnValues` asks for (`undefined` for `NONE` or when there is nothing).
   * @throws {ConditionalCheckFailedError} CONDITIONAL_CHECK_FAILED when the condition is false.
   * @throws {KstoneError} VALIDATION for a bad key or expression, an update of a key
   *   attribute, or one that does not fit the item.
   *
   * @example A counter
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * const pages = await db.createTable("pages", { partitionKey: { name: "url", type: "S" } });
   * const hit = () =>
   *   pages.update({ url: "/" }, {
   *     updateExpression: "ADD hits :one",
   *     expressionAttributeValues: { ":one": 1 },
   *     returnValues: "UPDATED_NEW",
   *   });
   * assert.deepEqual(await hit(), { hits: 1 });
   * assert.deepEqual(await hit(), { hits: 2 });
   * ```
   */
  async update(key: Item, options: UpdateOptions = {}): Promise<Item | undefined> {
    const output = await updateItem(this.#api, {
      TableName: this.name,
      Key: marshallItem(key),
      UpdateExpression: options.updateExpression,
      ...conditionInput(options),
      ReturnValues: options.returnValues,
    });
    return plainItem(output.Attributes);
  }

  /**
   * Deletes an item by its key; deleting a missing item succeeds. With a
   * `conditionExpression`, only when it holds. Resolves once durable.
   *
   * @param key The key attributes, and nothing else.
   * @param options Condition, placeholders and what to return.
   * @returns The deleted item with `returnValues: "ALL_OLD"`, else `undefined`.
   * @throws {ConditionalCheckFailedError} CONDITIONAL_CHECK_FAILED when the condition is false.
   */
  async delete(key: Item, options: DeleteOptions = {}): Promise<Item | undefined> {
    const output = await deleteItem(this.#api, {
      TableName: this.name,
      Key: marshallItem(key),
      ...conditionInput(options),
      ReturnValues: options.returnValues,
    });
    return plainItem(output.Attributes);
  }

  /**
   * Reads one page of a partition in sort key order. A page holds at most `limit` items read
   * and stops after the item that brings it to 1 MB; `lastEvaluatedKey` is set only when
   * more items follow.
   *
   * @param options The key condition and the rest of DynamoDB's Query parameters.
   * @returns The page.
   * @throws {KstoneError} VALIDATION for a bad expression, parameter, key value type or start key.
   *
   * @example The newest two orders of a customer
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * const orders = await db.createTable("orders", {
   *   partitionKey: { name: "customer", type: "S" },
   *   sortKey: { name: "at", type: "N" },
   * });
   * for (const at of [1, 2, 3]) await orders.put({ customer: "c1", at });
   * const page = await orders.query({
   *   keyConditionExpression: "customer = :c",
   *   expressionAttributeValues: { ":c": "c1" },
   *   scanIndexForward: false,
   *   limit: 2,
   * });
   * assert.deepEqual(page.items.map((item) => item.at), [3, 2]);
   * assert.deepEqual(page.lastEvaluatedKey, { customer: "c1", at: 2 });
   * ```
   */
  // deno-lint-ignore require-await
  async query(options: QueryOptions): Promise<Page> {
    const input = queryInput(this.name, options);
    return toPage(
      queryPage(
        this.#context.store,
        planQuery(this.#api, input),
        input.ExclusiveStartKey,
        PLAIN_ITEMS,
      ),
    );
  }

  /**
   * Pages through a Query; every page comes from one snapshot taken when the iteration
   * starts. `limit` is the size of each page. Finish the loop or `break` out of it: an
   * iterator left suspended keeps its snapshot.
   *
   * @param options As {@linkcode Table.query}, plus an abort signal.
   * @returns The pages.
   * @throws {KstoneError} VALIDATION at once for a bad request.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * for (const sk of ["a", "b", "c"]) await db.put({ pk: "p", sk });
   * const sizes = [];
   * for await (const page of db.queryPages({ keyConditionExpression: "pk = :p", expressionAttributeValues: { ":p": "p" }, limit: 2 })) {
   *   sizes.push(page.items.length);
   * }
   * assert.deepEqual(sizes, [2, 1]);
   * ```
   */
  queryPages(options: QueryOptions & IterateOptions): AsyncGenerator<Page, void, undefined> {
    const input = queryInput(this.name, options);
    const plan = planQuery(this.#api, input);
    return pages(this.#context.store, plan, queryPage, input.ExclusiveStartKey, options.signal);
  }

  /**
   * Every item a Query matches, across pages, from one snapshot; see {@linkcode Table.queryPages}.
   *
   * @param options As {@linkcode Table.query}, plus an abort signal.
   * @returns The items.
   */
  queryAll(options: QueryOptions & IterateOptions): AsyncGenerator<Item, void, undefined> {
    return itemsOf(this.queryPages(options));
  }

  /**
   * Reads one page of the table (or of one segment of a parallel scan), in stripe order and
   * then key order. Paging, filter, projection and counts work as in {@linkcode Table.query}.
   *
   * @param options DynamoDB's Scan parameters.
   * @returns The page.
   * @throws {KstoneError} VALIDATION for a bad expression, parameter or start key.
   *
   * @example Two segments of a parallel scan cover the table once
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * for (let i = 0; i < 20; i++) await db.put(`user#${i}`);
   * const [a, b] = await Promise.all([0, 1].map((segment) => db.scan({ segment, totalSegments: 2 })));
   * assert.equal(a!.count + b!.count, 20);
   * ```
   */
  // deno-lint-ignore require-await
  async scan(options: ScanOptions = {}): Promise<Page> {
    const input = scanInput(this.name, options);
    return toPage(
      scanPage(
        this.#context.store,
        planScan(this.#api, input),
        input.ExclusiveStartKey,
        PLAIN_ITEMS,
      ),
    );
  }

  /**
   * Pages through a Scan from one snapshot; see {@linkcode Table.queryPages}.
   *
   * @param options As {@linkcode Table.scan}, plus an abort signal.
   * @returns The pages.
   */
  scanPages(options: ScanOptions & IterateOptions = {}): AsyncGenerator<Page, void, undefined> {
    const input = scanInput(this.name, options);
    const plan = planScan(this.#api, input);
    return pages(this.#context.store, plan, scanPage, input.ExclusiveStartKey, options.signal);
  }

  /**
   * Every item of the table (or segment), across pages, from one snapshot.
   *
   * @param options As {@linkcode Table.scan}, plus an abort signal.
   * @returns The items.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * await db.put("a", { n: 1 });
   * await db.put("b", { n: 2 });
   * const total = await Array.fromAsync(db.scanAll(), (item) => item.n as number);
   * assert.equal(total.reduce((x, y) => x + y), 3);
   * ```
   */
  scanAll(options: ScanOptions & IterateOptions = {}): AsyncGenerator<Item, void, undefined> {
    return itemsOf(this.scanPages(options));
  }

  /**
   * Reads one page of the table's stream (its latest one, enabled or not; still readable once
   * the table is deleted, until its records age out), oldest record first.
   *
   * @param options Where to start (`after` the `last` of the previous page) and how many.
   * @returns The records and the position to go on from.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when the table never had a stream.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
   *   stream: { viewType: "NEW_AND_OLD_IMAGES" },
   * });
   * await users.put({ id: "u1", name: "Ada" });
   * await users.put({ id: "u1", name: "Ada L." });
   * const { records } = await users.readStream();
   * assert.deepEqual(records.map((r) => r.eventName), ["INSERT", "MODIFY"]);
   * assert.deepEqual(records[1]?.oldImage, { id: "u1", name: "Ada" });
   * ```
   */
  // deno-lint-ignore require-await
  async readStream(options: ReadStreamOptions = {}): Promise<StreamChangePage> {
    return readChanges(this.#context.store, tableStream(this.#current()), options);
  }

  /**
   * Follows the table's stream: yields its records from `from` on, then waits for each new one
   * and yields it as soon as its write is committed. The iteration ends when the database
   * closes; aborting its signal makes it throw the signal's reason.
   *
   * @param options Where to start (default the oldest record kept) and an abort signal.
   * @returns The records, in order.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when the table never had a stream.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
   *   stream: { viewType: "KEYS_ONLY" },
   * });
   * const changes = users.streamRecords({ from: "LATEST" });
   * const first = changes.next(); // waits
   * await users.put({ id: "u1" });
   * assert.deepEqual((await first).value?.keys, { id: "u1" });
   * ```
   */
  streamRecords(options: StreamRecordsOptions = {}): AsyncGenerator<StreamChange, void, undefined> {
    return followChanges(this.#context.store, tableStream(this.#current()), options);
  }

  #current(): TableDefinition {
    return this.#context.tables.byId(this.#definition.id) ?? this.#definition;
  }
}
