/**
 * The data plane of a database: the default table's item methods (from
 * {@linkcode DefaultTableMethods}) and the operations that span tables (batches and
 * transactions). `Database` extends it.
 *
 * @module
 */
import type { ApiContext } from "../api/context.ts";
import { batchGetItem } from "../api/batch_get_item.ts";
import { batchWriteItem } from "../api/batch_write_item.ts";
import { putMany } from "../api/put_many.ts";
import { putPlainItemUnderKey } from "../api/put_item.ts";
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
import type { Item, Table } from "./table.ts";
import { type DefaultKey, DefaultTableMethods } from "./default_table.ts";
import type { PutOptions } from "./table_options.ts";
import { isPlainPut } from "./_convert.ts";

export type { DefaultKey } from "./default_table.ts";

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
export abstract class DataPlane extends DefaultTableMethods {
  /**
   * @param defaultTable The default table (keys `pk` and an optional `sk`).
   */
  protected constructor(defaultTable: Table) {
    super(defaultTable);
  }

  /**
   * The AttributeValue-level context the DynamoDB operations of `engine/api/` take.
   *
   * @returns The context.
   */
  abstract apiContext(): ApiContext;

  /**
   * Stores an item in the default table under `key`; see {@linkcode DefaultTableMethods.put}.
   * A plain put (no options) of string keys is encoded without merging key and item first.
   *
   * @param key The partition key, or `{ pk, sk }`.
   * @param item The other attributes.
   * @param options Condition and return values, as for `Table.put`.
   * @returns The old item when `returnValues` is `ALL_OLD`, else `undefined`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * await db.put({ pk: "user#1", sk: "profile" }, { sk: "profile", name: "Ada" });
   * assert.deepEqual(await db.get({ pk: "user#1", sk: "profile" }), { pk: "user#1", sk: "profile", name: "Ada" });
   * await assert.rejects(db.put("user#1", { pk: "user#2" }), { code: "VALIDATION" });
   * ```
   */
  override put(
    key: DefaultKey,
    item: Item = {},
    options: PutOptions = {},
  ): Promise<Item | undefined> {
    let plain: Promise<void> | undefined;
    if (isPlainPut(options)) {
      const pk = typeof key === "string" ? key : typeof key === "object" ? key?.pk : undefined;
      const sk = typeof key === "object" ? key?.sk : undefined;
      if (typeof pk === "string" && (sk === undefined || typeof sk === "string")) {
        try {
          plain = putPlainItemUnderKey(this.apiContext(), "", pk, sk, item);
        } catch (error) {
          return Promise.reject(error);
        }
      }
    }
    return plain === undefined ? super.put(key, item, options) : plain as Promise<undefined>;
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
   * Puts many items into the default table at once (each with its `pk`, and `sk` when it has
   * one), replacing any item with the same key, as one atomic commit; see `Table.putMany`.
   *
   * @param items The items; of items with the same key the last one wins.
   * @throws {KstoneError} VALIDATION for a bad item (then nothing is written) or a batch over
   *   the WAL record limit of 64 MiB.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Database } from "../../mod.ts";
   * await using db = await Database.memory();
   * await db.putMany([{ pk: "user#1", sk: "profile", name: "Ada" }, { pk: "user#2", name: "Eve" }]);
   * assert.equal((await db.get({ pk: "user#1", sk: "profile" }))?.name, "Ada");
   * await assert.rejects(db.putMany([{ pk: "a" }, { sk: "no pk" }]), { code: "VALIDATION" });
   * assert.equal(await db.get("a"), undefined);
   * ```
   */
  async putMany(items: Iterable<Item>): Promise<void> {
    await putMany(this.apiContext(), "", items);
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
