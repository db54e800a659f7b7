/**
 * The data plane of a database: the default table's item methods, in the troubleshooting
 * chapter's style (`db.put("user#123", item)`, keys `pk` and an optional `sk`), and the
 * operations that span tables (batches and transactions). `Database` extends it.
 *
 * @module
 */
import type { ApiContext } from "../api/context.ts";
import { batchGetItem } from "../api/batch_get_item.ts";
import { batchWriteItem } from "../api/batch_write_item.ts";
import { transactGetItems } from "../api/transact_get_items.ts";
import { transactWriteItems } from "../api/transact_write_items.ts";
import { validation } from "../errors.ts";
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
import type { Item, Table } from "./table.ts";
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

/**
 * The default table's item methods and the cross-table operations of a database. Use it
 * through `Database`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { DataPlane } from "./data_plane.ts";
 * await using db = await Database.memory();
 * assert.ok(db instanceof DataPlane);
 * await db.put({ pk: "user#1", sk: "profile" }, { name: "Ada" });
 * assert.deepEqual(await db.get({ pk: "user#1", sk: "profile" }), {
 *   pk: "user#1",
 *   sk: "profile",
 *   name: "Ada",
 * });
 * ```
 */
export abstract class DataPlane {
  readonly #default: Table;

  /**
   * @param defaultTable The default table (keys `pk` and an optional `sk`).
   */
  protected constructor(defaultTable: Table) {
    this.#default = defaultTable;
  }

  /**
   * The AttributeValue-level context the DynamoDB operations of `engine/api/` take.
   *
   * @returns The context.
   */
  abstract apiContext(): ApiContext;

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
